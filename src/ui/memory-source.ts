/** A RecordSource held in memory: for tests, the bench, and anything that shows records it already has. */
import type { Kind, ResourceKey } from "../crds/meta.js";
import { KINDS, resourceKey } from "../crds/meta.js";
import type { StoredResource } from "../store/types.js";
import type { RecordSource } from "./types.js";

/** Records by key, with the same change signal the informer caches give. */
export class MemoryRecordSource implements RecordSource {
  private readonly records = new Map<ResourceKey, StoredResource>();
  private readonly listeners = new Set<(key: ResourceKey) => void>();

  /** Adds or replaces a record and signals the change. */
  put(r: StoredResource): void {
    const key = resourceKey(r.kind, r.metadata.namespace, r.metadata.name);
    this.records.set(key, r);
    for (const l of this.listeners) l(key);
  }

  /** Removes a record and signals the change. */
  remove(key: ResourceKey): void {
    if (!this.records.delete(key)) return;
    for (const l of this.listeners) l(key);
  }

  kinds(): readonly Kind[] {
    return KINDS;
  }

  list(kind: Kind): readonly StoredResource[] {
    return [...this.records.values()].filter((r) => r.kind === kind);
  }

  get(key: ResourceKey): StoredResource | undefined {
    return this.records.get(key);
  }

  subscribe(listener: (key: ResourceKey) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
