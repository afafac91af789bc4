/**
 * One kind's controller: while leading, N workers take keys from a work queue and run the kind's reconciler,
 * then requeue by the outcome (done, requeueAfter, conflict, temporary or permanent error). A throwing
 * reconciler never takes the process down.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { type Clock, sleep } from "../clock.js";
import { type Kind, type ResourceKey, resourceKey } from "../crds/meta.js";
import type { Logger } from "../log.js";
import { type ControllerMetrics, ReconcileOutcome } from "../metrics.js";
import { ConflictError, InvalidError, InvalidItemError } from "../store/errors.js";
import type { ResourceStore, StoredResource } from "../store/types.js";
import { CreationTimestamps } from "./creation-timestamps.js";
import { PermanentError, ReconcileTimeoutError, TemporaryError } from "./errors.js";
import type { Informer } from "./informer.js";
import { InvalidItems } from "./invalid-items.js";
import { PermanentFailures } from "./permanent-failures.js";
import { FailureRateLimiter, type FailureRateLimiterOptions } from "./rate-limit.js";
import type { ReconcileFunction } from "./reconciler.js";
import type { ReconcileResult } from "./result.js";
import { Priority, WorkQueue } from "./workqueue.js";

/** Settings of one kind's controller. */
export interface ControllerOptions {
  kind: Kind;
  reconcile: ReconcileFunction;
  informer: Informer;
  store: ResourceStore;
  clock: Clock;
  log: Logger;
  metrics?: ControllerMetrics;
  /** Workers, i.e. passes of different keys at once. */
  concurrency: number;
  /** Each pass's timeout (ms), delivered through its AbortSignal. */
  reconcileTimeoutMs: number;
  rateLimits: FailureRateLimiterOptions;
  /** Immediate retries after store conflicts in a row before falling back to backoff. */
  maxConflictRetries?: number;
  /** Keys to queue on start besides the cached ones (records awaiting cleanup after they left the table). */
  extraKeys?: () => readonly ResourceKey[];
  /** The process's reporter of invalid items (one of its own when omitted). */
  invalidItems?: InvalidItems;
}

/** How a stop went. */
export interface StopReport {
  /** Passes still running when the timeout ran out (they were aborted). */
  aborted: number;
}

interface Term {
  queue: WorkQueue<ResourceKey>;
  controller: AbortController;
  workers: Promise<void>[];
  inFlight: Set<Promise<void>>;
}

/**
 * A pass's signal: aborts with the reason of `stop` or `timeout`, whichever aborts first. Not AbortSignal.any:
 * Node 20 keeps every AbortSignal.any result in its long-lived source's set of dependants for as long as that
 * source lives (about 1 KB per pass for a whole leader term); `release` detaches this one from `stop`.
 */
function passSignal(stop: AbortSignal, timeout: AbortSignal): { signal: AbortSignal; release: () => void } {
  const pass = new AbortController();
  if (stop.aborted) {
    pass.abort(stop.reason);
    return { signal: pass.signal, release: () => undefined };
  }
  const onStop = (): void => pass.abort(stop.reason);
  const onTimeout = (): void => pass.abort(timeout.reason);
  stop.addEventListener("abort", onStop, { once: true });
  timeout.addEventListener("abort", onTimeout, { once: true });
  return {
    signal: pass.signal,
    release: () => {
      stop.removeEventListener("abort", onStop);
      timeout.removeEventListener("abort", onTimeout);
    },
  };
}

/** The per-kind runtime. Informers always feed it; keys are dropped while it is not leading. */
export class Controller {
  private term: Term | undefined;
  /** Set while a stop waits for aborted passes; a start waits for it so no key runs twice. */
  private stopping: Promise<StopReport> | undefined;
  private wanted = false;
  private readonly permanentFailures: PermanentFailures;
  private readonly conflicts = new Map<ResourceKey, number>();
  private readonly log: Logger;
  /** Shared across terms so backoff and the bucket survive a leadership change. */
  private readonly rateLimiter: FailureRateLimiter<ResourceKey>;
  /** Followed while standing by too, so a new leader still knows what a put-item dropped. */
  private readonly creationTimestamps = new CreationTimestamps();
  private readonly invalidItems: InvalidItems;

  constructor(private readonly options: ControllerOptions) {
    this.log = options.log.child({ kind: options.kind });
    this.rateLimiter = new FailureRateLimiter<ResourceKey>(options.rateLimits, options.clock);
    this.permanentFailures = new PermanentFailures(options.store, options.clock);
    this.invalidItems =
      options.invalidItems ??
      new InvalidItems({ log: options.log, store: options.store, clock: options.clock });
    options.informer.addHandler((key, priority) => {
      this.creationTimestamps.observe(key, options.informer.get(key));
      this.enqueue(key, priority);
    });
  }

