/**
 * The store the reconcilers see: the real one, except that a record that left the table reads as its tombstone
 * (deleting, with the controller's finalizer) while its cleanup runs, and the writes of that cleanup (status,
 * finalizer removal) land on the tombstone instead of failing with NotFound forever. So every kind's normal
 * deletion path cleans up after a raw DeleteItem without knowing about it.
 */
import { resourceKey } from "../crds/meta.js";
import { NotFoundError } from "../store/errors.js";
import type { ResourceStore, StoredResource } from "../store/types.js";
import type { Tombstones } from "./tombstones.js";

/** Wraps `store`; every method not overridden here is the store's own. */
export function tombstoneAwareStore(store: ResourceStore, tombstones: Tombstones): ResourceStore {
  const wrapped = Object.create(store) as ResourceStore;

  wrapped.get = async (kind, namespace, name): Promise<StoredResource> => {
    const key = resourceKey(kind, namespace, name);
    try {
      const found = await store.get(kind, namespace, name);
      tombstones.reappeared(key);
      return found;
    } catch (error) {
      const tombstone = error instanceof NotFoundError ? tombstones.take(key) : undefined;
      if (tombstone === undefined) throw error;
      return tombstone;
    }
  };

  wrapped.updateStatus = async (kind, namespace, name, status, resourceVersion): Promise<StoredResource> => {
    const key = resourceKey(kind, namespace, name);
    if (tombstones.absorbs(key, resourceVersion)) {
      const updated = tombstones.updateStatus(key, status);
      if (updated !== undefined) return updated;
    }
    return await store.updateStatus(kind, namespace, name, status, resourceVersion);
  };

  wrapped.removeFinalizer = async (
    kind,
    namespace,
    name,
    finalizer,
    resourceVersion,
  ): Promise<StoredResource | null> => {
    const key = resourceKey(kind, namespace, name);
    if (tombstones.absorbs(key, resourceVersion)) {
      tombstones.finish(key);
      return null;
    }
    const result = await store.removeFinalizer(kind, namespace, name, finalizer, resourceVersion);
    if (result === null) tombstones.markFinalized(key, resourceVersion);
    return result;
  };

  return wrapped;
}
