/** Poll delays for `wait` and `watch`: they poll the table with backoff instead of reading the stream. */

/** How poll delays grow while nothing changes. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
}

/** `wait`: start quickly (an apply is often followed at once by the controller's status write), cap at 2 s. */
export const WAIT_BACKOFF: BackoffPolicy = { initialMs: 200, maxMs: 2_000, factor: 1.5 };

/** `watch`: one poll a second while things move, slowing to one every 5 s when idle. */
export const WATCH_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 5_000, factor: 1.5 };

/** The delay after `current`: grown by the factor, capped. Pure. */
export function nextDelay(current: number, policy: BackoffPolicy): number {
  return Math.min(Math.max(policy.initialMs, Math.round(current * policy.factor)), policy.maxMs);
}

/** Sleeps `ms`, or less when `signal` aborts first (never rejects). */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** A duration as people write it: `10m`, `300s`, `1m30s`, `500ms`. Pure. */
export function formatDuration(ms: number): string {
  if (ms % 1000 !== 0 || ms === 0) return `${ms}ms`;
  const seconds = ms / 1000;
  if (seconds < 60 || seconds % 60 === 0) return seconds < 60 ? `${seconds}s` : `${seconds / 60}m`;
  return `${Math.floor(seconds / 60)}m${seconds % 60}s`;
}