  /** The kind this controller reconciles. */
  get kind(): Kind {
    return this.options.kind;
  }

  /** True while workers run. */
  get running(): boolean {
    return this.term !== undefined;
  }

  /** The current queue (while running), for tests and metrics. */
  get queue(): WorkQueue<ResourceKey> | undefined {
    return this.term?.queue;
  }

  /** Queues `key` while running; a no-op otherwise (a standby keeps only its cache). */
  enqueue(key: ResourceKey, priority: Priority = Priority.High): void {
    this.term?.queue.add(key, priority);
  }

  /** Starts the workers on a fresh queue holding every cached key (after a stop in progress completes). */
  start(): void {
    this.wanted = true;
    if (this.stopping !== undefined) {
      void this.stopping.then(() => {
        if (this.wanted) this.start();
      });
      return;
    }
    if (this.term !== undefined) return;
    const kind = this.options.kind;
    const metrics = this.options.metrics;
    const queue = new WorkQueue<ResourceKey>({
      clock: this.options.clock,
      rateLimiter: this.rateLimiter,
      ...(metrics === undefined
        ? {}
        : {
            observer: {
              depth: (n) => metrics.workqueueDepth.set({ kind }, n),
              latency: (s) => metrics.workqueueLatency.observe({ kind }, s),
            },
          }),
    });
    const term: Term = { queue, controller: new AbortController(), workers: [], inFlight: new Set() };
    this.term = term;
    for (const key of this.options.informer.keys()) queue.add(key, Priority.High);
    for (const key of this.options.extraKeys?.() ?? []) queue.add(key, Priority.High);
    for (let i = 0; i < this.options.concurrency; i++) term.workers.push(this.worker(term));
    this.log.info({ workers: this.options.concurrency, queued: queue.length }, "workers started");
  }

  /**
   * Stops taking work and waits up to `timeoutMs` for passes in flight; then aborts the rest and waits for
   * them to settle (reconcilers honour their signal).
   */
  async stop(timeoutMs: number): Promise<StopReport> {
    this.wanted = false;
    const term = this.term;
    if (term === undefined) return (await this.stopping) ?? { aborted: 0 };
    this.term = undefined;
    const stopping = this.drain(term, timeoutMs);
    this.stopping = stopping;
    try {
      return await stopping;
    } finally {
      if (this.stopping === stopping) this.stopping = undefined;
    }
  }

  private async drain(term: Term, timeoutMs: number): Promise<StopReport> {
    term.queue.shutDown();
    const all = Promise.all(term.workers).then(() => true);
    const timer = new AbortController();
    const finished = await Promise.race([
      all,
      sleep(this.options.clock, timeoutMs, timer.signal).then(
        () => false,
        () => false,
      ),
    ]);
    timer.abort();
    const aborted = finished ? 0 : term.inFlight.size;
    if (!finished) {
      this.log.warn({ inFlight: aborted }, "passes still running after the shutdown timeout: aborting them");
      term.controller.abort(new Error("controller stopped"));
      await all;
    }
    this.log.info("workers stopped");
    return { aborted };
  }

  private async worker(term: Term): Promise<void> {
    for (;;) {
      const key = await term.queue.get();
      if (key === undefined) return;
      const pass = this.process(term, key)
        .catch((error: unknown) => {
          // process() handles reconciler failures itself; this is a last line of defence for the worker loop.
          this.log.error({ err: error, resource: key }, "unexpected failure in the worker");
        })
        .finally(() => term.queue.done(key));
      term.inFlight.add(pass);
      await pass;
      term.inFlight.delete(pass);
    }
  }

  private async process(term: Term, key: ResourceKey): Promise<void> {
    const { queue } = term;
    const reconcileId = randomBytes(6).toString("hex");
    const log = this.log.child({ resource: key, reconcileId });
    const record = this.options.informer.get(key);

    if (this.permanentFailures.shouldSkip(key, record)) {
      this.count(ReconcileOutcome.Skipped);
      log.debug("skipped: failed permanently and the spec has not changed");
      return;
    }

    const timeout = new AbortController();
    const timeoutMs = this.options.reconcileTimeoutMs;
    const timer = this.options.clock.setTimer(
      () => timeout.abort(new ReconcileTimeoutError(timeoutMs)),
      timeoutMs,
    );
    const { signal, release } = passSignal(term.controller.signal, timeout.signal);
    const started = performance.now();
    log.debug({ retries: queue.retries(key) }, "reconcile start");
    let result: ReconcileResult | undefined;
    let failure: unknown;
    try {
      result = await Promise.resolve().then(() =>
        this.options.reconcile(key, signal, {
          log,
          reconcileId,
          cache: this.options.informer,
          retries: queue.retries(key),
          creationTimestamps: this.creationTimestamps,
        }),
      );
    } catch (error) {
      failure = error;
    } finally {
      timer.cancel();
      release();
      this.options.metrics?.reconcileDuration.observe(
        { kind: this.kind },
        (performance.now() - started) / 1000,
      );
    }

    if (term.controller.signal.aborted) {
      this.count(ReconcileOutcome.Aborted);
      log.info("pass aborted: controller stopping");
      return;
    }
    if (failure === undefined && result !== undefined) {
      this.conflicts.delete(key);
      this.invalidItems.passed(key);
      queue.forget(key);
      if (result.type === "requeueAfter") {
        this.count(ReconcileOutcome.Requeue);
        // Work the pass is following (a rollout, a deletion): resume it ahead of records not yet started.
        queue.addAfter(key, result.ms, Priority.Requeued);
        log.debug({ requeueAfterMs: result.ms }, "reconcile done, requeue requested");
      } else {
        this.count(ReconcileOutcome.Done);
        log.debug("reconcile done");
      }
      return;
    }
    await this.handleFailure(queue, key, record, failure, timeout.signal, log);
  }

