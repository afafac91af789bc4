/**
 * The FargateService reconciler: re-reads the record, validates it, makes sure the finalizer is on before any
 * AWS create, runs one pass of the machine with the real steps, then writes the status (compare-and-set) or,
 * when a deletion finished, removes the finalizer.
 */

import { fromPromise } from "xstate";
import type { ApplicationAutoScalingGateway } from "../../aws/application-autoscaling-shapes.js";
import { CloudMapServiceCache } from "../../aws/cloud-map-cache.js";
import type { CloudMapGateway, EcsGateway } from "../../aws/types.js";
import type { Clock } from "../../clock.js";
import {
  type FargateServiceSpec,
  type FargateServiceStatus,
  parseResourceKey,
  type ResourceKey,
  resourceKey,
} from "../../crds/index.js";
import type { Logger } from "../../log.js";
import { ensureCreationTimestamp } from "../../runtime/creation-timestamps.js";
import { applyPassOutput, runMachinePass } from "../../runtime/machine-runner.js";
import type { KindReconciler } from "../../runtime/reconciler.js";
import { done, type ReconcileResult, requeueAfter } from "../../runtime/result.js";
import { NotFoundError } from "../../store/errors.js";
import type { ResourceStore, StoredResource } from "../../store/types.js";
import { toReconcileError } from "../aws-failures.js";
import { stalledConditions } from "../conditions.js";
import { CONTROLLER_FINALIZER } from "../finalizer.js";
import { enforcePolicy, serviceSlots } from "../policy/gate.js";
import type { PolicyLookup } from "../policy/lookup.js";
import { writeStatus } from "../status.js";
import { validatedSpec } from "../validated-spec.js";
import { deregisterAutoscaling, ensureAutoscaling } from "./autoscaling.js";
import { releaseNames } from "./claims.js";
import {
  deleteCloudMapService,
  deleteEcsService,
  deregisterOwnedRevisions,
  pruneRevisions,
} from "./cleanup-steps.js";
import { ensureCloudMapService } from "./cloud-map-service.js";
import { observeConsulMirror } from "./consul-mirror.js";
import type { FargateServiceRecord, FargateServiceSettings } from "./context.js";
import { observeServiceDeployment } from "./deployment-progress.js";
import { fargateServiceMachine } from "./machine.js";
import { checkNames, NAME_CONFLICT_RECHECK_MS, NameConflictError } from "./name-check.js";
import { resolveNamespace } from "./namespaces.js";
import { ensureEcsService, ensureTaskDefinition, type FargateServiceStepDeps, maxAgeFor } from "./steps.js";
import { observeStoppedTasks } from "./stopped-tasks.js";

/** What the reconciler needs. */
export interface FargateServiceReconcilerDeps {
  store: ResourceStore;
  ecs: EcsGateway;
  cloudMap: CloudMapGateway;
  /** Shared Cloud Map listings and tags; built over `cloudMap` when not given. */
  cloudMapCache?: CloudMapServiceCache;
  /** Application Auto Scaling (records with spec.autoscaling fail InvalidSpec-like without it). */
  autoscaling?: ApplicationAutoScalingGateway;
  clock: Clock;
  settings: FargateServiceSettings;
  /** NamespacePolicy enforcement before any AWS call; every record is allowed without it. */
  policies?: PolicyLookup;
}

/** Defaults of the reconciler's tunables besides the region. */
export const DEFAULT_FARGATE_SERVICE_SETTINGS = {
  keepRevisions: 5,
  pollIntervalMs: 5_000,
  steadyStateMaxAgeMs: 60_000,
} as const;

/** The validated record, or PermanentError(InvalidSpec) listing every issue. */
function validated(stored: StoredResource): FargateServiceRecord {
  return {
    metadata: stored.metadata,
    spec: validatedSpec<FargateServiceSpec>(stored),
    status: (stored.status ?? {}) as FargateServiceStatus,
    specHash: stored.specHash,
    legacyUid: stored.legacyUid,
  };
}

/** The logger of the pass running for each record key (the work queue never hands a key to two passes). */
type PassLogs = Map<ResourceKey, Logger>;

