/**
 * Tombstones (DESIGN 11, "The table is the API"): the last seen copy of each record that left the table before the
 * controller finished its cleanup — a raw DeleteItem (Terraform destroy), a relist that no longer finds it, the
 * delete of a record whose finalizer a put-item had wiped. The copy is marked deleting (deletionTimestamp and the
 * controller's finalizer set), and the kind's reconciler runs its normal deletion path on it through
 * `tombstoneAwareStore`, following the last seen spec's `deletionPolicy`. Deletions the controller completed
 * itself (it removed the last finalizer) leave no tombstone.
 */
import type { Clock } from "../clock.js";
import { type Kind, parseResourceKey, type ResourceKey, resourceKey } from "../crds/meta.js";
import type { Logger } from "../log.js";
import type { ControllerMetrics } from "../metrics.js";
import type { StoredResource } from "../store/types.js";

/** Compares decimal `resourceVersion`s; anything unparsable counts as newer. */
function isNewerVersion(candidate: string, current: string): boolean {
  const a = Number(candidate);
  const b = Number(current);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return candidate !== current;
  return a > b;
}

/** What a tombstone registry is built from. */
export interface TombstoneOptions {
  /** The controller's finalizer: put on every tombstone so the reconcilers take their deletion path. */
  finalizer: string;
  clock: Clock;
  log: Logger;
  metrics?: Pick<ControllerMetrics, "vanishedRecords">;
  /**
   * Tombstones kept at most (the oldest go first; the orphan sweep finds whatever they would have cleaned). A
   * standby keeps them too, so that a failover resumes the cleanups. Default 1000.
   */
  maxEntries?: number;
}

/** Events counted in `vanished_records_total`. */
export const VanishedEvent = {
  /** A record left the table before its cleanup finished: a tombstone was kept. */
  Vanished: "vanished",
  /** The tombstone's cleanup finished (its deletion path removed the finalizer). */
  CleanedUp: "cleaned_up",
  /** The cleanup finished under `deletionPolicy: Retain`: the AWS resources were left in place. */
  Retained: "retained",
  /** A record was written at the key again: the tombstone was dropped and the new record reconciled. */
  Reappeared: "reappeared",
  /** Dropped unfinished because too many tombstones were kept (the orphan sweep finds the rest). */
  Evicted: "evicted",
} as const;

interface Entry {
  record: StoredResource;
  keptAt: number;
  /** Logged and counted: its first pass read it (until then it may turn out to be the controller's own removal). */
  announced: boolean;
}

function keyOf(record: StoredResource): ResourceKey {
  return resourceKey(record.kind, record.metadata.namespace, record.metadata.name);
}

function policyOf(record: StoredResource): string | undefined {
  const policy = record.spec.deletionPolicy;
  return typeof policy === "string" ? policy : undefined;
}

/** Adds `key` → `value` to `map`, dropping the oldest entries beyond `max`; returns the dropped keys. */
function boundedSet<V>(map: Map<ResourceKey, V>, key: ResourceKey, value: V, max: number): ResourceKey[] {
  map.delete(key);
  map.set(key, value);
  const dropped: ResourceKey[] = [];
  for (const oldest of map.keys()) {
    if (map.size <= max) break;
    map.delete(oldest);
    dropped.push(oldest);
  }
  return dropped;
}

/** The tombstones of one controller process, every kind. */
export class Tombstones {
  private readonly live = new Map<ResourceKey, Entry>();
  /** Finished tombstones: the finishing pass's late writes are still absorbed. */
  private readonly finished = new Map<ResourceKey, StoredResource>();
  /** Deletions the controller completed itself: key → resourceVersion of the item it removed. */
  private readonly finalized = new Map<ResourceKey, string>();
  private readonly max: number;

  constructor(private readonly options: TombstoneOptions) {
    this.max = options.maxEntries ?? 1000;
  }

  /**
   * A record left the table (stream REMOVE with its old image, or a relist that no longer lists it). Keeps a
   * tombstone unless the controller removed it itself; true when one was kept.
   */
  vanished(record: StoredResource): boolean {
    const key = keyOf(record);
    const version = record.metadata.resourceVersion;
    const finalizedAt = this.finalized.get(key);
    if (finalizedAt !== undefined && !isNewerVersion(version, finalizedAt)) {
      this.finalized.delete(key);
      return false;
    }
    const existing = this.live.get(key);
    if (existing !== undefined && existing.record.metadata.resourceVersion === version) return true;
    const { finalizer, clock } = this.options;
    const metadata = record.metadata;
    const tombstone: StoredResource = {
      ...record,
      metadata: {
        ...metadata,
        deletionTimestamp: metadata.deletionTimestamp ?? new Date(clock.now()).toISOString(),
        finalizers: metadata.finalizers.includes(finalizer)
          ? metadata.finalizers
          : [...metadata.finalizers, finalizer],
      },
    };
    this.finished.delete(key);
    const entry: Entry = { record: tombstone, keptAt: clock.now(), announced: false };
    for (const evicted of boundedSet(this.live, key, entry, this.max)) {
      this.count(parseResourceKey(evicted).kind, VanishedEvent.Evicted);
      this.options.log.warn(
        { kind: parseResourceKey(evicted).kind, resource: evicted },
        "too many records await cleanup: dropped the oldest tombstone (the orphan sweep will find its resources)",
      );
    }
    return true;
  }

