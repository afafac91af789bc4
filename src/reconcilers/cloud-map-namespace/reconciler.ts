/**
 * The CloudMapNamespace reconciler: re-reads the record, validates it, runs the pass machine with steps that
 * call Cloud Map and the store, writes the machine's output onto the status (skipped when nothing changes) and
 * returns its result. Expected AWS answers (NotFound, AlreadyExists, ResourceInUse) become step results; every
 * other AWS failure is mapped by `toReconcileError`.
 */
import { fromPromise } from "xstate";
import { AwsAlreadyExistsError, AwsNotFoundError, AwsResourceInUseError } from "../../aws/errors.js";
import type { CloudMapGateway } from "../../aws/types.js";
import type { Clock } from "../../clock.js";
import {
  type CloudMapNamespaceSpec,
  type CloudMapNamespaceStatus,
  type Condition,
  parseResourceKey,
} from "../../crds/index.js";
import { ensureCreationTimestamp } from "../../runtime/creation-timestamps.js";
import { PermanentError } from "../../runtime/errors.js";
import { applyPassOutput, runMachinePass } from "../../runtime/machine-runner.js";
import type { KindReconciler } from "../../runtime/reconciler.js";
import { done, type ReconcileResult } from "../../runtime/result.js";
import { NotFoundError } from "../../store/errors.js";
import type { ResourceStore, StoredResource } from "../../store/types.js";
import { toReconcileError } from "../aws-failures.js";
import { CONTROLLER_FINALIZER } from "../finalizer.js";
import { enforcePolicy } from "../policy/gate.js";
import type { PolicyLookup } from "../policy/lookup.js";
import { validatedSpec } from "../validated-spec.js";
import {
  type CreateOutcome,
  cloudMapNamespaceMachine,
  type DeleteOutcome,
  type NamespaceLookup,
  type OperationLookup,
} from "./machine.js";

/** What the reconciler is built from. */
export interface CloudMapNamespaceReconcilerDeps {
  store: ResourceStore;
  cloudMap: CloudMapGateway;
  clock: Clock;
  /** NamespacePolicy enforcement before any AWS call; every record is allowed without it. */
  policies?: PolicyLookup;
}

const KIND = "CloudMapNamespace" as const;

/** The stored status, reduced to the fields this kind knows (anything malformed is ignored). */
export function readNamespaceStatus(status: Record<string, unknown> | undefined): CloudMapNamespaceStatus {
  const out: CloudMapNamespaceStatus = {};
  const text = (key: string): string | undefined => {
    const value = status?.[key];
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const namespaceId = text("namespaceId");
  const namespaceArn = text("namespaceArn");
  const hostedZoneId = text("hostedZoneId");
  const operationId = text("operationId");
  if (namespaceId !== undefined) out.namespaceId = namespaceId;
  if (namespaceArn !== undefined) out.namespaceArn = namespaceArn;
  if (hostedZoneId !== undefined) out.hostedZoneId = hostedZoneId;
  if (operationId !== undefined) out.operationId = operationId;
  if (typeof status?.observedGeneration === "number") out.observedGeneration = status.observedGeneration;
  if (typeof status?.observedSpecHash === "string") out.observedSpecHash = status.observedSpecHash;
  if (Array.isArray(status?.conditions)) out.conditions = status.conditions as Condition[];
  return out;
}

/** The validated spec, or PermanentError(InvalidSpec) with every issue's path and message. */
function validSpec(record: StoredResource): CloudMapNamespaceSpec {
  return validatedSpec<CloudMapNamespaceSpec>(record);
}

/** Runs `call`, mapping an unexpected AWS failure to the runtime's TemporaryError/PermanentError. */
async function aws<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toReconcileError(error, what);
  }
}