function passLog(logs: PassLogs, record: FargateServiceRecord): Logger | undefined {
  return logs.get(resourceKey("FargateService", record.metadata.namespace, record.metadata.name));
}

/**
 * The machine with the real steps, each logging what it changed to its pass's logger. Built once per
 * reconciler: `provide` builds a whole new machine (state nodes, transitions), about 100 KB per pass.
 */
function machineWith(deps: FargateServiceStepDeps, logs: PassLogs) {
  return fargateServiceMachine.provide({
    actors: {
      resolveNamespace: fromPromise(({ input }) => resolveNamespace(deps, input.record)),
      checkNames: fromPromise(({ input, signal }) =>
        checkNames(deps, input.record, input.namespace, maxAgeFor(input.record, deps.settings), signal),
      ),
      ensureTaskDefinition: fromPromise(async ({ input, signal }) => {
        const out = await ensureTaskDefinition(
          deps,
          input.record,
          input.namespaceDnsName,
          signal,
          input.observed,
        );
        if (out.registered)
          passLog(logs, input.record)?.info({ taskDefinitionArn: out.arn }, "registered task definition");
        return out;
      }),
      ensureCloudMapService: fromPromise(({ input, signal }) =>
        ensureCloudMapService(deps, input.record, input.namespace, signal),
      ),
      ensureEcsService: fromPromise(async ({ input, signal }) => {
        const out = await ensureEcsService(
          deps,
          input.record,
          input.taskDefinition,
          input.cloudMap,
          input.serviceConnectNamespaceArn,
          input.namespaceDnsName,
          input.observed,
          input.now,
          signal,
        );
        if (out.action === "created" || out.action === "updated") {
          passLog(logs, input.record)?.info(
            { action: out.action, changed: out.changed, serviceArn: out.service.serviceArn },
            `ECS service ${out.action}`,
          );
        }
        const serviceDeployment = await observeServiceDeployment(deps.ecs, input.record, out.service, signal);
        const stoppedTasks = await observeStoppedTasks(
          deps.ecs,
          input.record,
          input.taskDefinition.arn,
          out.service,
          input.now,
          signal,
          passLog(logs, input.record),
        );
        return {
          ...out,
          ...(serviceDeployment === undefined ? {} : { serviceDeployment }),
          ...(stoppedTasks === undefined ? {} : { stoppedTasks }),
        };
      }),
      ensureAutoscaling: fromPromise(async ({ input, signal }) => {
        const out = await ensureAutoscaling(deps, input.record, input.service, signal);
        if (out.changes.length > 0)
          passLog(logs, input.record)?.info({ changes: out.changes }, "autoscaling changed");
        return out;
      }),
      deregisterAutoscaling: fromPromise(({ input, signal }) =>
        deregisterAutoscaling(deps, input.record, signal),
      ),
      pruneRevisions: fromPromise(async ({ input, signal }) => {
        const pruned = await pruneRevisions(deps, input.record, input.service, signal);
        if (pruned.length > 0)
          passLog(logs, input.record)?.info(
            { deregistered: pruned },
            "deregistered old task-definition revisions",
          );
        return pruned;
      }),
      observeConsulMirror: fromPromise(({ input }) =>
        observeConsulMirror(deps, input.record, input.cloudMap),
      ),
      deleteEcsService: fromPromise(({ input, signal }) => deleteEcsService(deps, input.record, signal)),
      deleteCloudMapService: fromPromise(({ input, signal }) =>
        deleteCloudMapService(deps, input.record, signal),
      ),
      deregisterRevisions: fromPromise(({ input, signal }) =>
        deregisterOwnedRevisions(deps, input.record, signal),
      ),
    },
  });
}

/** True when nothing was ever created for the record (its status names no AWS resource). */
function createdNothing(stored: StoredResource): boolean {
  const status = (stored.status ?? {}) as FargateServiceStatus;
  return (
    status.taskDefinitionArn === undefined && status.serviceArn === undefined && status.cloudMap === undefined
  );
}

