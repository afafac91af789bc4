/**
 * An informer: one kind's cache, filled by a list and kept current by the store's watch. Every change enqueues
 * the record's key (never the event); status-only changes update the cache without enqueueing. The watch is
 * shared by every kind (informer-set.ts), because a stream shard allows only two readers.
 *
 * Change detection is by content, never by `resourceVersion` alone (DESIGN §11 "The table is the API"): a
 * hand-written put-item reads as version "0" and a raw update-item leaves the version alone, yet both are
 * changes. DynamoDB Streams deliver one item's changes in order, so every event is applied; only a list can
 * race an event (the kind index is eventually consistent, and events arrive while a list runs).
 */
import { canonicalJson } from "../crds/hash.js";
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

/**
 * What a reconciler cares about in a record besides status; a change here is worth a pass. Not
 * `creationTimestamp`: the controller's own stamp of it must not cost a second pass, and a put-item that drops it
 * also drops the finalizer, which is here.
 */
export function changeFingerprint(r: StoredResource): string {
  const m = r.metadata;
  return JSON.stringify([
    m.uid,
    r.specHash,
    m.generation,
    m.deletionTimestamp ?? null,
    m.finalizers,
    canonicalJson(m.labels),
    canonicalJson(m.annotations),
    m.ownerReferences,
  ]);
}

/** True when two copies of a record hold the same incarnation (a delete and re-create starts a new one). */
function sameIncarnation(a: StoredResource, b: StoredResource): boolean {
  return a.metadata.uid === b.metadata.uid && a.metadata.creationTimestamp === b.metadata.creationTimestamp;
}

/** True when two copies of a record agree on everything, status and version included. */
function sameContent(a: StoredResource, b: StoredResource): boolean {
  return (
    a.metadata.resourceVersion === b.metadata.resourceVersion &&
    changeFingerprint(a) === changeFingerprint(b) &&
    canonicalJson(a.status ?? null) === canonicalJson(b.status ?? null)
  );
}

/** What a read of a key holding an invalid item gives (kept, never taken for a deletion). */
const INVALID = Symbol("invalid item");

function keyOf(r: StoredResource): ResourceKey {
  return resourceKey(r.kind, r.metadata.namespace, r.metadata.name);
}

/** The cache of one kind. */
export class Informer implements CacheReader {
  private readonly cache = new Map<ResourceKey, StoredResource>();
  private readonly handlers: KeyHandler[] = [];
  /** Hear of every change of the cache, status-only ones too (the status page); never enqueue anything. */
  private readonly cacheListeners = new Set<(key: ResourceKey) => void>();
  private synced = false;
  /** Keys an event touched while a list was running; the list must not overwrite or drop them. */
  private touched: Set<ResourceKey> | undefined;
  /** Keys an event set since the last list began: the next list may be older than them (index lag). */
  private fromEvents = new Set<ResourceKey>();
  /** Keys holding an invalid item (see invalid-items.ts): queued like records, never dropped as deleted. */
  private readonly invalid = new Set<ResourceKey>();

  /**
   * `onVanished` hears of every record that left the table (stream REMOVE with its old image, or gone from a
   * relist), with the last copy seen: the runtime's tombstones start its cleanup from there.
   */
  constructor(
    readonly kind: Kind,
    private readonly store: ResourceStore,
    private readonly onVanished?: (last: StoredResource) => void,
  ) {}

  /** Adds a receiver of keys. */
  addHandler(handler: KeyHandler): void {
    this.handlers.push(handler);
  }

