/**
 * The CatalogSync reconciler: re-reads the record, validates it, runs one pass of the machine with the real
 * steps (the finalizer goes on before anything starts), then writes the status (compare-and-set) or, when a
 * deletion finished, removes the finalizer. The engines it starts (placement: controller) live in its registry
 * between passes; `stop` ends them all when this process stops leading or shuts down.
 */
import { fromPromise } from "xstate";
import type { CatalogSyncSpec, CatalogSyncStatus } from "../../crds/catalog-sync.js";
import { parseResourceKey } from "../../crds/index.js";
import { ensureCreationTimestamp } from "../../runtime/creation-timestamps.js";
import { applyPassOutput, runMachinePass } from "../../runtime/machine-runner.js";
import type { KindReconciler, ReconcileContext } from "../../runtime/reconciler.js";
import { done, type ReconcileResult } from "../../runtime/result.js";
import { NotFoundError } from "../../store/errors.js";
import type { StoredResource } from "../../store/types.js";
import { toReconcileError } from "../aws-failures.js";
import { CONTROLLER_FINALIZER } from "../finalizer.js";
import type { PolicyLookup } from "../policy/lookup.js";
import { validatedSpec } from "../validated-spec.js";
import { checkAccess } from "./access.js";
import { deleteChild, ensureChild } from "./child-steps.js";
import type { CatalogSyncRecord } from "./context.js";
import { SyncEngineRegistry } from "./engine-registry.js";
import { catalogSyncMachine } from "./machine.js";
import { SyncNameClaims } from "./name-claims.js";
import { claimNamespace, MemorySyncOwners, releaseClaims, type SyncOwnerBackend } from "./namespace-owner.js";
import {
  addFinalizer,
  type CatalogSyncStepDeps,
  cleanUp,
  ensureEngine,
  resolveSyncNamespace,
  stopEngine,
} from "./steps.js";

/**
 * What the reconciler is built from: the registry is its own unless given; owner items in memory without a table
 * (one process); without a policy lookup no NamespacePolicy governs anything.
 */
export type CatalogSyncReconcilerDeps = Omit<
  CatalogSyncStepDeps,
  "registry" | "log" | "owners" | "policies"
> & {
  registry?: SyncEngineRegistry;
  owners?: SyncOwnerBackend | undefined;
  policies?: PolicyLookup | undefined;
};

/** No NamespacePolicy anywhere: everything is allowed (the policy kind's lookup replaces it). */
export const NO_POLICIES: PolicyLookup = { policyFor: () => undefined };

const KIND = "CatalogSync" as const;

/** The validated record, or PermanentError(InvalidSpec) listing every issue. */
function validated(stored: StoredResource): CatalogSyncRecord {
  return {
    metadata: stored.metadata,
    spec: validatedSpec<CatalogSyncSpec>(stored),
    status: (stored.status ?? {}) as CatalogSyncStatus,
  };
}

/** The machine wired to this pass (`holder.current` follows the finalizer write, for the later CAS writes). */
function machineWith(deps: CatalogSyncStepDeps, holder: { current: StoredResource }) {
  return catalogSyncMachine.provide({
    actors: {
      checkAccess: fromPromise(async ({ input }) => checkAccess(deps, input.record)),
      resolveNamespace: fromPromise(({ input }) => resolveSyncNamespace(deps, input.record)),
      claimNamespace: fromPromise(({ input }) => claimNamespace(deps, input.record, input.namespaceId)),
      addFinalizer: fromPromise(async ({ signal }) => {
        signal.throwIfAborted();
        await addFinalizer(deps, holder);
      }),
      ensureEngine: fromPromise(({ input, signal }) =>
        ensureEngine(deps, input.record, { namespaceId: input.namespaceId, dnsName: input.dnsName }, signal),
      ),
      stopEngine: fromPromise(({ input }) => stopEngine(deps, input.record)),
      ensureChild: fromPromise(({ input }) =>
        ensureChild(deps, input.record, { namespaceId: input.namespaceId, dnsName: input.dnsName }),
      ),
      deleteChild: fromPromise(({ input }) => deleteChild(deps, input.record)),
      cleanUp: fromPromise(({ input, signal }) => cleanUp(deps, input.record, signal)),
      withdrawMirror: fromPromise(({ input, signal }) => cleanUp(deps, input.record, signal, "withdraw")),
      releaseClaims: fromPromise(({ input }) => releaseClaims(deps, input.record.metadata.uid)),
    },
  });
}

/** Builds the CatalogSync reconciler. */
export function catalogSyncReconciler(deps: CatalogSyncReconcilerDeps): KindReconciler {
  const registry = deps.registry ?? new SyncEngineRegistry();
  const owners = deps.owners ?? new MemorySyncOwners();
  const policies = deps.policies ?? NO_POLICIES;
  // Which uid each key last had: a record removed behind the finalizer's back must not leave its engine running.
  const uidByKey = new Map<string, string>();
  const nameClaims = new SyncNameClaims();
  return {
    kind: KIND,
    reconcile: async (key, signal, context: ReconcileContext): Promise<ReconcileResult> => {
      const { namespace, name } = parseResourceKey(key);
      let stored: StoredResource;
      try {
        stored = await deps.store.get(KIND, namespace, name);
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        const uid = uidByKey.get(key);
        if (uid !== undefined) {
          await registry.stop(uid);
          // Gone without its cleanup: the namespaces it owned are free again.
          await releaseClaims({ owners }, uid);
        }
        uidByKey.delete(key);
        return done();
      }
      const previousUid = uidByKey.get(key);
      if (previousUid !== undefined && previousUid !== stored.metadata.uid) await registry.stop(previousUid);
      uidByKey.set(key, stored.metadata.uid);
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
      let record: CatalogSyncRecord;
      try {
        record = validated(stored);
      } catch (error) {
        // An invalid record never started anything here: stop what an older valid spec started, then report.
        await registry.stop(stored.metadata.uid);
        throw error;
      }
      const stepDeps: CatalogSyncStepDeps = { ...deps, registry, owners, policies, log: context.log };
      const holder = { current: stored };
      let output: Awaited<ReturnType<typeof runMachinePass<typeof catalogSyncMachine>>>;
      try {
        output = await runMachinePass(
          machineWith(stepDeps, holder),
          { record, settings: deps.settings, now: deps.clock.now() },
          signal,
        );
      } catch (error) {
        if (signal.aborted) throw error;
        throw toReconcileError(error, `CatalogSync ${namespace}/${name}`);
      }
      if (output.removeFinalizer) {
        await nameClaims.release(deps.store, record);
        await deps.store.removeFinalizer(
          KIND,
          namespace,
          name,
          CONTROLLER_FINALIZER,
          holder.current.metadata.resourceVersion,
        );
        context.log.info("cleanup complete: finalizer removed");
        return done();
      }
      // The Cloud Map names its engine mirrors Consul services into are reserved for it (name-claims.ts).
      if (!deleting) await nameClaims.claimMirrored(deps.store, record, context.log);
      return applyPassOutput(deps.store, holder.current, output, new Date(deps.clock.now()));
    },
    stop: () => registry.stopAll(),
  };
}
