/**
 * `creationTimestamp` is the controller's to stamp (spec writers never write it, DESIGN 11 "The table is the
 * API"): a pass stamps a record that has none before doing anything else. A put-item over an existing record
 * (Terraform's table item) drops the attribute; the record is the same identity (its uid comes from its key), so
 * it gets back the last value this controller saw for the key rather than "now". Kind-agnostic.
 */
import type { ResourceKey } from "../crds/meta.js";
import type { ResourceStore, StoredResource } from "../store/types.js";

/** The last `creationTimestamp` seen for each key, kept while the key exists (in memory: a restart forgets). */
export class CreationTimestamps {
  private readonly known = new Map<ResourceKey, string>();

  /**
   * Follows the informer: a record with a timestamp updates the key's value, a record without one (a put-item
   * replaced it) keeps the last value, and a key the cache no longer holds is forgotten (a record deleted and
   * written again is a new creation).
   */
  observe(key: ResourceKey, cached: StoredResource | undefined): void {
    if (cached === undefined) this.known.delete(key);
    else this.remember(key, cached);
  }

  /** Records the timestamp of a record read or stamped by a pass. */
  remember(key: ResourceKey, record: StoredResource): void {
    const timestamp = record.metadata.creationTimestamp;
    if (timestamp !== undefined) this.known.set(key, timestamp);
  }

  /** The last timestamp seen for `key`, if any. */
  lastKnown(key: ResourceKey): string | undefined {
    return this.known.get(key);
  }
}

/**
 * Stamps `creationTimestamp` on a live record that has none (the last known value for its key, else `now`) and
 * returns the record as stored afterwards; any other record is returned as it is. Compare-and-set on the
 * record's resourceVersion: a ConflictError means the record moved on (the pass is retried at once).
 */
export async function ensureCreationTimestamp(
  store: ResourceStore,
  record: StoredResource,
  memory: CreationTimestamps,
  key: ResourceKey,
  now: Date,
): Promise<StoredResource> {
  const { metadata } = record;
  if (metadata.creationTimestamp !== undefined || metadata.deletionTimestamp !== undefined) {
    memory.remember(key, record);
    return record;
  }
  const timestamp = memory.lastKnown(key) ?? now.toISOString();
  const stamped = await store.stampCreationTimestamp(
    record.kind,
    metadata.namespace,
    metadata.name,
    timestamp,
    metadata.resourceVersion,
  );
  memory.remember(key, stamped);
  return stamped;
}
