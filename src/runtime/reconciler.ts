/** The reconcile contract between the runtime and each kind's reconciler. */
import type { Kind, ResourceKey } from "../crds/meta.js";
import type { Logger } from "../log.js";
import type { CreationTimestamps } from "./creation-timestamps.js";
import type { CacheReader } from "./informer.js";
import type { ReconcileResult } from "./result.js";

/** What the runtime hands a pass besides the key and the AbortSignal. */
export interface ReconcileContext {
  /** Logger bound to `kind`, `resource` and `reconcileId`. */
  log: Logger;
  /** This pass's id (also in every log line). */
  reconcileId: string;
  /** The informer cache of the pass's kind (may lag the store; re-read before writing). */
  cache: CacheReader;
  /** Failed passes of this key in a row before this one. */
  retries: number;
  /** The last creationTimestamp seen per key of this kind (for `ensureCreationTimestamp`). */
  creationTimestamps: CreationTimestamps;
}

/**
 * One pass for one key: re-read the record and the live state, converge, return `done()` or `requeueAfter(ms)`.
 * Throw TemporaryError (retry with backoff), PermanentError (wait for a spec change) or let the store's
 * ConflictError escape (immediate retry). It must honour `signal` (timeout, shutdown, lost leadership).
 */
export type ReconcileFunction = (
  key: ResourceKey,
  signal: AbortSignal,
  context: ReconcileContext,
) => Promise<ReconcileResult>;

/** A reconciler registered for one kind. */
export interface KindReconciler {
  kind: Kind;
  reconcile: ReconcileFunction;
  /**
   * Stops whatever the reconciler keeps running between passes (the CatalogSync engines). The manager calls it
   * when this process loses leadership and when it stops; the next leader starts them again from its passes.
   */
  stop?(): Promise<void>;
  /**
   * True when the kind makes nothing outside the table (nothing to clean up), so a record that leaves the table
   * needs no tombstone.
   */
  leavesNothingBehind?: boolean;
}

/**
 * Keys of other records to queue when a record of `kind` changes: controller-runtime's `Watches` with a map
 * function, for records whose pass reads another kind (a policy and what it governs).
 */
export interface KeyTrigger {
  kind: Kind;
  /**
   * The keys to queue after `key` changed (created, updated, or left the table). `keysOf(kind)` lists the cached
   * keys of a kind (none for a kind the manager does not cache); the changed record's cache is already current.
   */
  keysFor(key: ResourceKey, keysOf: (kind: Kind) => readonly ResourceKey[]): ResourceKey[];
}
