/**
 * An informer: one kind's cache, filled by a list and kept current by the store's watch. Every change enqueues
 * the record's key (never the event); status-only changes update the cache without enqueueing. The watch is
 * shared by every kind (informer-set.ts), because a stream shard allows only two readers.
 */
import { type Kind, type ResourceKey, resourceKey } from "../crds/meta.js";
import { InvalidItemError, NotFoundError } from "../store/errors.js";
import type { InvalidItem, ResourceStore, StoredResource, WatchEvent } from "../store/types.js";
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
  /** Keys holding an invalid item (see invalid-items.ts): queued like records, never dropped as deleted. */
  private readonly invalid = new Set<ResourceKey>();

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

  /** Every cached key, and every key holding an invalid item. */
  keys(): ResourceKey[] {
    return [...new Set([...this.cache.keys(), ...this.invalid])];
  }

  /**
   * Records that `key` holds an invalid item (enqueued when `changed`, so the leader's pass reports it), or,
   * on `removed`, that it no longer does: a record cached from before it turned invalid is then deleted.
   */
  setInvalid(key: ResourceKey, change: "present" | "removed", changed: boolean, at: number): void {
    if (change === "present") {
      this.invalid.add(key);
      this.touched?.add(key);
      if (changed) this.emit(key, Priority.High);
      return;
    }
    if (!this.invalid.delete(key)) return;
    const cached = this.cache.get(key);
    if (cached === undefined) return;
    this.applyEvent({
      type: "deleted",
      kind: this.kind,
      resource: cached,
      old: cached,
      statusOnly: false,
      approximateCreationTime: at,
    });
  }

  /** True once the first list has completed. */
  get hasSynced(): boolean {
    return this.synced;
  }

  /** Applies one change from the watch. */
  applyEvent(event: WatchEvent): void {
    const key = keyOf(event.resource);
    this.touched?.add(key);
    this.invalid.delete(key); // a record (or its deletion) came after any invalid item there
    const existing = this.cache.get(key);
    if (event.type === "deleted") {
      if (
        existing !== undefined &&
        (existing.metadata.uid !== event.resource.metadata.uid || isCachedNewer(existing, event.resource))
      ) {
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
  async relist(onInvalidItem?: (item: InvalidItem) => void): Promise<void> {
    const touched = new Set<ResourceKey>();
    this.touched = touched;
    try {
      const items = await this.store.list(this.kind, {
        onInvalidItem: (item) => {
          if (item.kind === this.kind && item.addressable)
            this.invalid.add(resourceKey(item.kind, item.pk, item.name));
          onInvalidItem?.(item);
        },
      });
      // Keys holding invalid items are there, not vanished: never dropped as deleted. (An item filed under this
      // kind whose `kind` attribute says otherwise is not in this kind's index; the stream reported it.)
      const listed = new Set<ResourceKey>(this.invalid);
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
        if (await this.stillThere(key, onInvalidItem)) continue;
        if (touched.has(key)) continue; // an event came while reading it
        this.cache.delete(key);
        this.emit(key, Priority.High);
      }
      this.synced = true;
    } finally {
      if (this.touched === touched) this.touched = undefined;
    }
  }

  /**
   * Reads a cached record the list did not show: the kind's index may not have it yet, or no longer (its `kind`
   * attribute changed, so it is an invalid item now). Only an absent item makes it a deletion.
   */
  private async stillThere(key: ResourceKey, onInvalidItem?: (item: InvalidItem) => void): Promise<boolean> {
    const cached = this.cache.get(key);
    if (cached === undefined) return true;
    try {
      await this.store.get(this.kind, cached.metadata.namespace, cached.metadata.name);
      return true; // the next list or event brings it; keep the cached copy meanwhile
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      if (!(error instanceof InvalidItemError)) throw error;
      this.invalid.add(key);
      onInvalidItem?.(error.item);
      return true;
    }
  }

  /** Enqueues every cached key (and invalid item) at low priority (drift detection without a spec change). */
  resync(): void {
    for (const key of this.keys()) this.emit(key, Priority.Low);
  }

  private emit(key: ResourceKey, priority: Priority): void {
    for (const h of this.handlers) h(key, priority);
  }
}
