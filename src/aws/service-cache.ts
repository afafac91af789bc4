/**
 * Per-cluster cache of ECS service observations. A stale read refreshes the names asked for plus every name the
 * cache knows in that cluster that is older than the steady-state age (`alongAgeMs`), in DescribeServices batches
 * of at most 10, so a resync of N services costs about N/10 calls; the last batch is topped up with the oldest
 * other names, which costs nothing. A fresh read (max age 0, as a rollout's) does not drag every name along: that
 * made rollouts cost N²/10 calls. One refresh per cluster is in flight at a time: reads it covers share it, other
 * reads queue into a single follow-up refresh that starts when it ends.
 */
import type { Clock } from "../clock.js";
import type { EcsService } from "./types.js";

/** DescribeServices takes at most this many names. */
export const DESCRIBE_SERVICES_BATCH = 10;

/** What one name's describe gave: the service (undefined when MISSING or INACTIVE) or an error. */
export type ServiceObservation = { service: EcsService | undefined } | { error: unknown };

/** Describes up to {@link DESCRIBE_SERVICES_BATCH} names of one cluster; rejects when the call fails. */
export type DescribeServicesBatch = (
  cluster: string,
  names: string[],
) => Promise<Map<string, ServiceObservation>>;

interface Entry {
  service: EcsService | undefined;
  /** Clock time of the observation; undefined for a name known but never observed. */
  at: number | undefined;
  /** Bumped on every store, so a refresh never overwrites a newer write that landed while it was in flight. */
  version: number;
}

interface Refresh {
  names: ReadonlySet<string>;
  results: Promise<Map<string, ServiceObservation>>;
}

interface FollowUp {
  names: Set<string>;
  maxAgeMs: number;
  results: Promise<Map<string, ServiceObservation>>;
}

interface ClusterState {
  entries: Map<string, Entry>;
  inflight: Refresh | undefined;
  next: FollowUp | undefined;
}

/** Names older than this come along with any refresh unless the cache is told otherwise (the controller's default). */
export const DEFAULT_ALONG_AGE_MS = 60_000;

/** The cache; `describe` is the only way reads reach ECS. */
export class ServiceCache {
  private readonly clusters = new Map<string, ClusterState>();
  private version = 0;

  constructor(
    private readonly clock: Clock,
    private readonly describe: DescribeServicesBatch,
    private readonly alongAgeMs: number = DEFAULT_ALONG_AGE_MS,
  ) {}

  /** The service, from the cache when its observation is younger than `maxAgeMs`, else after a refresh. */
  async read(
    cluster: string,
    name: string,
    maxAgeMs: number,
    signal?: AbortSignal,
  ): Promise<EcsService | undefined> {
    if (signal?.aborted) throw signal.reason;
    const state = this.state(cluster);
    const entry = state.entries.get(name);
    if (entry === undefined) state.entries.set(name, { service: undefined, at: undefined, version: 0 });
    else if (entry.at !== undefined && this.clock.now() - entry.at < maxAgeMs) return entry.service;
    const results = await whileNotAborted(this.refreshCovering(state, cluster, name, maxAgeMs), signal);
    const observation = results.get(name);
    if (observation !== undefined && "error" in observation) throw observation.error;
    // A write that landed after the refresh was sent is newer than what the refresh saw.
    const current = state.entries.get(name);
    if (current?.at !== undefined) return current.service;
    return observation?.service;
  }

  /** Records what a create, update or delete returned (INACTIVE counts as gone). */
  store(cluster: string, name: string, service: EcsService | undefined): void {
    this.version += 1;
    this.state(cluster).entries.set(name, {
      service: service?.status === "INACTIVE" ? undefined : service,
      at: this.clock.now(),
      version: this.version,
    });
  }

  /** Drops the name: it is no longer refreshed with its cluster. */
  forget(cluster: string, name: string): void {
    this.clusters.get(cluster)?.entries.delete(name);
  }

