/**
 * TEMPORARY: the reconciler every kind gets until its real one lands (FargateService, CloudMapNamespace,
 * CatalogSync issues). It validates the stored record and reports the outcome on the status; it calls no AWS.
 * Invalid: PermanentError(InvalidSpec) with every issue's path and message (the runtime writes Ready=False,
 * Stalled=True). Valid: Ready=Unknown, Reconciling=True, reason NotImplemented.
 */

import type { Clock } from "../clock.js";
import { ConditionStatus, type Kind, parseResourceKey } from "../crds/index.js";
import { NotFoundError } from "../store/errors.js";
import type { ResourceStore, StoredResource } from "../store/types.js";
import { reconcilingConditions } from "./conditions.js";
import type { KindReconciler } from "./reconciler.js";
import { done } from "./result.js";
import { writeStatus } from "./status.js";
import { validatedSpec } from "./validated-spec.js";

/** Condition reason of records whose kind has no real reconciler yet. */
export const NOT_IMPLEMENTED_REASON = "NotImplemented";

/** Builds the temporary validate-and-report reconciler for `kind`. */
export function placeholderReconciler(kind: Kind, store: ResourceStore, clock: Clock): KindReconciler {
  return {
    kind,
    reconcile: async (key, signal) => {
      const { namespace, name } = parseResourceKey(key);
      let record: StoredResource;
      try {
        record = await store.get(kind, namespace, name);
      } catch (error) {
        if (error instanceof NotFoundError) return done();
        throw error;
      }
      signal.throwIfAborted();
      if (record.metadata.deletionTimestamp !== undefined) return done(); // created nothing, so nothing to clean up
      validatedSpec(record);
      const generation = record.metadata.generation;
      await writeStatus(
        store,
        record,
        {
          conditions: reconcilingConditions(
            generation,
            NOT_IMPLEMENTED_REASON,
            `the ${kind} reconciler is not implemented yet; the spec is valid`,
            ConditionStatus.Unknown,
          ),
          observedGeneration: generation,
        },
        new Date(clock.now()),
      );
      return done();
    },
  };
}
