/** Status writes from the controller: merge, skip when nothing changes, conditional on resourceVersion. */
import { isDeepStrictEqual } from "node:util";
import type { Condition } from "../crds/meta.js";
import { recordStatusEvents } from "../events/scope.js";
import type { ResourceStore, StoredResource } from "../store/types.js";
import { type ConditionUpdate, setConditions } from "./conditions.js";

/** What one pass wants the status to become. */
export interface StatusUpdate {
  /** Conditions to set (lastTransitionTime is kept when a status does not change). */
  conditions?: readonly ConditionUpdate[];
  /** Top-level status fields to set; `undefined` values remove the field. */
  fields?: Record<string, unknown>;
  /** Raises `status.observedGeneration` to this value. */
  observedGeneration?: number;
  /**
   * Sets `status.observedSpecHash`: the `specHash` of the spec the pass acted on. Generations rise only through
   * the store's writes, so a hand edit of `spec` is seen only by its hash (DESIGN §11 "The table is the API").
   */
  observedSpecHash?: string;
}

/** The status `record` would have after `update` (pure). */
export function mergeStatus(
  current: Record<string, unknown> | undefined,
  update: StatusUpdate,
  now: Date,
): Record<string, unknown> {
  const next: Record<string, unknown> = { ...(current ?? {}) };
  for (const [k, v] of Object.entries(update.fields ?? {})) {
    if (v === undefined) delete next[k];
    else next[k] = v;
  }
  if (update.observedGeneration !== undefined) next.observedGeneration = update.observedGeneration;
  if (update.observedSpecHash !== undefined) next.observedSpecHash = update.observedSpecHash;
  if (update.conditions !== undefined && update.conditions.length > 0) {
    const existing = Array.isArray(current?.conditions) ? (current.conditions as Condition[]) : [];
    next.conditions = setConditions(existing, update.conditions, now);
  }
  return next;
}

/**
 * Writes `update` onto `record`'s status unless it changes nothing (then returns `record` untouched).
 * Conditional on the record's resourceVersion: throws the store's ConflictError when the record moved on.
 */
export async function writeStatus(
  store: ResourceStore,
  record: StoredResource,
  update: StatusUpdate,
  now: Date,
): Promise<StoredResource> {
  const next = mergeStatus(record.status, update, now);
  if (isDeepStrictEqual(next, record.status ?? {})) return record;
  const { kind, metadata } = record;
  const written = await store.updateStatus(
    kind,
    metadata.namespace,
    metadata.name,
    next,
    metadata.resourceVersion,
  );
  // Ready changing (or Stalled turning True) is an event for the record (src/events/transitions.ts).
  recordStatusEvents({ kind, namespace: metadata.namespace, name: metadata.name }, record.status, next);
  return written;
}
