/**
 * The manager wires one shared set of informers, a controller per registered kind, leader election and the
 * health/metrics server. Every process keeps its caches warm; only the leader runs reconcilers.
 */

import { type Clock, systemClock } from "../clock.js";
import { type Kind, parseResourceKey, type ResourceKey } from "../crds/meta.js";
import type { Logger } from "../log.js";
import { type ControllerMetrics, createMetrics } from "../metrics.js";
import type { ResourceStore } from "../store/types.js";
import { Controller } from "./controller.js";
import { type HealthServer, startHealthServer } from "./http-server.js";
import { InformerSet } from "./informer-set.js";
import { InvalidItems } from "./invalid-items.js";
import { LeaderElector } from "./leader.js";
import { type LeaderTask, LeaderTaskRunner } from "./leader-tasks.js";
import type { LeaseBackend } from "./lease-backend.js";
import type { FailureRateLimiterOptions } from "./rate-limit.js";
import type { KeyTrigger, KindReconciler } from "./reconciler.js";
import type { Tombstones } from "./tombstones.js";
import { Priority } from "./workqueue.js";

/** Runtime settings of a manager (durations in ms). */
export interface ManagerSettings {
  /** Workers per kind. */
  concurrency: number;
  resyncPeriodMs: number;
  /** Fraction of the resync period added at random (0.1 = up to 10%). */
  resyncJitter: number;
  reconcileTimeoutMs: number;
  shutdownTimeoutMs: number;
  leaseName: string;
  leaseDurationMs: number;
  leaseHeartbeatMs: number;
  /** How often a standby re-reads the lease; the heartbeat when omitted. */
  leaseRetryPeriodMs?: number;
  identity: string;
  rateLimits: FailureRateLimiterOptions;
  /** Where to serve /healthz, /readyz, /metrics; no server when omitted. */
  http?: { host: string; port: number };
  watchPollIntervalMs?: number;
}

/** What a manager is built from. */
export interface ManagerOptions {
  store: ResourceStore;
  leases: LeaseBackend;
  reconcilers: readonly KindReconciler[];
  /** Extra kinds to cache without reconciling them (e.g. referenced kinds). */
  cachedKinds?: readonly Kind[];
  settings: ManagerSettings;
  log: Logger;
  metrics?: ControllerMetrics;
  clock?: Clock;
  random?: () => number;
  /**
   * Where records that leave the table before their cleanup finished are kept (give the reconcilers
   * `tombstoneAwareStore` over the same registry); without it such a record is simply forgotten.
   */
  tombstones?: Tombstones;
  /** Periodic tasks that run only while leading (the orphan sweep). */
  leaderTasks?: readonly LeaderTask[];
  /** Records to queue when a record of another kind changes (see KeyTrigger). */
  triggers?: readonly KeyTrigger[];
}

/** Lifecycle of a manager. */
export const ManagerState = {
  New: "new",
  Running: "running",
  Stopping: "stopping",
  Stopped: "stopped",
} as const;

/** One of the ManagerState values. */
export type ManagerState = (typeof ManagerState)[keyof typeof ManagerState];

/** Runs informers, controllers, leader election and the HTTP server of one controller process. */
export class Manager {
  readonly metrics: ControllerMetrics;
  readonly informers: InformerSet;
  private readonly controllers = new Map<Kind, Controller>();
  private readonly elector: LeaderElector;
  private server: HealthServer | undefined;
  private state: ManagerState = ManagerState.New;
  private informersStarted: Promise<void> | undefined;
  /** Stops triggered by losing leadership, awaited on shutdown. */
  private readonly pendingStops = new Set<Promise<unknown>>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly leaderTasks: LeaderTaskRunner;

  constructor(private readonly options: ManagerOptions) {
    const { settings, store } = options;
    this.clock = options.clock ?? systemClock;
    this.log = options.log;
    this.metrics = options.metrics ?? createMetrics();
    const kinds = [
      ...new Set([
        ...options.reconcilers.map((r) => r.kind),
        ...(options.cachedKinds ?? []),
        ...(options.triggers ?? []).map((t) => t.kind),
      ]),
    ];
    // One reporter per process, so an invalid item the watch saw is not logged again by the pass that settles it.
    const invalidItems = new InvalidItems({ log: this.log, store, clock: this.clock });
    this.informers = new InformerSet({
      invalidItems,
      store,
      kinds,
      clock: this.clock,
      log: this.log,
      resyncPeriodMs: settings.resyncPeriodMs,
      resyncJitter: settings.resyncJitter,
      onWatchLag: (s) => this.metrics.watchLag.set(s),
      ...(settings.watchPollIntervalMs === undefined
        ? {}
        : { watchPollIntervalMs: settings.watchPollIntervalMs }),
      ...(options.random === undefined ? {} : { random: options.random }),
      onVanished: (last) => {
        if (!this.controllers.has(last.kind)) return;
        if (options.reconcilers.some((r) => r.kind === last.kind && r.leavesNothingBehind === true)) return;
        // A standby cannot tell the leader's own finishing of a deletion from a raw DeleteItem in the middle of
        // one; it keeps only records that were not being deleted (the leader, and the orphan sweep, do the rest).
        if (!this.isLeader && last.metadata.deletionTimestamp !== undefined) return;
        options.tombstones?.vanished(last);
      },
    });
    this.leaderTasks = new LeaderTaskRunner(options.leaderTasks ?? [], this.clock, this.log);
    for (const r of options.reconcilers) {
      if (this.controllers.has(r.kind)) throw new Error(`two reconcilers registered for kind ${r.kind}`);
      this.controllers.set(
        r.kind,
        new Controller({
          kind: r.kind,
          reconcile: r.reconcile,
          informer: this.informers.informer(r.kind),
          store,
          clock: this.clock,
          log: this.log,
          metrics: this.metrics,
          concurrency: settings.concurrency,
          reconcileTimeoutMs: settings.reconcileTimeoutMs,
          rateLimits: settings.rateLimits,
          invalidItems,
        }),
      );
    }
    for (const trigger of options.triggers ?? []) this.addTrigger(trigger);
    this.metrics.leader.set(0);
    this.elector = new LeaderElector({
      backend: options.leases,
      name: settings.leaseName,
      identity: settings.identity,
      leaseDurationMs: settings.leaseDurationMs,
      heartbeatMs: settings.leaseHeartbeatMs,
      ...(settings.leaseRetryPeriodMs === undefined ? {} : { retryPeriodMs: settings.leaseRetryPeriodMs }),
      clock: this.clock,
      log: this.log,
      onStartedLeading: () => this.startedLeading(),
      onStoppedLeading: () => this.stoppedLeading(),
    });
  }

