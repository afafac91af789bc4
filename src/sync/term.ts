/**
 * One writing term of the engine (from taking the lease to losing it, or the whole run without a lease): the
 * Consul watch, the Cloud Map view, the Consul side and the worker loop that serialises every Cloud Map poll
 * and both directions' rounds, so plans never race the writes of another round. Consul changes wake the worker.
 */
import type { Logger } from "../log.js";
import { applyToCloudMap } from "./apply-cloud-map.js";
import { CloudMapView } from "./cloud-map-view.js";
import { ConsulNameGuard } from "./consul-names.js";
import { ConsulSide } from "./consul-side.js";
import { ConsulWatch } from "./consul-watch.js";
import { DEFAULT_DNS_TTL_SECONDS, type SyncEngineDeps, type SyncTuning } from "./deps.js";
import type { GraceState } from "./grace.js";
import { syncNodeName } from "./names.js";
import { backoffMs, describeFailure, WriteLimiter } from "./pacing.js";
import { isExported, planToCloudMap } from "./plan-to-cloud-map.js";
import { planToConsul, referencedCloudMapIds } from "./plan-to-consul.js";
import { mirroredToCloudMap, mirroredToConsul, ProblemLog, problemSummary } from "./report.js";
import type { MirroredToCloudMap, MirroredToConsul, SyncEngineConfig } from "./types.js";

/** What a finished round tells the engine (for its report). */
export interface RoundOutcome {
  direction: "toCloudMap" | "toConsul";
  written: number;
  /** The round's failure or problems (cleared by a clean round). */
  error?: string;
  /** Entries the round could not sync (each a problem: refused by the target's rules, not ours, ...). */
  skipped: number;
  /** True when a write or read failed: the round is retried after a backoff. */
  retry: boolean;
  /** True when the round completed (its reads were fresh and its writes went through). */
  complete: boolean;
  lagMs?: number;
  mirroredToCloudMap?: MirroredToCloudMap[];
  mirroredToConsul?: MirroredToConsul[];
}

interface DirectionState {
  dirty: boolean;
  failures: number;
  retryAt: number;
  grace: GraceState;
  graceAt: number | undefined;
}

const direction = (): DirectionState => ({
  dirty: true,
  failures: 0,
  retryAt: 0,
  grace: new Map(),
  graceAt: undefined,
});

/** Runs the engine's loops until its signal aborts. */
export class SyncTerm {
  readonly #watch: ConsulWatch;
  readonly #view: CloudMapView;
  readonly #consulSide: ConsulSide;
  readonly #consulNames: ConsulNameGuard;
  readonly #cloudMapLimiter: WriteLimiter;
  readonly #node: string;
  readonly #toCloudMap = direction();
  readonly #toConsul = direction();
  #wake: (() => void) | undefined;
  readonly #log: Logger;
  readonly #problemLog: ProblemLog;

