/**
 * The Consul side of Consul → Cloud Map: a blocking query on the service list and one on the health of each
 * included service (started and stopped as services come, go, or are filtered out). A failed query keeps the last
 * known answer and marks it stale, then retries with backoff from index 0, so the first answer after an outage
 * is fresh data rather than a wait for the next change. An answer that comes back early without a new index waits
 * before the next call (BlockingPace), so a Consul that does not block cannot turn a loop into a busy loop.
 */
import type { Clock } from "../clock.js";
import { BlockingPace, nextBlockingIndex } from "../consul/blocking-index.js";
import type { HealthServiceEntry } from "../consul/types.js";
import type { Logger } from "../log.js";
import type { SyncConsulClient } from "./deps.js";
import type { ConsulInstance, ConsulServiceState, ConsulSnapshot } from "./model.js";
import { backoffMs, describeFailure, pause } from "./pacing.js";

/** What the watch needs. */
export interface ConsulWatchOptions {
  consul: SyncConsulClient;
  clock: Clock;
  log: Logger;
  /** How long Consul may hold each blocking query. */
  waitMs: number;
  /** Whether a service name is watched at all. */
  include: (name: string) => boolean;
  /** Called after every change of the snapshot (or of an error). */
  onChange: () => void;
  /** Longest pause after early answers without a new index (default 30 s). */
  maxPauseMs?: number;
}

interface Watched {
  state: ConsulServiceState;
  error?: string;
  stop: AbortController;
}

function instancesOf(entries: readonly HealthServiceEntry[]): ConsulInstance[] {
  return entries
    .map((e) => ({
      node: e.node.name,
      nodeAddress: e.node.address,
      serviceId: e.service.id,
      address: e.service.address,
      port: e.service.port,
      meta: { ...e.service.meta },
      status: e.status,
    }))
    .sort((a, b) =>
      a.node === b.node ? a.serviceId.localeCompare(b.serviceId) : a.node.localeCompare(b.node),
    );
}

/** The Consul catalog as blocking queries see it. */
export class ConsulWatch {
  #listKnown = false;
  #listFresh = false;
  #listError: string | undefined;
  #names = new Set<string>();
  readonly #watched = new Map<string, Watched>();
  readonly #loops = new Set<Promise<void>>();
  #changedSince: number | undefined;

  constructor(private readonly options: ConsulWatchOptions) {}

  /** Runs until `signal` aborts; resolves once every query has settled. */
  async run(signal: AbortSignal): Promise<void> {
    await this.#listLoop(signal);
    while (this.#loops.size > 0) await Promise.allSettled([...this.#loops]);
  }

  /** The catalog as last seen. */
  snapshot(): ConsulSnapshot {
    const services = new Map<string, ConsulServiceState>();
    for (const [name, w] of this.#watched) services.set(name, { ...w.state });
    return { listKnown: this.#listKnown, listFresh: this.#listFresh, names: new Set(this.#names), services };
  }

  /** The first failing query's error, while it fails. */
  error(): string | undefined {
    if (this.#listError !== undefined) return this.#listError;
    for (const w of this.#watched.values()) if (w.error !== undefined) return w.error;
    return undefined;
  }

  /** When the oldest change not yet taken was seen; taking it starts a new count. */
  takeChangeSince(): number | undefined {
    const since = this.#changedSince;
    this.#changedSince = undefined;
    return since;
  }

  /** Gives back a taken change time (its round failed, so the change is still not applied). */
  restoreChangeSince(since: number | undefined): void {
    if (since !== undefined) this.#changedSince = Math.min(since, this.#changedSince ?? since);
  }

  #changed(): void {
    this.#changedSince ??= this.options.clock.now();
    this.options.onChange();
  }

  async #listLoop(signal: AbortSignal): Promise<void> {
    const { consul, waitMs } = this.options;
    const pace = this.#pace();
    let index = 0;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const sentAt = this.options.clock.now();
        const answer = await consul.listServices({ index, waitMs, signal });
        const pauseMs = pace.after(this.#answered(index, answer.index, sentAt));
        index = nextBlockingIndex(index, answer.index);
        failures = 0;
        const names = new Set(Object.keys(answer.value));
        const changed =
          !this.#listFresh || names.size !== this.#names.size || [...names].some((n) => !this.#names.has(n));
        this.#listKnown = true;
        this.#listFresh = true;
        this.#listError = undefined;
        this.#names = names;
        this.#reconcileWatches(signal);
        if (changed) this.#changed();
        if (pauseMs > 0) await pause(this.options.clock, pauseMs, signal);
      } catch (error) {
        if (signal.aborted) break;
        failures += 1;
        index = 0;
        this.#listFresh = false;
        this.#listError = describeFailure(error);
        this.options.log.warn({ err: error }, "catalog sync: Consul service list query failed");
        this.options.onChange();
        await pause(this.options.clock, backoffMs(failures), signal);
      }
    }
    for (const w of this.#watched.values()) w.stop.abort();
  }

  #pace(): BlockingPace {
    const { maxPauseMs } = this.options;
    return new BlockingPace(maxPauseMs === undefined ? {} : { maxMs: maxPauseMs });
  }

  #answered(sent: number, returned: number, sentAt: number) {
    return { sent, returned, heldMs: this.options.clock.now() - sentAt, waitMs: this.options.waitMs };
  }

  #reconcileWatches(signal: AbortSignal): void {
    for (const [name, w] of this.#watched) {
      if (this.#names.has(name) && this.options.include(name)) continue;
      w.stop.abort();
      this.#watched.delete(name);
    }
    for (const name of this.#names) {
      if (this.#watched.has(name) || !this.options.include(name)) continue;
      const stop = new AbortController();
      const w: Watched = { state: { known: false, fresh: false, instances: [] }, stop };
      this.#watched.set(name, w);
      const loop = this.#healthLoop(name, w, AbortSignal.any([signal, stop.signal]));
      this.#loops.add(loop);
      void loop.finally(() => this.#loops.delete(loop));
    }
  }

  async #healthLoop(name: string, w: Watched, signal: AbortSignal): Promise<void> {
    const { consul, waitMs } = this.options;
    const pace = this.#pace();
    let index = 0;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const sentAt = this.options.clock.now();
        const answer = await consul.healthService(name, { index, waitMs, signal });
        if (signal.aborted) break;
        const pauseMs = pace.after(this.#answered(index, answer.index, sentAt));
        index = nextBlockingIndex(index, answer.index);
        failures = 0;
        const instances = instancesOf(answer.value);
        const changed = !w.state.fresh || JSON.stringify(instances) !== JSON.stringify(w.state.instances);
        w.state = { known: true, fresh: true, instances };
        delete w.error;
        if (changed) this.#changed();
        if (pauseMs > 0) await pause(this.options.clock, pauseMs, signal);
      } catch (error) {
        if (signal.aborted) break;
        failures += 1;
        index = 0;
        w.state = { ...w.state, fresh: false };
        w.error = describeFailure(error);
        this.options.onChange();
        await pause(this.options.clock, backoffMs(failures), signal);
      }
    }
  }
}