  /** True while this process holds the lease. */
  get isLeader(): boolean {
    return this.elector.isLeader;
  }

  /** True once the watch runs and every kind has been listed. */
  get isReady(): boolean {
    return this.informers.hasSynced;
  }

  /** The lifecycle state. */
  get lifecycle(): ManagerState {
    return this.state;
  }

  /** The HTTP server's address, once started. */
  get httpAddress(): { host: string; port: number } | undefined {
    return this.server === undefined ? undefined : { host: this.server.host, port: this.server.port };
  }

  /** The controller of `kind`. */
  controller(kind: Kind): Controller {
    const c = this.controllers.get(kind);
    if (c === undefined) throw new Error(`no controller for kind ${kind}`);
    return c;
  }

  /** Starts the HTTP server, the informers (in the background) and leader election. */
  async start(): Promise<void> {
    if (this.state !== ManagerState.New) throw new Error(`manager cannot start from state ${this.state}`);
    this.state = ManagerState.Running;
    const http = this.options.settings.http;
    if (http !== undefined) {
      this.server = await startHealthServer({
        host: http.host,
        port: http.port,
        registry: this.metrics.registry,
        isReady: () => this.isReady,
        log: this.log,
      });
    }
    this.informersStarted = this.informers.start().then(() => {
      if (this.informers.hasSynced) this.log.info("caches synced");
    });
    this.elector.start();
  }

  /** Resolves once every cache has synced (or the manager stops first). */
  async waitForSync(): Promise<void> {
    await this.informersStarted;
  }

  /**
   * Graceful stop: take no new work, let passes in flight finish (up to the shutdown timeout, then abort
   * them), release the lease so a standby takes over at once, stop the watch, close the server.
   */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    if (this.state !== ManagerState.Running) return;
    this.state = ManagerState.Stopping;
    const timeout = this.options.settings.shutdownTimeoutMs;
    const reports = await Promise.all([...this.controllers.values()].map((c) => c.stop(timeout)));
    await Promise.all(this.pendingStops);
    await this.leaderTasks.stop();
    const aborted = reports.reduce((n, r) => n + r.aborted, 0);
    await this.stopReconcilers();
    await this.elector.stop({ release: options.release ?? true });
    this.metrics.leader.set(0);
    await this.informers.stop();
    await this.informersStarted;
    await this.server?.close();
    this.state = ManagerState.Stopped;
    this.log.info({ abortedPasses: aborted }, "controller stopped");
  }

  /** Queues the trigger's keys whenever a record of its kind changes (not on resync: every key gets that). */
  private addTrigger(trigger: KeyTrigger): void {
    const keysOf = (kind: Kind): readonly ResourceKey[] =>
      this.informers.has(kind) ? this.informers.informer(kind).keys() : [];
    this.informers.informer(trigger.kind).addHandler((key, priority) => {
      if (priority !== Priority.High) return;
      for (const target of trigger.keysFor(key, keysOf)) {
        this.controllers.get(parseResourceKey(target).kind)?.enqueue(target, Priority.High);
      }
    });
  }

  private startedLeading(): void {
    this.metrics.leader.set(1);
    if (this.state !== ManagerState.Running) return;
    for (const c of this.controllers.values()) c.start();
    this.leaderTasks.start();
  }

  private stoppedLeading(): void {
    this.metrics.leader.set(0);
    // Someone else may lead already: abort passes in flight at once.
    const stops: Promise<unknown>[] = [...this.controllers.values()].map((c) => c.stop(0));
    stops.push(this.leaderTasks.stop());
    // Then whatever the reconcilers keep running (sync engines) must not outlive the leadership.
    const stop = Promise.all(stops).then(() => this.stopReconcilers());
    this.pendingStops.add(stop);
    void stop.finally(() => this.pendingStops.delete(stop));
  }

  /** Calls every reconciler's stop hook; a failing hook is logged, never thrown (shutdown must go on). */
  private async stopReconcilers(): Promise<void> {
    await Promise.all(
      this.options.reconcilers.map(async (r) => {
        try {
          await r.stop?.();
        } catch (error) {
          this.log.error({ err: error, kind: r.kind }, "stopping the reconciler's background work failed");
        }
      }),
    );
  }
}