/** Builds the FargateService reconciler. */
export function fargateServiceReconciler(deps: FargateServiceReconcilerDeps): KindReconciler {
  const stepDeps: FargateServiceStepDeps = {
    store: deps.store,
    ecs: deps.ecs,
    cloudMap: deps.cloudMap,
    cloudMapCache:
      deps.cloudMapCache ??
      new CloudMapServiceCache(deps.clock, deps.cloudMap, deps.settings.cloudMapTagCycleMs),
    settings: deps.settings,
    ...(deps.autoscaling === undefined ? {} : { autoscaling: deps.autoscaling }),
  };
  const logs: PassLogs = new Map();
  const machine = machineWith(stepDeps, logs);
  return {
    kind: "FargateService",
    reconcile: async (key, signal, context): Promise<ReconcileResult> => {
      const { namespace, name } = parseResourceKey(key);
      let stored: StoredResource;
      try {
        stored = await deps.store.get("FargateService", namespace, name);
      } catch (error) {
        if (error instanceof NotFoundError) return done();
        throw error;
      }
      const deleting = stored.metadata.deletionTimestamp !== undefined;
      const hasFinalizer = stored.metadata.finalizers.includes(CONTROLLER_FINALIZER);
      if (deleting && !hasFinalizer) return done();
      stored = await ensureCreationTimestamp(
        deps.store,
        stored,
        context.creationTimestamps,
        key,
        new Date(deps.clock.now()),
      );
      // Every live record carries the finalizer, suspended or invalid too: a put-item that dropped it (and the
      // status that said what exists) must not let a later delete leave the key's AWS resources behind.
      if (!deleting && !hasFinalizer) {
        stored = await deps.store.addFinalizer(
          "FargateService",
          namespace,
          name,
          CONTROLLER_FINALIZER,
          stored.metadata.resourceVersion,
        );
      }
      let record: FargateServiceRecord;
      try {
        record = validated(stored);
      } catch (error) {
        // An invalid record that never made anything may go at once; otherwise the spec must be fixed first.
        if (deleting && createdNothing(stored)) {
          await deps.store.removeFinalizer(
            "FargateService",
            namespace,
            name,
            CONTROLLER_FINALIZER,
            stored.metadata.resourceVersion,
          );
          return done();
        }
        throw error;
      }
      if (!deleting) {
        const refused = await enforcePolicy(
          {
            store: deps.store,
            clock: deps.clock,
            policies: deps.policies,
            ...(deps.settings.ownRoleArns === undefined ? {} : { ownRoleArns: deps.settings.ownRoleArns }),
          },
          stored,
          { kind: "FargateService", namespace, name, spec: record.spec },
          context,
          serviceSlots(context, stored),
        );
        if (refused !== undefined) return refused;
      }
      let output: Awaited<ReturnType<typeof runMachinePass<typeof fargateServiceMachine>>>;
      const passKey = resourceKey("FargateService", namespace, name);
      logs.set(passKey, context.log);
      try {
        output = await runMachinePass(
          machine,
          { record, settings: deps.settings, now: deps.clock.now() },
          signal,
        );
      } catch (error) {
        if (signal.aborted) throw error;
        if (error instanceof NameConflictError) {
          // Not a spec-change wait like other permanent failures: the holder of the name may go away.
          context.log.warn({ reason: error.reason }, error.message);
          await writeStatus(
            deps.store,
            stored,
            {
              conditions: stalledConditions(stored.metadata.generation, error.reason, error.message),
              observedGeneration: stored.metadata.generation,
            },
            new Date(deps.clock.now()),
          );
          return requeueAfter(NAME_CONFLICT_RECHECK_MS);
        }
        throw toReconcileError(error, `FargateService ${namespace}/${name}`);
      } finally {
        logs.delete(passKey);
      }
      if (output.removeFinalizer) {
        // Its names are free once nothing of it is left (a Retain deletion leaves its services tagged as its own,
        // and the name check keeps refusing those).
        await releaseNames(deps.store, record);
        await deps.store.removeFinalizer(
          "FargateService",
          namespace,
          name,
          CONTROLLER_FINALIZER,
          stored.metadata.resourceVersion,
        );
        context.log.info("cleanup complete: finalizer removed");
        return done();
      }
      return applyPassOutput(deps.store, stored, output, new Date(deps.clock.now()));
    },
  };
}
