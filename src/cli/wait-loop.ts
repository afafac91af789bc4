/** Polls one record with backoff until a wait target is met, fails, or time runs out. Shared by `wait` and `delete --wait`. */
import type { Kind } from "../crds/meta.js";
import { NotFoundError, StoreUnavailableError, TableNotFoundError } from "../store/errors.js";
import type { ResourceStore } from "../store/types.js";
import { type BackoffPolicy, nextDelay, pause, WAIT_BACKOFF } from "./backoff.js";
import { describeLastSeen, judgeRecord, Verdict, type WaitTarget } from "./wait-condition.js";

/** How a wait ended, as `as const` values. */
export const WaitEnd = {
  Met: "met",
  TimedOut: "timedOut",
  /** Stalled=True for the current generation: a permanent failure. */
  Failed: "failed",
  /** Waiting for a condition, the record did not exist (or vanished). */
  Gone: "gone",
} as const;

/** One of the WaitEnd values. */
export type WaitEnd = (typeof WaitEnd)[keyof typeof WaitEnd];

/** The end of a wait and what was last seen (for messages). */
export interface WaitOutcome {
  end: WaitEnd;
  detail: string;
}

/** The record to wait for and how long. */
export interface WaitRequest {
  kind: Kind;
  namespace: string;
  name: string;
  target: WaitTarget;
  timeoutMs: number;
  now: () => number;
  backoff?: BackoffPolicy;
  signal?: AbortSignal;
}

/**
 * Reads the record, then again after growing delays (reset when the record changes), until the target holds.
 * A record missing while a condition is awaited ends the wait at once, as kubectl does: a typo should not
 * cost the whole timeout. Transient store failures are retried until the deadline.
 */
export async function waitForRecord(store: ResourceStore, request: WaitRequest): Promise<WaitOutcome> {
  const policy = request.backoff ?? WAIT_BACKOFF;
  const deadline = request.now() + request.timeoutMs;
  let delay = policy.initialMs;
  let lastSeen = "nothing read yet";
  let lastVersion: string | undefined;
  let seenOnce = false;
  for (;;) {
    try {
      const resource = await store.get(request.kind, request.namespace, request.name);
      if (request.target.type === "delete") {
        lastSeen = deletionProgress(resource.metadata.deletionTimestamp, resource.metadata.finalizers);
      } else {
        const verdict = judgeRecord(resource, request.target);
        if (verdict.state === Verdict.Met) return { end: WaitEnd.Met, detail: verdict.detail };
        if (verdict.state === Verdict.Failed) return { end: WaitEnd.Failed, detail: verdict.reason };
        lastSeen = describeLastSeen(resource, request.target.condition);
      }
      // A hand edit of spec keeps resourceVersion: the spec hash tells that the record changed too.
      const version = `${resource.metadata.resourceVersion}/${resource.specHash}`;
      if (version !== lastVersion) {
        if (lastVersion !== undefined) delay = policy.initialMs;
        lastVersion = version;
      }
      seenOnce = true;
    } catch (error) {
      if (error instanceof NotFoundError) {
        if (request.target.type === "delete") return { end: WaitEnd.Met, detail: "deleted" };
        return { end: WaitEnd.Gone, detail: seenOnce ? "deleted while waiting" : "not found" };
      }
      if (!(error instanceof StoreUnavailableError) || error instanceof TableNotFoundError) throw error;
      lastSeen = `the table could not be read (${error.message})`;
    }
    const left = deadline - request.now();
    if (left <= 0) return { end: WaitEnd.TimedOut, detail: lastSeen };
    await pause(Math.min(delay, left), request.signal);
    if (request.signal?.aborted) return { end: WaitEnd.TimedOut, detail: `interrupted; ${lastSeen}` };
    delay = nextDelay(delay, policy);
  }
}

function deletionProgress(deletionTimestamp: string | undefined, finalizers: readonly string[]): string {
  if (deletionTimestamp === undefined) return "the record exists and is not being deleted";
  return `being deleted since ${deletionTimestamp}, waiting on finalizers: ${finalizers.join(", ") || "none"}`;
}
