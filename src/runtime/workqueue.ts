/**
 * A work queue of keys with client-go semantics: a waiting key is queued once; a key is never handed to two
 * workers at once; a key added while it is being handled is handed out again after `done`. Three priorities:
 * work a pass asked to resume (a rollout or deletion being followed) goes before changed records, which go before
 * resync work, so a rollout that has ended is seen at once even while many new records wait. Delayed adds keep
 * the earliest time per key.
 */
import type { Clock, TimerHandle } from "../clock.js";
import type { FailureRateLimiter } from "./rate-limit.js";

/** Queue priorities: a pass's own requeue before changed records before resync work. */
export const Priority = { Requeued: "requeued", High: "high", Low: "low" } as const;

/** One of `requeued`, `high`, `low`. */
export type Priority = (typeof Priority)[keyof typeof Priority];

/** Lower is handed out first. */
const RANK: Readonly<Record<Priority, number>> = { requeued: 0, high: 1, low: 2 };

/** Receives queue figures for metrics. */
export interface QueueObserver {
  /** Keys waiting (both priorities), after every change. */
  depth(waiting: number): void;
  /** Seconds a key waited between being queued and handed to a worker. */
  latency(seconds: number): void;
}

/** What a queue needs. */
export interface WorkQueueOptions<K> {
  clock: Clock;
  /** Paces failure retries (`addRateLimited`) only. */
  rateLimiter: FailureRateLimiter<K>;
  observer?: QueueObserver;
}

interface Delayed {
  at: number;
  priority: Priority;
  timer: TimerHandle;
}

/** The work queue. Keys are strings such as `kind/namespace/name`. */
export class WorkQueue<K extends string = string> {
  /** Waiting keys per priority, each in the order they were queued. */
  private readonly waiting: Readonly<Record<Priority, Set<K>>> = {
    requeued: new Set<K>(),
    high: new Set<K>(),
    low: new Set<K>(),
  };
  /** Keys that need handling (queued, or re-added while being handled), with their priority. */
  private readonly dirty = new Map<K, Priority>();
  private readonly processing = new Set<K>();
  private readonly queuedAt = new Map<K, number>();
  private readonly delayed = new Map<K, Delayed>();
  private readonly waiters: Array<(key: K | undefined) => void> = [];
  private shuttingDown = false;

  constructor(private readonly options: WorkQueueOptions<K>) {}

  /** Queues `key` unless it already waits; raises a waiting key to a higher priority, never lowers it. */
  add(key: K, priority: Priority = Priority.High): void {
    if (this.shuttingDown) return;
    const current = this.dirty.get(key);
    if (current !== undefined) {
      if (RANK[priority] < RANK[current]) {
        this.dirty.set(key, priority);
        if (this.waiting[current].delete(key)) this.waiting[priority].add(key);
      }
      return;
    }
    this.dirty.set(key, priority);
    this.queuedAt.set(key, this.options.clock.now());
    if (this.processing.has(key)) return; // handed out again by done()
    this.push(key, priority);
  }

  /** Queues `key` after `ms`; when it already waits for a delay, the earlier time wins. */
  addAfter(key: K, ms: number, priority: Priority = Priority.High): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key, priority);
      return;
    }
    const at = this.options.clock.now() + ms;
    const existing = this.delayed.get(key);
    if (existing !== undefined) {
      if (existing.at <= at) return;
      existing.timer.cancel();
    }
    const timer = this.options.clock.setTimer(() => {
      this.delayed.delete(key);
      this.add(key, priority);
    }, ms);
    this.delayed.set(key, { at, priority, timer });
  }

  /** Queues `key` after its failure backoff (and the global bucket), at least `minDelayMs`; returns the delay. */
  addRateLimited(key: K, minDelayMs = 0): number {
    const delay = Math.max(minDelayMs, this.options.rateLimiter.when(key));
    this.addAfter(key, delay);
    return delay;
  }

  /** Resets `key`'s failure backoff (after a success). */
  forget(key: K): void {
    this.options.rateLimiter.forget(key);
  }

  /** Failures of `key` in a row. */
  retries(key: K): number {
    return this.options.rateLimiter.retries(key);
  }

  /** Waits for the next key (requeued, then high, then low); resolves `undefined` once the queue shuts down. */
  get(): Promise<K | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.pop();
    if (key !== undefined) return Promise.resolve(this.handOut(key));
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks `key` handled; if it was added meanwhile it is queued again. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.shuttingDown) return;
    const priority = this.dirty.get(key);
    if (priority !== undefined) this.push(key, priority);
  }

  /** Stops handing out keys: waiting keys and delayed adds are dropped, blocked `get` calls resolve `undefined`. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const d of this.delayed.values()) d.timer.cancel();
    this.delayed.clear();
    for (const set of Object.values(this.waiting)) set.clear();
    this.dirty.clear();
    this.queuedAt.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
    this.options.observer?.depth(0);
  }

  /** Keys waiting to be handed out. */
  get length(): number {
    return this.waiting.requeued.size + this.waiting.high.size + this.waiting.low.size;
  }

  /** Keys handed out and not yet done. */
  get inFlight(): number {
    return this.processing.size;
  }

  /** Keys waiting for a delayed add. */
  get delayedCount(): number {
    return this.delayed.size;
  }

  /** True once `shutDown` was called. */
  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  private push(key: K, priority: Priority): void {
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      waiter(this.handOut(key));
      return;
    }
    this.waiting[priority].add(key);
    this.options.observer?.depth(this.length);
  }

  private pop(): K | undefined {
    for (const set of [this.waiting.requeued, this.waiting.high, this.waiting.low]) {
      const first = set.values().next();
      if (!first.done) {
        set.delete(first.value);
        this.options.observer?.depth(this.length);
        return first.value;
      }
    }
    return undefined;
  }

  private handOut(key: K): K {
    this.dirty.delete(key);
    this.processing.add(key);
    const since = this.queuedAt.get(key);
    this.queuedAt.delete(key);
    if (since !== undefined) this.options.observer?.latency((this.options.clock.now() - since) / 1000);
    return key;
  }
}
