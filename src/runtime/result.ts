/** The outcome of one reconcile pass: done, or come back after a while (not an error). */

/** The pass converged (or is waiting on a change it will be told about). */
export interface ReconcileDone {
  readonly type: "done";
}

/** The pass wants another look after `ms` (a rollout in progress, a stored deadline): not a failure. */
export interface ReconcileRequeueAfter {
  readonly type: "requeueAfter";
  readonly ms: number;
}

/** What a reconciler returns. Failures are thrown (TemporaryError, PermanentError), never returned. */
export type ReconcileResult = ReconcileDone | ReconcileRequeueAfter;

const DONE: ReconcileDone = { type: "done" } as const;

/** The pass converged. */
export function done(): ReconcileDone {
  return DONE;
}

/** Come back after `ms` milliseconds (rounded up, at least 0). */
export function requeueAfter(ms: number): ReconcileRequeueAfter {
  if (!Number.isFinite(ms)) throw new RangeError(`requeueAfter needs a finite delay, got ${ms}`);
  return { type: "requeueAfter", ms: Math.max(0, Math.ceil(ms)) } as const;
}
