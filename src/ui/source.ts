/** The page's view of the controller's informer caches: reads only memory, never the table. */
import { KINDS, type Kind, parseResourceKey, type ResourceKey } from "../crds/meta.js";
import type { Informer } from "../runtime/informer.js";
import type { StoredResource } from "../store/types.js";
import type { RecordSource } from "./types.js";

/** The slice of InformerSet the page needs. */
export interface InformerLookup {
  has(kind: Kind): boolean;
  informer(kind: Kind): Pick<Informer, "list" | "get" | "onCacheChange">;
}

/** A RecordSource over the informers of every kind the process caches. */
export function informerSource(informers: InformerLookup): RecordSource {
  const kinds = KINDS.filter((k) => informers.has(k));
  return {
    kinds: () => kinds,
    list: (kind: Kind): readonly StoredResource[] =>
      informers.has(kind) ? informers.informer(kind).list() : [],
    get: (key: ResourceKey) => {
      const { kind } = parseResourceKey(key);
      return informers.has(kind) ? informers.informer(kind).get(key) : undefined;
    },
    subscribe: (listener) => {
      const removals = kinds.map((k) => informers.informer(k).onCacheChange(listener));
      return () => {
        for (const remove of removals) remove();
      };
    },
  };
}
