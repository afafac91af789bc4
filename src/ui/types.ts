/** What the status page reads: the informer caches, and (optionally) a record's events. */
import type { Kind, ResourceKey } from "../crds/meta.js";
import type { EventView, InvolvedObject } from "../store/events.js";
import type { StoredResource } from "../store/types.js";

export type { EventView, InvolvedObject };

/** Reads a record's events; the page shows no events section when none is given. */
export type EventLister = (involved: InvolvedObject) => Promise<readonly EventView[]>;

/** The cached records the page shows, and a signal of every change to them (status-only ones too). */
export interface RecordSource {
  kinds(): readonly Kind[];
  list(kind: Kind): readonly StoredResource[];
  get(key: ResourceKey): StoredResource | undefined;
  /** Calls `listener` with the key of every change; returns its removal. */
  subscribe(listener: (key: ResourceKey) => void): () => void;
}
