/**
 * Informers: per kind, a cache filled by a list and kept current by the store's watch. Every change enqueues the
 * record's key (never the event); status-only changes update the cache without enqueueing. One shared watch
 * feeds every kind, because a stream shard allows only two readers.
 */
import { type Kind, type ResourceKey, resourceKey } from "../crds/meta.js";
import type { Logger } from "../log.js";
import type { ResourceStore, StoredResource, WatchEvent, WatchHandle } from "../store/types.js";
import { type Clock, sleep, type TimerHandle } from "./clock.js";
import { Priority } from "./workqueue.js";

/** Receives the keys an informer wants handled. */
export type KeyHandler = (key: ResourceKey, priority: Priority) => void;

/** Read access to one kind's cache, for reconcilers. */
export interface CacheReader {
  get(key: ResourceKey): StoredResource | undefined;
  list(): StoredResource[];
}

/** Compares decimal `resourceVersion`s; anything unparsable counts as newer so it is never dropped. */
export function isNewerVersion(candidate: string, current: string): boolean {
  const a = Number(candidate);
  const b = Number(current);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return candidate !== current;
  return a > b;
}

/** What a reconciler cares about in a record besides status; a change here is worth a pass. */
export function changeFingerprint(r: StoredResource): string {
  const m = r.metadata;
  return JSON.stringify([
    m.uid,
    r.specHash,
    m.generation,
    m.deletionTimestamp ?? null,
    m.finalizers,
    m.labels,
    m.annotations,
    m.ownerReferences,
  ]);
}

/**
 * True when the cache holds something later than `other`: a later version of the same incarnation (uid), or a
 * later incarnation (the record was deleted and created again; versions restart then).
 */
function isCachedNewer(cached: StoredResource, other: StoredResource): boolean {
  if (cached.metadata.uid !== other.metadata.uid) {
    return cached.metadata.creationTimestamp > other.metadata.creationTimestamp;
  }
  return isNewerVersion(cached.metadata.resourceVersion, other.metadata.resourceVersion);
}

/** True when `incoming` should replace `cached`. */
function isIncomingNewer(cached: StoredResource, incoming: StoredResource): boolean {
  if (cached.metadata.uid !== incoming.metadata.uid) {
    return incoming.metadata.creationTimestamp >= cached.metadata.creationTimestamp;
  }
  return isNewerVersion(incoming.metadata.resourceVersion, cached.metadata.resourceVersion);
}

function keyOf(r: StoredResource): ResourceKey {
  return resourceKey(r.kind, r.metadata.namespace, r.metadata.name);
}

/** The cache of one kind. */
export class Informer implements CacheReader {
  private readonly cache = new Map<ResourceKey, StoredResource>();
  private readonly handlers: KeyHandler[] = [];
  private synced = false;
  /** Keys an event touched while a list was running; the list must not overwrite or drop them. */
  private touched: Set<ResourceKey> | undefined;

  constructor(
    readonly kind: Kind,
    private readonly store: ResourceStore,
  ) {}

  /** Adds a receiver of keys. */
  addHandler(handler: KeyHandler): void {
    this.handlers.push(handler);
  }

  /** The cached record of `key`. */
  get(key: ResourceKey): StoredResource | undefined {
    return this.cache.get(key);
  }

  /** Every cached record. */
  list(): StoredResource[] {
    return [...this.cache.values()];
  }

  /** Every cached key. */
  keys(): ResourceKey[] {
    return [...this.cache.keys()];
  }

  /** True once the first list has completed. */
  get hasSynced(): boolean {
    return this.synced;
  }

  /** Applies one change from the watch. */
  applyEvent(event: WatchEvent): void {
    const key = keyOf(event.resource);
    this.touched?.add(key);
    const existing = this.cache.get(key);
    if (event.type === "deleted") {
      if (existing !== undefined && (existing.metadata.uid !== event.resource.metadata.uid || isCachedNewer(existing, event.resource))) {
        return; // the cache holds a later incarnation or version
      }
      this.cache.delete(key);
      this.emit(key, Priority.High);
      return;
    }
    if (existing !== undefined && !isIncomingNewer(existing, event.resource)) return; // stale or duplicate
    this.cache.set(key, event.resource);
    if (!event.statusOnly) this.emit(key, Priority.High);
  }

  /**
   * Lists the kind and merges it into the cache. New and changed records are enqueued at high priority;
   * unchanged ones at low priority (a relist after a gap doubles as a resync); vanished ones are dropped and
   * enqueued. Events that arrive during the list win over the listed copy.
   */
  async relist(): Promise<void> {
    const touched = new Set<ResourceKey>();
    this.touched = touched;
    try {
      const items = await this.store.list(this.kind);
      const listed = new Set<ResourceKey>();
      const first = !this.synced;
      for (const item of items) {
        const key = keyOf(item);
        listed.add(key);
        const existing = this.cache.get(key);
        if (existing !== undefined && isCachedNewer(existing, item)) {
          this.emit(key, Priority.Low); // an event already brought a later version
          continue;
        }
        this.cache.set(key, item);
        const changed = existing === undefined || changeFingerprint(existing) !== changeFingerprint(item);
        this.emit(key, first || changed ? Priority.High : Priority.Low);
      }
      for (const key of [...this.cache.keys()]) {
        if (listed.has(key) || touched.has(key)) continue;
        this.cache.delete(key);
        this.emit(key, Priority.High);
      }
      this.synced = true;
    } finally {
      if (this.touched === touched) this.touched = undefined;
    }
  }