/** Builds the CloudMapNamespace reconciler. */
export function cloudMapNamespaceReconciler(deps: CloudMapNamespaceReconcilerDeps): KindReconciler {
  const { store, cloudMap, clock } = deps;

  /** The machine wired to this pass's record (`current` follows the finalizer writes, for later CAS writes). */
  function passMachine(holder: { current: StoredResource }) {
    const { kind } = holder.current;
    return cloudMapNamespaceMachine.provide({
      actors: {
        addFinalizer: fromPromise<void>(async ({ signal }) => {
          signal.throwIfAborted();
          const m = holder.current.metadata;
          holder.current = await store.addFinalizer(
            kind,
            m.namespace,
            m.name,
            CONTROLLER_FINALIZER,
            m.resourceVersion,
          );
        }),
        removeFinalizer: fromPromise<void>(async ({ signal }) => {
          signal.throwIfAborted();
          const m = holder.current.metadata;
          await store.removeFinalizer(kind, m.namespace, m.name, CONTROLLER_FINALIZER, m.resourceVersion);
        }),
        getNamespace: fromPromise<NamespaceLookup, { namespaceId: string }>(({ input, signal }) =>
          aws(`get namespace ${input.namespaceId}`, async () => {
            try {
              return { found: true, namespace: await cloudMap.getNamespace(input.namespaceId, signal) };
            } catch (error) {
              if (error instanceof AwsNotFoundError) return { found: false };
              throw error;
            }
          }),
        ),
        getOperation: fromPromise<OperationLookup, { operationId: string }>(({ input, signal }) =>
          aws(`get operation ${input.operationId}`, async () => {
            try {
              return { found: true, operation: await cloudMap.getOperation(input.operationId, signal) };
            } catch (error) {
              if (error instanceof AwsNotFoundError) return { found: false };
              throw error;
            }
          }),
        ),
        createNamespace: fromPromise<
          CreateOutcome,
          Parameters<CloudMapGateway["createPrivateDnsNamespace"]>[0]
        >(({ input, signal }) =>
          aws(`create namespace ${input.name} in ${input.vpc}`, async () => {
            try {
              return {
                type: "submitted",
                operationId: await cloudMap.createPrivateDnsNamespace(input, signal),
              };
            } catch (error) {
              if (!(error instanceof AwsAlreadyExistsError)) throw error;
              return {
                type: "alreadyExists",
                existingId: error.existingId,
                creatorRequestId: error.creatorRequestId,
              };
            }
          }),
        ),
        listTags: fromPromise<Record<string, string>, { arn: string }>(({ input, signal }) =>
          aws(`list tags of ${input.arn}`, () => cloudMap.listTags(input.arn, signal)),
        ),
        tagNamespace: fromPromise<void, { arn: string; tags: Record<string, string> }>(({ input, signal }) =>
          aws(`tag ${input.arn}`, () => cloudMap.tagResource(input.arn, input.tags, signal)),
        ),
        listServices: fromPromise<string[], { namespaceId: string }>(({ input, signal }) =>
          aws(`list services of namespace ${input.namespaceId}`, async () =>
            (await cloudMap.listServices(input.namespaceId, signal)).map((s) => s.name),
          ),
        ),
        deleteNamespace: fromPromise<DeleteOutcome, { namespaceId: string }>(({ input, signal }) =>
          aws(`delete namespace ${input.namespaceId}`, async () => {
            try {
              return {
                type: "submitted",
                operationId: await cloudMap.deleteNamespace(input.namespaceId, signal),
              };
            } catch (error) {
              if (error instanceof AwsResourceInUseError) return { type: "inUse" };
              if (error instanceof AwsNotFoundError) return { type: "gone" };
              throw error;
            }
          }),
        ),
      },
    });
  }

  return {
    kind: KIND,
    reconcile: async (key, signal, context): Promise<ReconcileResult> => {
      const { namespace, name } = parseResourceKey(key);
      let record: StoredResource;
      try {
        record = await store.get(KIND, namespace, name);
      } catch (error) {
        if (error instanceof NotFoundError) return done();
        throw error;
      }
      signal.throwIfAborted();
      const deleting = record.metadata.deletionTimestamp !== undefined;
      if (deleting && !record.metadata.finalizers.includes(CONTROLLER_FINALIZER)) return done();
      record = await ensureCreationTimestamp(
        store,
        record,
        context.creationTimestamps,
        key,
        new Date(clock.now()),
      );
      const spec = validSpec(record);
      if (!deleting) {
        const refused = await enforcePolicy(
          { store, clock, policies: deps.policies },
          record,
          { kind: KIND, namespace, name, spec },
          context,
        );
        if (refused !== undefined) return refused;
      }
      const holder = { current: record };
      const output = await runMachinePass(
        passMachine(holder),
        {
          metadata: { ...record.metadata, legacyUid: record.legacyUid },
          spec,
          status: readNamespaceStatus(record.status),
        },
        signal,
      );
      if (!output.skipStatusWrite) {
        await applyPassOutput(store, holder.current, output, new Date(clock.now()));
      }
      if (output.permanentFailure !== undefined) {
        throw new PermanentError(output.permanentFailure.reason, output.permanentFailure.message);
      }
      return output.result;
    },
  };
}
