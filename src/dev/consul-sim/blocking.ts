/**
 * Blocking queries as Consul runs them (agent/blockingquery): `index=0` (or none) answers at once; otherwise the
 * query answers as soon as its index exceeds `index`, re-evaluated after every write, or when the wait runs out,
 * with whatever it reads then (often the same index: a return is no guarantee of a change). An `index` ahead of
 * the query's index therefore blocks for the whole wait and then returns a lower index; telling the client to
 * reset is the documented client-side rule, not the server's.
 */

import type { Clock, TimerHandle } from "../../clock.js";
import type { Indexed } from "./catalog.js";

/** Consul's default `wait` when none (or 0) is given: 5 minutes. */
export const DEFAULT_WAIT_MS = 5 * 60_000;
/** Consul's cap on `wait`: 10 minutes. */
export const MAX_WAIT_MS = 10 * 60_000;
/** Consul adds up to `wait / 16` of random jitter. */
export const JITTER_FRACTION = 16;

/** The time a blocking query may hang: `wait` defaulted and capped as Consul does, plus jitter in [0, wait/16). */
export function blockingTimeoutMs(requestedMs: number | undefined, random: () => number): number {
  let timeout = requestedMs === undefined || requestedMs <= 0 ? DEFAULT_WAIT_MS : requestedMs;
  if (timeout > MAX_WAIT_MS) timeout = MAX_WAIT_MS;
  return timeout + Math.floor(random() * (timeout / JITTER_FRACTION));
}

interface Pending {
  recheck(): void;
  end(error: Error): void;
}

/** The set of blocking queries currently hanging, woken by catalog writes. */
export class BlockingQueries {
  private readonly pending = new Set<Pending>();
  private watchers: Array<{ count: number; resolve: () => void }> = [];

  constructor(private readonly clock: Clock) {}

  /**
   * Evaluates `query` until its index exceeds `minIndex` or `timeoutMs` passes. Rejects with the error given to
   * {@link endAll}, or with an `AbortError` when `signal` aborts (the client went away).
   */
  block<T>(
    query: () => Indexed<T>,
    minIndex: number,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<Indexed<T>> {
    const first = query();
    if (minIndex === 0 || first.index > minIndex) return Promise.resolve(first);
    return new Promise<Indexed<T>>((resolve, reject) => {
      let timer: TimerHandle | undefined;
      const finish = (outcome: { result: Indexed<T> } | { error: Error }): void => {
        if (!this.pending.delete(entry)) return;
        timer?.cancel();
        signal?.removeEventListener("abort", onAbort);
        if ("result" in outcome) resolve(outcome.result);
        else reject(outcome.error);
      };
      const entry: Pending = {
        recheck: () => {
          const result = query();
          if (result.index > minIndex) finish({ result });
        },
        end: (error) => finish({ error }),
      };
      const onAbort = (): void => finish({ error: new DOMException("client went away", "AbortError") });
      this.pending.add(entry);
      timer = this.clock.setTimer(() => finish({ result: query() }), timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.notifyWatchers();
    });
  }

  /** Re-evaluates every hanging query; call after each write. */
  recheckAll(): void {
    for (const entry of [...this.pending]) entry.recheck();
  }

  /** Ends every hanging query with `error` (outage, shutdown). */
  endAll(error: Error): void {
    for (const entry of [...this.pending]) entry.end(error);
  }

  /** How many queries are hanging now. */
  count(): number {
    return this.pending.size;
  }

  /** Resolves once at least `count` queries are hanging, so a test can write or advance time after they block. */
  whenBlocked(count = 1): Promise<void> {
    if (this.pending.size >= count) return Promise.resolve();
    return new Promise((resolve) => this.watchers.push({ count, resolve }));
  }

  private notifyWatchers(): void {
    const ready = this.watchers.filter((watcher) => this.pending.size >= watcher.count);
    this.watchers = this.watchers.filter((watcher) => this.pending.size < watcher.count);
    for (const watcher of ready) watcher.resolve();
  }
}