  private async handleFailure(
    queue: WorkQueue<ResourceKey>,
    key: ResourceKey,
    record: StoredResource | undefined,
    failure: unknown,
    timeoutSignal: AbortSignal,
    log: Logger,
  ): Promise<void> {
    if (failure instanceof ConflictError) {
      const n = (this.conflicts.get(key) ?? 0) + 1;
      this.conflicts.set(key, n);
      this.count(ReconcileOutcome.Conflict);
      if (n <= (this.options.maxConflictRetries ?? 5)) {
        log.debug({ conflicts: n }, "store conflict (stale read): retrying at once");
        queue.add(key, Priority.High);
      } else {
        const delay = queue.addRateLimited(key);
        log.warn({ conflicts: n, retryInMs: delay }, "store conflicts keep happening: backing off");
      }
      return;
    }
    this.conflicts.delete(key);

    if (await this.handleInvalid(queue, key, failure, log)) return;

    if (failure instanceof PermanentError) {
      this.count(ReconcileOutcome.PermanentError);
      queue.forget(key);
      log.error(
        { err: failure, reason: failure.reason },
        "reconcile failed permanently: waiting for a spec change",
      );
      await this.recordPermanentFailure(queue, key, record, failure, log);
      return;
    }

    const timedOut = timeoutSignal.aborted;
    this.count(timedOut ? ReconcileOutcome.Timeout : ReconcileOutcome.TemporaryError);
    const minDelay = failure instanceof TemporaryError ? (failure.delayMs ?? 0) : 0;
    const delay = queue.addRateLimited(key, minDelay);
    const err = timedOut
      ? new ReconcileTimeoutError(this.options.reconcileTimeoutMs, { cause: failure })
      : failure;
    const level = failure instanceof TemporaryError || timedOut ? "warn" : "error";
    log[level]({ err, retryInMs: delay, retries: queue.retries(key) }, "reconcile failed: will retry");
  }

  /**
   * The store refused the key's item as invalid (InvalidItemError) or the request as one that can never succeed
   * (InvalidError: an unaddressable key, say): reported once, not retried until the item changes. True when
   * handled. An invalid item under another key (a referenced record) is reported and this key retried.
   */
  private async handleInvalid(
    queue: WorkQueue<ResourceKey>,
    key: ResourceKey,
    failure: unknown,
    log: Logger,
  ): Promise<boolean> {
    if (failure instanceof InvalidItemError) {
      if (resourceKey(failure.item.kind, failure.item.pk, failure.item.name) !== key) {
        this.invalidItems.note(failure.item);
        return false;
      }
      this.count(ReconcileOutcome.Skipped);
      queue.forget(key);
      await this.invalidItems.settle(failure.item);
      return true;
    }
    if (!(failure instanceof InvalidError)) return false;
    this.count(ReconcileOutcome.PermanentError);
    queue.forget(key);
    this.invalidItems.refused(key, failure, log);
    return true;
  }

  /** Writes the permanent failure onto the record's status; a conflict retries at once, other errors back off. */
  private async recordPermanentFailure(
    queue: WorkQueue<ResourceKey>,
    key: ResourceKey,
    record: StoredResource | undefined,
    failure: PermanentError,
    log: Logger,
  ): Promise<void> {
    if (record === undefined) return;
    try {
      await this.permanentFailures.record(key, record, failure);
    } catch (error) {
      if (error instanceof ConflictError) {
        queue.add(key, Priority.High);
        return;
      }
      if (await this.handleInvalid(queue, key, error, log)) return;
      const delay = queue.addRateLimited(key);
      log.warn({ err: error, retryInMs: delay }, "could not record the permanent failure on the status");
    }
  }

  private count(result: ReconcileOutcome): void {
    this.options.metrics?.reconcileTotal.inc({ kind: this.kind, result });
  }
}
