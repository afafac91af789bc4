/**
 * The NamespacePolicy reconciler: validates each policy and reports on it (Ready and what it governs). It makes
 * nothing outside the table; the policies take effect through the informer cache (CachedPolicyLookup), and the
 * trigger below re-queues what a policy governs whenever it changes.
 */
import type { Clock } from "../../clock.js";
import {
  DEFAULT_POLICY_NAME,
  type NamespacePolicySpec,
  parseResourceKey,
  type ResourceKey,
} from "../../crds/index.js";
import { ensureCreationTimestamp } from "../../runtime/creation-timestamps.js";
import type { KeyTrigger, KindReconciler } from "../../runtime/reconciler.js";
import { done, type ReconcileResult } from "../../runtime/result.js";
import { NotFoundError } from "../../store/errors.js";
import type { ResourceStore, StoredResource } from "../../store/types.js";
import { readyConditions, stalledConditions } from "../conditions.js";
import { CONTROLLER_FINALIZER } from "../finalizer.js";
import { writeStatus } from "../status.js";
import { validatedSpec } from "../validated-spec.js";

const KIND = "NamespacePolicy" as const;

/** Condition reason of a NamespacePolicy outside the policy namespace (it governs nothing). */
export const WRONG_NAMESPACE_REASON = "WrongNamespace";

/** The kinds a NamespacePolicy governs. */
export const GOVERNED_KINDS = ["FargateService", "CloudMapNamespace", "CatalogSync"] as const;

/** What the reconciler is built from. */
export interface NamespacePolicyReconcilerDeps {
  store: ResourceStore;
  clock: Clock;
  policyNamespace: string;
}

/** What a policy named `name` governs, in words (as `status.governs` and `get` show it). */
export function governs(name: string): string {
  return name === DEFAULT_POLICY_NAME ? "every namespace without its own policy" : `namespace ${name}`;
}

/** Builds the NamespacePolicy reconciler. */
export function namespacePolicyReconciler(deps: NamespacePolicyReconcilerDeps): KindReconciler {
  const { store, clock, policyNamespace } = deps;
  return {
    kind: KIND,
    leavesNothingBehind: true,
    reconcile: async (key, signal, context): Promise<ReconcileResult> => {
      const { namespace, name } = parseResourceKey(key);
      let stored: StoredResource;
      try {
        stored = await store.get(KIND, namespace, name);
      } catch (error) {
        if (error instanceof NotFoundError) return done();
        throw error;
      }
      signal.throwIfAborted();
      if (stored.metadata.deletionTimestamp !== undefined) {
        // Nothing to clean up; a finalizer here was put by someone else's hand or a tombstone.
        if (stored.metadata.finalizers.includes(CONTROLLER_FINALIZER)) {
          await store.removeFinalizer(
            KIND,
            namespace,
            name,
            CONTROLLER_FINALIZER,
            stored.metadata.resourceVersion,
          );
        }
        return done();
      }
      stored = await ensureCreationTimestamp(
        store,
        stored,
        context.creationTimestamps,
        key,
        new Date(clock.now()),
      );
      const generation = stored.metadata.generation;
      const observed = { observedGeneration: generation, observedSpecHash: stored.specHash };
      validatedSpec<NamespacePolicySpec>(stored); // PermanentError(InvalidSpec): what it governs is refused
      if (namespace !== policyNamespace) {
        const message = `a NamespacePolicy counts only in the policy namespace ${policyNamespace}; this one governs nothing (move it there to apply it)`;
        context.log.warn({ reason: WRONG_NAMESPACE_REASON }, message);
        await writeStatus(
          store,
          stored,
          {
            conditions: stalledConditions(generation, WRONG_NAMESPACE_REASON, message),
            fields: { governs: "nothing" },
            ...observed,
          },
          new Date(clock.now()),
        );
        return done();
      }
      await writeStatus(
        store,
        stored,
        {
          conditions: readyConditions(generation, "Governing", `governs ${governs(name)}`),
          fields: { governs: governs(name) },
          ...observed,
        },
        new Date(clock.now()),
      );
      return done();
    },
  };
}

/**
 * Re-queues what a policy governs when it changes (created, edited, deleted): every record of the namespace it
 * is named after, or, for `default`, of every namespace without a policy of its own. Policies elsewhere govern
 * nothing.
 */
export function policyTrigger(policyNamespace: string): KeyTrigger {
  return {
    kind: KIND,
    keysFor(key, keysOf) {
      const policy = parseResourceKey(key);
      if (policy.namespace !== policyNamespace) return [];
      const governed = GOVERNED_KINDS.flatMap((kind) => keysOf(kind));
      const namespaceOf = (k: ResourceKey): string => parseResourceKey(k).namespace;
      if (policy.name !== DEFAULT_POLICY_NAME) return governed.filter((k) => namespaceOf(k) === policy.name);
      const own = new Set(
        keysOf(KIND)
          .map((k) => parseResourceKey(k))
          .filter((p) => p.namespace === policyNamespace && p.name !== DEFAULT_POLICY_NAME)
          .map((p) => p.name),
      );
      return governed.filter((k) => !own.has(namespaceOf(k)));
    },
  };
}