  /** The live tombstone of `key`. */
  get(key: ResourceKey): StoredResource | undefined {
    return this.live.get(key)?.record;
  }

  /**
   * The tombstone of `key` as a pass reads it: logged and counted the first time (the controller's own removal
   * may still be told by `markFinalized` before that, as the stream can deliver it before the write returns).
   */
  take(key: ResourceKey): StoredResource | undefined {
    const entry = this.live.get(key);
    if (entry === undefined) return undefined;
    if (!entry.announced) {
      entry.announced = true;
      const { kind, metadata } = entry.record;
      this.count(kind, VanishedEvent.Vanished);
      this.options.log.info(
        { kind, resource: key, uid: metadata.uid, deletionPolicy: policyOf(entry.record) },
        "record left the table before its cleanup finished: cleaning up from its last seen spec",
      );
    }
    return entry.record;
  }

  /** When the live tombstone of `key` was kept (ms on the clock). */
  keptAt(key: ResourceKey): number | undefined {
    return this.live.get(key)?.keptAt;
  }

  /** Keys of the live tombstones of `kind`. */
  keys(kind: Kind): ResourceKey[] {
    return [...this.live.keys()].filter((k) => parseResourceKey(k).kind === kind);
  }

  /** True when a write at `resourceVersion` targets the tombstone of `key` (live, or just finished). */
  absorbs(key: ResourceKey, resourceVersion: string): boolean {
    const live = this.live.get(key);
    if (live !== undefined) return live.record.metadata.resourceVersion === resourceVersion;
    return this.finished.get(key)?.metadata.resourceVersion === resourceVersion;
  }

  /** A status write on the tombstone: kept in memory (the item is gone); returns the updated copy. */
  updateStatus(key: ResourceKey, status: Record<string, unknown>): StoredResource | undefined {
    const entry = this.live.get(key);
    if (entry === undefined) {
      const finished = this.finished.get(key);
      return finished === undefined ? undefined : { ...finished, status };
    }
    entry.record = { ...entry.record, status };
    return entry.record;
  }

  /** The tombstone's deletion path removed the finalizer: its cleanup is complete. */
  finish(key: ResourceKey): void {
    const entry = this.live.get(key);
    if (entry === undefined) return;
    this.live.delete(key);
    boundedSet(this.finished, key, entry.record, this.max);
    const { kind } = entry.record;
    const deletionPolicy = policyOf(entry.record);
    const retained = deletionPolicy === "Retain";
    this.count(kind, retained ? VanishedEvent.Retained : VanishedEvent.CleanedUp);
    this.options.log.info(
      { kind, resource: key, deletionPolicy },
      retained
        ? "record that left the table has deletionPolicy Retain: its AWS resources are left in place"
        : "cleanup of a record that left the table is complete",
    );
  }

  /** A record is in the table at `key` again: its tombstone goes, the record is reconciled as it is. */
  reappeared(key: ResourceKey): void {
    this.finished.delete(key);
    const entry = this.live.get(key);
    if (entry === undefined) return;
    this.live.delete(key);
    this.count(entry.record.kind, VanishedEvent.Reappeared);
    this.options.log.info(
      { kind: entry.record.kind, resource: key },
      "a record was written at the key again: its tombstone is dropped",
    );
  }

  /** The controller removed the last finalizer at `resourceVersion` (the store removed the item). */
  markFinalized(key: ResourceKey, resourceVersion: string): void {
    const entry = this.live.get(key);
    if (
      entry !== undefined &&
      !entry.announced &&
      !isNewerVersion(entry.record.metadata.resourceVersion, resourceVersion)
    ) {
      this.live.delete(key); // the stream told of our own removal first
      return;
    }
    boundedSet(this.finalized, key, resourceVersion, this.max);
  }

  private count(kind: Kind, event: string): void {
    this.options.metrics?.vanishedRecords.inc({ kind, event });
  }
}
