/**
 * The catalog sync engine (DESIGN 6): one per CatalogSync. Without a lease it writes at once; with one it runs a
 * LeaderElector on `syncLeaseName(namespaceId)` and writes only while it holds the lease, starting a fresh term
 * (fresh reads, fresh grace) each time it takes it and ending the term's loops at once when it loses it.
 * `stop()` aborts every long poll and call in flight, waits for them, then releases the lease.
 */
import { LeaderElector } from "../runtime/leader.js";
import {
  DEFAULT_MIN_REPORT_INTERVAL_MS,
  DEFAULT_TUNING,
  type SyncEngineDeps,
  type SyncTuning,
} from "./deps.js";
import { SyncConfigError } from "./errors.js";
import { ReportThrottle } from "./report.js";
import { type RoundOutcome, SyncTerm } from "./term.js";
import type { SyncEngine, SyncEngineConfig, SyncReport } from "./types.js";

interface RunningTerm {
  stop: AbortController;
  done: Promise<void>;
}

class Engine implements SyncEngine {
  readonly #tuning: SyncTuning;
  readonly #throttle: ReportThrottle;
  #report: SyncReport = {
    writer: false,
    toCloudMap: [],
    toConsul: [],
    errors: {},
    writes: { toCloudMap: 0, toConsul: 0 },
  };
  #term: RunningTerm | undefined;
  #lastTerm: Promise<void> = Promise.resolve();
  #elector: LeaderElector | undefined;
  #started = false;
  #stopping: Promise<void> | undefined;

  constructor(
    private readonly config: SyncEngineConfig,
    private readonly deps: SyncEngineDeps,
  ) {
    this.#tuning = { ...DEFAULT_TUNING, ...deps.tuning };
    this.#throttle = new ReportThrottle(
      deps.clock,
      deps.minWriteIntervalMs ?? DEFAULT_MIN_REPORT_INTERVAL_MS,
      (report) => {
        try {
          deps.onReport?.(report);
        } catch (error) {
          deps.log.warn({ err: error }, "catalog sync: report callback failed");
        }
      },
    );
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const { lease, clock, log } = this.deps;
    if (lease === undefined) {
      this.#begin();
      return;
    }
    this.#elector = new LeaderElector({
      backend: lease.backend,
      name: lease.name,
      identity: lease.identity,
      leaseDurationMs: lease.durationMs,
      heartbeatMs: lease.heartbeatMs,
      clock,
      log,
      onStartedLeading: () => this.#begin(),
      onStoppedLeading: () => void this.#end(),
    });
    this.#elector.start();
    this.#publish();
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await this.#end();
      // A term that ended on a lost lease may still be settling its calls.
      await this.#lastTerm;
      // Workers first, then the release, so no write follows it.
      await this.#elector?.stop({ release: true });
      this.#publish();
      this.#throttle.flush();
    })();
    return this.#stopping;
  }

  report(): SyncReport {
    return structuredClone(this.#report);
  }

  #begin(): void {
    if (this.#term !== undefined || this.#stopping !== undefined) return;
    const stop = new AbortController();
    const term = new SyncTerm(this.config, this.deps, this.#tuning, (outcome) => this.#onRound(outcome));
    // A term lost and taken again quickly: the new one starts once the old one's calls have settled.
    const previous = this.#lastTerm;
    const done = previous.then(() => (stop.signal.aborted ? undefined : term.run(stop.signal)));
    this.#term = { stop, done };
    this.#lastTerm = done;
    this.#report = { ...this.#report, writer: true };
    this.deps.log.info({ namespaceId: this.config.cloudMapNamespace.id }, "catalog sync: writing");
    this.#publish();
  }

  async #end(): Promise<void> {
    const term = this.#term;
    if (term === undefined) return;
    this.#term = undefined;
    term.stop.abort();
    this.#report = { ...this.#report, writer: false };
    this.#publish();
    await term.done;
  }

  #onRound(outcome: RoundOutcome): void {
    const r = this.#report;
    const now = new Date(this.deps.clock.now()).toISOString();
    const errors = { ...r.errors };
    if (outcome.error === undefined) delete errors[outcome.direction];
    else errors[outcome.direction] = outcome.error;
    const lagMs = { ...r.lagMs };
    if (outcome.lagMs !== undefined) lagMs[outcome.direction] = outcome.lagMs;
    const skipped = { ...r.skipped };
    if (outcome.skipped > 0) skipped[outcome.direction] = outcome.skipped;
    else delete skipped[outcome.direction];
    const { skipped: _previous, ...rest } = r;
    const next: SyncReport = {
      ...rest,
      ...(Object.keys(skipped).length === 0 ? {} : { skipped }),
      errors,
      writes: { ...r.writes, [outcome.direction]: r.writes[outcome.direction] + outcome.written },
      ...(outcome.mirroredToCloudMap === undefined ? {} : { toCloudMap: outcome.mirroredToCloudMap }),
      ...(outcome.mirroredToConsul === undefined ? {} : { toConsul: outcome.mirroredToConsul }),
      ...(Object.keys(lagMs).length === 0 ? {} : { lagMs }),
    };
    if (outcome.complete) {
      if (outcome.direction === "toCloudMap") next.lastSyncToCloudMap = now;
      else next.lastSyncToConsul = now;
    }
    this.#report = next;
    this.#publish();
  }

  #publish(): void {
    this.#throttle.offer(this.report());
  }
}

/** Builds an engine; nothing runs before `start()`. SyncConfigError for settings that cannot work. */
export function createSyncEngine(config: SyncEngineConfig, deps: SyncEngineDeps): SyncEngine {
  if (!(config.pollIntervalMs > 0)) throw new SyncConfigError("pollIntervalMs must be positive");
  if (!(config.deleteGraceMs >= 0)) throw new SyncConfigError("deleteGraceMs must not be negative");
  const ttl = config.dnsTtlSeconds;
  if (ttl !== undefined && !(Number.isInteger(ttl) && ttl >= 0))
    throw new SyncConfigError("dnsTtlSeconds must be a non-negative integer");
  return new Engine(config, deps);
}
