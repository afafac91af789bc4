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
}