  constructor(
    private readonly config: SyncEngineConfig,
    private readonly deps: SyncEngineDeps,
    private readonly tuning: SyncTuning,
    private readonly onRound: (outcome: RoundOutcome) => void,
  ) {
    const { clock, consul, cloudMap } = deps;
    this.#log = deps.log;
    this.#problemLog = new ProblemLog(deps.log);
    this.#node = syncNodeName(config.cloudMapNamespace.dnsName);
    this.#watch = new ConsulWatch({
      consul,
      clock,
      log: deps.log,
      waitMs: tuning.blockingWaitMs,
      maxPauseMs: tuning.maxBackoffMs,
      include: (name) => isExported(name, config.toCloudMap),
      onChange: () => this.#poke(this.#toCloudMap),
    });
    this.#view = new CloudMapView({
      cloudMap,
      clock,
      namespace: config.cloudMapNamespace,
      uid: config.owner.uid,
      toConsul: config.toConsul,
      followOwn: config.toCloudMap.enabled,
      resyncMs: tuning.resyncMs,
    });
    this.#consulSide = new ConsulSide({
      consul,
      clock,
      log: deps.log,
      node: this.#node,
      uid: config.owner.uid,
      resyncMs: tuning.resyncMs,
      limiter: new WriteLimiter(clock, tuning.consulWrites),
    });
    this.#consulNames = new ConsulNameGuard({
      consul,
      clock,
      node: this.#node,
      uid: config.owner.uid,
      resyncMs: tuning.resyncMs,
    });
    this.#cloudMapLimiter = new WriteLimiter(clock, tuning.cloudMapWrites);
  }

  /** Runs until `signal` aborts and every call in flight settled. */
  async run(signal: AbortSignal): Promise<void> {
    const loops = [this.#work(signal)];
    if (this.config.toCloudMap.enabled) loops.push(this.#watch.run(signal));
    const results = await Promise.allSettled(loops);
    for (const r of results)
      if (r.status === "rejected" && !signal.aborted)
        this.#log.error({ err: r.reason }, "catalog sync loop failed");
  }

  #poke(state: DirectionState): void {
    state.dirty = true;
    this.#wake?.();
  }

  async #work(signal: AbortSignal): Promise<void> {
    const { clock } = this.deps;
    let nextPollAt = clock.now();
    while (!signal.aborted) {
      try {
        if (clock.now() >= nextPollAt) {
          if (await this.#view.refresh(signal)) {
            this.#toCloudMap.dirty = true;
            this.#toConsul.dirty = true;
          }
          nextPollAt = clock.now() + this.config.pollIntervalMs;
          if (this.#consulSide.needsObserve(clock.now())) this.#toConsul.dirty = true;
          // The view's error belongs to whichever direction reads it: report it through the rounds.
          if (this.#view.error() !== undefined) this.#toConsul.dirty = true;
        }
        if (this.config.toCloudMap.enabled && this.#due(this.#toCloudMap))
          await this.#round(this.#toCloudMap, () => this.#roundToCloudMap(signal));
        if (this.config.toConsul.enabled && this.#due(this.#toConsul))
          await this.#round(this.#toConsul, () => this.#roundToConsul(signal));
      } catch (error) {
        if (signal.aborted) break;
        this.#log.error({ err: error }, "catalog sync: unexpected failure; retrying");
      }
      await this.#sleepUntil(this.#nextWake(nextPollAt), signal);
    }
  }

  #due(state: DirectionState): boolean {
    const now = this.deps.clock.now();
    if (now < state.retryAt) return false;
    return state.dirty || (state.graceAt !== undefined && now >= state.graceAt);
  }

  #nextWake(nextPollAt: number): number {
    let at = nextPollAt;
    const enabled = [
      ...(this.config.toCloudMap.enabled ? [this.#toCloudMap] : []),
      ...(this.config.toConsul.enabled ? [this.#toConsul] : []),
    ];
    for (const state of enabled) {
      if (state.dirty) at = Math.min(at, state.retryAt);
      if (state.graceAt !== undefined) at = Math.min(at, Math.max(state.graceAt, state.retryAt));
    }
    return at;
  }

  #sleepUntil(at: number, signal: AbortSignal): Promise<void> {
    const { clock } = this.deps;
    if (signal.aborted || this.#anyReady()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        timer.cancel();
        this.#wake = undefined;
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = clock.setTimer(done, Math.max(0, at - clock.now()));
      this.#wake = done;
      signal.addEventListener("abort", done, { once: true });
    });
  }

  #anyReady(): boolean {
    return (
      (this.config.toCloudMap.enabled && this.#due(this.#toCloudMap)) ||
      (this.config.toConsul.enabled && this.#due(this.#toConsul))
    );
  }

  async #round(state: DirectionState, round: () => Promise<RoundOutcome>): Promise<void> {
    state.dirty = false;
    const outcome = await round();
    if (outcome.retry) {
      state.failures += 1;
      state.dirty = true;
      state.retryAt = this.deps.clock.now() + backoffMs(state.failures, this.tuning.maxBackoffMs);
    } else state.failures = 0;
    this.onRound(outcome);
  }

  async #roundToCloudMap(signal: AbortSignal): Promise<RoundOutcome> {
    const { config, deps } = this;
    const since = this.#watch.takeChangeSince();
    const consul = this.#watch.snapshot();
    const plan = planToCloudMap({
      owner: config.owner,
      namespaceId: config.cloudMapNamespace.id,
      settings: config.toCloudMap,
      ttl: config.dnsTtlSeconds ?? DEFAULT_DNS_TTL_SECONDS,
      cloudMap: this.#view.snapshot(),
      consul,
      grace: this.#toCloudMap.grace,
      now: deps.clock.now(),
      graceMs: config.deleteGraceMs,
    });
    this.#toCloudMap.grace = plan.grace;
    this.#toCloudMap.graceAt = plan.nextGraceAt;
    const context = {
      cloudMap: deps.cloudMap,
      view: this.#view,
      limiter: this.#cloudMapLimiter,
      uid: config.owner.uid,
      log: deps.log,
    };
    const applied = await applyToCloudMap(plan.writes, context, signal);
    if (applied.created) this.#toCloudMap.dirty = true;
    if (applied.error !== undefined) this.#watch.restoreChangeSince(since);
    const readError = this.#watch.error() ?? this.#view.error();
    const problems = [...plan.problems, ...applied.problems];
    return this.#outcome("toCloudMap", applied, readError, problems, since, {
      complete: this.#view.known && consul.listKnown,
      mirroredToCloudMap: mirroredToCloudMap(
        config.owner.uid,
        config.toCloudMap,
        this.#view.snapshot(),
        this.#watch.snapshot(),
      ),
    });
  }

  async #roundToConsul(signal: AbortSignal): Promise<RoundOutcome> {
    const { config, deps } = this;
    if (this.#consulSide.needsObserve(deps.clock.now())) {
      try {
        await this.#consulSide.observe(signal);
      } catch (error) {
        if (signal.aborted) throw error;
        return {
          direction: "toConsul",
          written: 0,
          skipped: 0,
          retry: true,
          complete: false,
          error: describeFailure(error),
        };
      }
    }
    await this.#view.confirmReferenced(referencedCloudMapIds(this.#consulSide.registrations()), signal);
    const since = this.#view.takeChangeSince();
    const cloudMap = this.#view.snapshot();
    // Before anything is registered under a FargateService's Consul name: who else has instances there.
    const registered = this.#consulSide.registrations();
    const names = await this.#consulNames.check(cloudMap, config.toConsul, registered, signal);
    const plan = planToConsul({
      owner: config.owner,
      dnsName: config.cloudMapNamespace.dnsName,
      settings: config.toConsul,
      node: this.#node,
      cloudMap,
      registrations: registered,
      ...this.#consulSide.othersOnNode(),
      consulNames: names.verdicts,
      grace: this.#toConsul.grace,
      now: deps.clock.now(),
      graceMs: config.deleteGraceMs,
    });
    this.#toConsul.grace = plan.grace;
    this.#toConsul.graceAt = plan.nextGraceAt;
    const written = await this.#consulSide.apply(plan.writes, signal);
    // A name that could not be read is retried like a failed write (it holds back that service's mirror).
    const applied =
      written.error === undefined && names.error !== undefined ? { ...written, error: names.error } : written;
    if (applied.error !== undefined) this.#view.restoreChangeSince(since);
    const registrations = this.#consulSide.registrations();
    const problems = [...plan.problems, ...applied.problems];
    const refused = names.verdicts.refused;
    return this.#outcome("toConsul", applied, this.#view.error(), problems, since, {
      complete: cloudMap.known,
      ...(registrations === undefined
        ? {}
        : {
            mirroredToConsul: mirroredToConsul(
              config.owner.uid,
              config.toConsul,
              cloudMap,
              registrations,
              refused,
            ),
          }),
    });
  }

  #outcome(
    direction: RoundOutcome["direction"],
    applied: { written: number; error?: string },
    readError: string | undefined,
    problems: readonly string[],
    since: number | undefined,
    extra: Pick<RoundOutcome, "complete" | "mirroredToCloudMap" | "mirroredToConsul">,
  ): RoundOutcome {
    const retry = applied.error !== undefined;
    this.#problemLog.note(direction, problems);
    const error = applied.error ?? readError ?? problemSummary(problems);
    const lagMs = applied.written > 0 && since !== undefined ? this.deps.clock.now() - since : undefined;
    return {
      ...extra,
      direction,
      written: applied.written,
      skipped: problems.length,
      retry,
      complete: extra.complete && !retry && readError === undefined,
      ...(error === undefined ? {} : { error }),
      ...(lagMs === undefined ? {} : { lagMs }),
    };
  }
}