  /** Enqueues every cached key at low priority (drift detection without a spec change). */
  resync(): void {
    for (const key of this.cache.keys()) this.emit(key, Priority.Low);
  }

  private emit(key: ResourceKey, priority: Priority): void {
    for (const h of this.handlers) h(key, priority);
  }
}

/** Settings of the shared informers. */
export interface InformerSetOptions {
  store: ResourceStore;
  kinds: readonly Kind[];
  clock: Clock;
  log: Logger;
  /** Period of the low-priority resync of every key (ms); 0 disables it. */
  resyncPeriodMs: number;
  /** Resync jitter as a fraction of the period (0.1 = up to 10% later). */
  resyncJitter: number;
  /** Poll interval handed to the store's watch (ms); the store's default when omitted. */
  watchPollIntervalMs?: number;
  /** Receives the age of each delivered change (seconds). */
  onWatchLag?: (seconds: number) => void;
  /** Randomness for jitter; replaceable in tests. */
  random?: () => number;
}

/** Informers for several kinds over one watch: start, relist on gaps, resync periodically, stop. */
export class InformerSet {
  private readonly informers = new Map<Kind, Informer>();
  private watch: WatchHandle | undefined;
  private resyncTimer: TimerHandle | undefined;
  private readonly stopController = new AbortController();
  private relisting: Promise<void> | undefined;
  private relistAgain = false;
  private watchStarted = false;

  constructor(private readonly options: InformerSetOptions) {
    for (const kind of options.kinds) this.informers.set(kind, new Informer(kind, options.store));
  }

  /** The informer of `kind`; throws for a kind this set was not built with. */
  informer(kind: Kind): Informer {
    const inf = this.informers.get(kind);
    if (inf === undefined) throw new Error(`no informer for kind ${kind}`);
    return inf;
  }

  /** True when the watch runs and every kind has completed a list. */
  get hasSynced(): boolean {
    return this.watchStarted && [...this.informers.values()].every((i) => i.hasSynced);
  }

  /** Starts the watch, then lists every kind (retrying with backoff until it works or `stop` is called). */
  async start(): Promise<void> {
    const signal = this.stopController.signal;
    await this.retry("start watch", async () => {
      this.watch = await this.options.store.watch(
        {
          onEvent: (event) => this.onEvent(event),
          onGap: (reason) => {
            this.options.log.warn({ reason }, "watch gap: relisting every kind");
            void this.requestRelist();
          },
          onError: (error) => this.options.log.warn({ err: error }, "watch error"),
        },
        {
          kinds: [...this.options.kinds],
          from: "latest",
          signal,
          ...(this.options.watchPollIntervalMs === undefined ? {} : { pollIntervalMs: this.options.watchPollIntervalMs }),
        },
      );
    });
    if (signal.aborted) return;
    this.watchStarted = true;
    this.options.log.info({ mode: this.watch?.mode }, "watch started");
    await this.requestRelist();
    this.scheduleResync();
  }

  /** Relists every kind; concurrent requests collapse into one more run after the current one. */
  requestRelist(): Promise<void> {
    if (this.relisting !== undefined) {
      this.relistAgain = true;
      return this.relisting;
    }
    this.relisting = (async () => {
      do {
        this.relistAgain = false;
        for (const inf of this.informers.values()) {
          await this.retry(`list ${inf.kind}`, () => inf.relist());
          if (this.stopController.signal.aborted) return;
        }
      } while (this.relistAgain);
    })().finally(() => {
      this.relisting = undefined;
    });
    return this.relisting;
  }

  /** Stops the watch and the resync timer. */
  async stop(): Promise<void> {
    this.stopController.abort(new Error("informers stopped"));
    this.resyncTimer?.cancel();
    const watch = this.watch;
    this.watch = undefined;
    await watch?.stop();
  }

  private onEvent(event: WatchEvent): void {
    const inf = this.informers.get(event.kind);
    if (inf === undefined) return;
    inf.applyEvent(event);
    this.options.onWatchLag?.(Math.max(0, (this.options.clock.now() - event.approximateCreationTime) / 1000));
  }

  private scheduleResync(): void {
    const { resyncPeriodMs, resyncJitter } = this.options;
    if (resyncPeriodMs <= 0 || this.stopController.signal.aborted) return;
    const random = this.options.random ?? Math.random;
    const delay = Math.round(resyncPeriodMs * (1 + resyncJitter * random()));
    this.resyncTimer = this.options.clock.setTimer(() => {
      for (const inf of this.informers.values()) inf.resync();
      this.scheduleResync();
    }, delay);
  }

  /** Runs `action` until it succeeds or the set stops; waits 0.5 s doubling to 30 s between tries. */
  private async retry(what: string, action: () => Promise<void>): Promise<void> {
    const signal = this.stopController.signal;
    let delay = 500;
    while (!signal.aborted) {
      try {
        await action();
        return;
      } catch (error) {
        if (signal.aborted) return;
        this.options.log.warn({ err: error, retryInMs: delay }, `${what} failed`);
        await sleep(this.options.clock, delay, signal).catch(() => undefined);
        delay = Math.min(30_000, delay * 2);
      }
    }
  }
}