  private state(cluster: string): ClusterState {
    let state = this.clusters.get(cluster);
    if (state === undefined) {
      state = { entries: new Map(), inflight: undefined, next: undefined };
      this.clusters.set(cluster, state);
    }
    return state;
  }

  /** The refresh whose results will include `name`: the one in flight, the queued follow-up, or a new one. */
  private refreshCovering(
    state: ClusterState,
    cluster: string,
    name: string,
    maxAgeMs: number,
  ): Promise<Map<string, ServiceObservation>> {
    if (state.inflight?.names.has(name)) return state.inflight.results;
    if (state.inflight === undefined && state.next === undefined)
      return this.start(state, cluster, new Set([name]), maxAgeMs).results;
    let next = state.next;
    if (next === undefined) {
      const settled = state.inflight?.results.then(() => undefined) ?? Promise.resolve();
      const followUp: FollowUp = {
        names: new Set(),
        maxAgeMs,
        results: settled.then(() => {
          if (state.next === followUp) state.next = undefined;
          return this.start(state, cluster, followUp.names, followUp.maxAgeMs).results;
        }),
      };
      state.next = next = followUp;
    }
    next.names.add(name);
    next.maxAgeMs = Math.min(next.maxAgeMs, maxAgeMs);
    return next.results;
  }

  /**
   * Describes `requested`, every known name older than both `maxAgeMs` and the along age, and as many of the
   * oldest other names as fit in the last batch, in concurrent batches of 10.
   */
  private start(state: ClusterState, cluster: string, requested: Set<string>, maxAgeMs: number): Refresh {
    const now = this.clock.now();
    const names = new Set(requested);
    const alongAge = Math.max(maxAgeMs, this.alongAgeMs);
    const others: Array<[string, number]> = [];
    for (const [known, entry] of state.entries) {
      if (names.has(known)) continue;
      if (entry.at === undefined || now - entry.at >= alongAge) names.add(known);
      else others.push([known, entry.at]);
    }
    const room = (DESCRIBE_SERVICES_BATCH - (names.size % DESCRIBE_SERVICES_BATCH)) % DESCRIBE_SERVICES_BATCH;
    if (room > 0) {
      others.sort((a, b) => a[1] - b[1]);
      for (const [known] of others.slice(0, room)) names.add(known);
    }
    const sentVersions = new Map([...names].map((n) => [n, state.entries.get(n)?.version]));
    const list = [...names];
    const batches: string[][] = [];
    for (let i = 0; i < list.length; i += DESCRIBE_SERVICES_BATCH)
      batches.push(list.slice(i, i + DESCRIBE_SERVICES_BATCH));
    const results = Promise.all(batches.map((batch) => this.runBatch(cluster, batch))).then((maps) => {
      const merged = new Map(maps.flatMap((m) => [...m]));
      this.apply(state, merged, sentVersions, now);
      return merged;
    });
    const refresh: Refresh = { names, results };
    state.inflight = refresh;
    void results.then(() => {
      if (state.inflight === refresh) state.inflight = undefined;
    });
    return refresh;
  }

  private async runBatch(cluster: string, batch: string[]): Promise<Map<string, ServiceObservation>> {
    try {
      const described = await this.describe(cluster, batch);
      return new Map(batch.map((n) => [n, described.get(n) ?? { service: undefined }]));
    } catch (error) {
      return new Map(batch.map((n) => [n, { error }]));
    }
  }

  private apply(
    state: ClusterState,
    results: Map<string, ServiceObservation>,
    sentVersions: Map<string, number | undefined>,
    sentAt: number,
  ): void {
    for (const [name, observation] of results) {
      if ("error" in observation) continue;
      const entry = state.entries.get(name);
      // Forgotten while in flight, or written since: the refresh's answer is not the latest word.
      if (entry === undefined || entry.version !== sentVersions.get(name)) continue;
      entry.service = observation.service?.status === "INACTIVE" ? undefined : observation.service;
      entry.at = sentAt;
    }
  }
}

/** `promise`, or the signal's reason as soon as it aborts (the shared work itself goes on). */
export function whileNotAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