  /** Adds a listener of every cache change (status-only too); returns its removal. Listeners must not throw. */
  onCacheChange(listener: (key: ResourceKey) => void): () => void {
    this.cacheListeners.add(listener);
    return () => this.cacheListeners.delete(listener);
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

  /**
   * Applies one change from the watch. Enqueues when the key is new, when its change fingerprint differs from
   * the cached copy's, or when the event's own old and new images differ beyond status.
   */
  applyEvent(event: WatchEvent): void {
    const key = keyOf(event.resource);
    this.touched?.add(key);
    this.fromEvents.add(key);
    this.invalid.delete(key); // a record (or its deletion) came after any invalid item there
    const existing = this.cache.get(key);
    if (event.type === "deleted") {
      // Only a list that ran ahead of the stream can hold a later incarnation; the stream's own order is kept.
      if (existing !== undefined && !sameIncarnation(existing, event.resource)) return;
      this.cache.delete(key);
      this.cacheChanged(key);
      this.onVanished?.(event.resource);
      this.emit(key, Priority.High);
      return;
    }
    this.cache.set(key, event.resource);
    this.cacheChanged(key);
    const changed =
      existing === undefined ||
      !event.statusOnly ||
      changeFingerprint(existing) !== changeFingerprint(event.resource);
    if (changed) this.emit(key, Priority.High);
  }

  /**
   * Lists the kind and merges it into the cache. New and changed records are enqueued at high priority;
   * unchanged ones at low priority (a relist after a gap doubles as a resync); vanished ones are dropped and
   * enqueued. Events that arrive during the list win over the listed copy; where the list disagrees with an
   * event delivered before it began (the list may lag the index, or the stream may have lost later changes), a
   * consistent read decides.
   */
  async relist(onInvalidItem?: (item: InvalidItem) => void): Promise<void> {
    const touched = new Set<ResourceKey>();
    this.touched = touched;
    const recent = this.fromEvents;
    this.fromEvents = new Set();
    let completed = false;
    try {
      const items = await this.store.list(this.kind, {
        onInvalidItem: (item) => {
          if (item.kind === this.kind && item.addressable)
            this.invalid.add(resourceKey(item.kind, item.pk, item.name));
          onInvalidItem?.(item);
        },
      });
      const listed = new Map<ResourceKey, StoredResource>(items.map((item) => [keyOf(item), item]));
      const read = await this.readDisputed(recent, listed, touched, onInvalidItem);
      // Cached keys the list did not show: the kind index may not list them yet, or no longer (their `kind`
      // changed), so only an absent item is a deletion. Read them all before changing the cache, so a relist's
      // outcome appears at once. Keys holding invalid items are there, not vanished.
      const missing = [...this.cache.keys()].filter(
        (key) => !listed.has(key) && !touched.has(key) && !this.invalid.has(key),
      );
      for (const key of missing) if (!read.has(key)) read.set(key, await this.readKey(key, onInvalidItem));
      const first = !this.synced;
      for (const [key, item] of listed) {
        if (touched.has(key)) {
          this.emit(key, Priority.Low); // an event during the list already brought this key's latest change
          continue;
        }
        const truth = read.has(key) ? read.get(key) : item;
        if (truth !== INVALID) this.merge(key, truth, first);
      }
      for (const key of missing) {
        const found = read.get(key);
        if (found === INVALID || touched.has(key)) continue;
        this.merge(key, found, first);
      }
      this.synced = true;
      completed = true;
    } finally {
      if (this.touched === touched) this.touched = undefined;
      if (!completed) for (const key of recent) this.fromEvents.add(key);
    }
  }

  /** Enqueues every cached key (and invalid item) at low priority (drift detection without a spec change). */
  resync(): void {
    for (const key of this.keys()) this.emit(key, Priority.Low);
  }

  /** Consistent reads of the keys where an earlier event and the list disagree (undefined: the record is gone). */
  private async readDisputed(
    recent: ReadonlySet<ResourceKey>,
    listed: ReadonlyMap<ResourceKey, StoredResource>,
    touched: ReadonlySet<ResourceKey>,
    onInvalidItem: ((item: InvalidItem) => void) | undefined,
  ): Promise<Map<ResourceKey, StoredResource | undefined | typeof INVALID>> {
    const read = new Map<ResourceKey, StoredResource | undefined | typeof INVALID>();
    for (const key of recent) {
      if (touched.has(key)) continue;
      const cached = this.cache.get(key);
      const item = listed.get(key);
      if (cached === undefined && item === undefined) continue;
      if (cached !== undefined && item !== undefined && sameContent(cached, item)) continue;
      read.set(key, await this.readKey(key, onInvalidItem, cached ?? item));
    }
    return read;
  }

  /** One consistent read of `key`: the record, undefined when gone, or INVALID when an invalid item holds it. */
  private async readKey(
    key: ResourceKey,
    onInvalidItem: ((item: InvalidItem) => void) | undefined,
    subject = this.cache.get(key),
  ): Promise<StoredResource | undefined | typeof INVALID> {
    if (subject === undefined) return undefined;
    try {
      return await this.store.get(this.kind, subject.metadata.namespace, subject.metadata.name);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      if (!(error instanceof InvalidItemError)) throw error;
      this.invalid.add(key);
      onInvalidItem?.(error.item);
      return INVALID;
    }
  }

  /** Puts what the list (or a consistent read) found for `key` into the cache and enqueues it. */
  private merge(key: ResourceKey, found: StoredResource | undefined, first: boolean): void {
    const existing = this.cache.get(key);
    if (found === undefined) {
      if (existing === undefined) return;
      this.cache.delete(key);
      this.cacheChanged(key);
      this.onVanished?.(existing);
      this.emit(key, Priority.High);
      return;
    }
    this.cache.set(key, found);
    if (existing === undefined || !sameContent(existing, found)) this.cacheChanged(key);
    const changed = existing === undefined || changeFingerprint(existing) !== changeFingerprint(found);
    this.emit(key, first || changed ? Priority.High : Priority.Low);
  }

  private cacheChanged(key: ResourceKey): void {
    for (const listener of this.cacheListeners) listener(key);
  }

  private emit(key: ResourceKey, priority: Priority): void {
    for (const h of this.handlers) h(key, priority);
  }
}
