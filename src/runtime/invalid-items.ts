/**
 * Items filed like records that are not valid records (the store's InvalidItem: a key it cannot address, a kind
 * that disagrees with `sk`, an item too large to take its status). Each is logged once per reason and content
 * (a changed item is logged again), never reconciled and never retried; when the store addresses its key and it
 * has room, the leader writes why onto its status (Ready=False, Stalled=True). The memory is bounded: the
 * least recently seen are forgotten first (one seen again after that is logged again).
 */
import { isDeepStrictEqual } from "node:util";
import type { Clock } from "../clock.js";
import { type ResourceKey, resourceKey } from "../crds/meta.js";
import type { Logger } from "../log.js";
import { stalledConditions } from "../reconcilers/conditions.js";
import { mergeStatus } from "../reconcilers/status.js";
import { ConflictError } from "../store/errors.js";
import { type InvalidItem, InvalidItemReason, type ResourceStore } from "../store/types.js";

/** Condition reason written onto an invalid item whose key the store addresses. */
export const INVALID_ITEM_REASON = "InvalidItem";

/** How many items the memory keeps by default. */
const DEFAULT_CAPACITY = 10_000;

/** What the reporter is built from. */
export interface InvalidItemsOptions {
  log: Logger;
  /** Where statuses are written; without it (or its `updateInvalidItemStatus`) nothing is written. */
  store?: ResourceStore;
  clock?: Clock;
  /** Items remembered at most. */
  capacity?: number;
}

interface Seen {
  reason: string;
  fingerprint: string;
  /** The status saying why is written (or there is no room for one). */
  settled: boolean;
}

/** Sets `key` as the most recent entry of `map`, forgetting the oldest beyond `capacity`. */
function remember<K, V>(map: Map<K, V>, key: K, value: V, capacity: number): void {
  map.delete(key);
  map.set(key, value);
  for (const oldest of map.keys()) {
    if (map.size <= capacity) break;
    map.delete(oldest);
  }
}

/** The `resource` a log line names: `kind/namespace/name` as the item's key spells it. */
function resourceOf(item: InvalidItem): string {
  return `${item.kind}/${item.pk}/${item.name}`;
}

/** The record key of an item the store addresses (otherwise no key can name it). */
export function invalidItemKey(item: InvalidItem): ResourceKey | undefined {
  return item.addressable ? resourceKey(item.kind, item.pk, item.name) : undefined;
}

/** The once-per-item reporter of invalid items, shared by a process's informers and controllers. */
export class InvalidItems {
  private readonly seen = new Map<string, Seen>();
  /** The store's refusal last logged per record key. */
  private readonly refusals = new Map<ResourceKey, string>();
  private readonly capacity: number;

  constructor(private readonly options: InvalidItemsOptions) {
    this.capacity = options.capacity ?? DEFAULT_CAPACITY;
  }

  /** Logs `item` unless it was logged with this reason and content; true when it was new or changed. */
  note(item: InvalidItem): boolean {
    const id = `${item.pk}\u0000${item.sk}`;
    const known = this.seen.get(id);
    if (known !== undefined && known.reason === item.reason && known.fingerprint === item.fingerprint) {
      this.seen.delete(id); // most recently seen goes last
      this.seen.set(id, known);
      return false;
    }
    remember(
      this.seen,
      id,
      { reason: item.reason, fingerprint: item.fingerprint, settled: false },
      this.capacity,
    );
    this.options.log.warn(
      {
        kind: item.kind,
        resource: resourceOf(item),
        reason: item.reason,
        pk: item.pk,
        sk: item.sk,
        itemBytes: item.bytes,
      },
      `invalid item: not reconciled until it changes: ${item.message}`,
    );
    return true;
  }

  /**
   * Logs, once per key and message, a pass the store refused as never able to succeed (an unaddressable key,
   * a write too large): the key is not retried until something about it changes.
   */
  refused(key: ResourceKey, error: Error, log: Logger): void {
    if (this.refusals.get(key) === error.message) return;
    remember(this.refusals, key, error.message, this.capacity);
    log.warn({ err: error }, "the store refuses this record: not retried until it changes");
  }

  /** Forgets the refusal of a key whose pass went through (a later refusal is logged again). */
  passed(key: ResourceKey): void {
    this.refusals.delete(key);
  }

  /** Forgets an item that was deleted (a new one under its key is reported afresh). */
  forget(item: InvalidItem): void {
    this.seen.delete(`${item.pk}\u0000${item.sk}`);
  }

  /**
   * `note`, then (once per content) the status saying why, when the store addresses the key and the item has
   * room. Only the leader calls this. A write that fails is left to a later pass (resync or a change).
   */
  async settle(item: InvalidItem): Promise<void> {
    this.note(item);
    const seen = this.seen.get(`${item.pk}\u0000${item.sk}`);
    const store = this.options.store;
    if (seen === undefined || seen.settled || !item.addressable) return;
    if (store?.updateInvalidItemStatus === undefined) return;
    const reason = item.reason === InvalidItemReason.ItemTooLarge ? item.reason : INVALID_ITEM_REASON;
    const now = new Date(this.options.clock?.now() ?? Date.now());
    const status = mergeStatus(
      item.status,
      {
        conditions: stalledConditions(item.generation, reason, item.message),
        observedGeneration: item.generation,
      },
      now,
    );
    if (isDeepStrictEqual(status, item.status)) {
      seen.settled = true; // already says so (written before a restart)
      return;
    }
    const log = this.options.log.child({ kind: item.kind, resource: resourceOf(item) });
    try {
      const written = await store.updateInvalidItemStatus(item, status);
      seen.settled = true;
      if (!written)
        log.debug({ itemBytes: item.bytes }, "invalid item has no room for a status: logged only");
    } catch (error) {
      // A conflict means the item changed: its new content is reported on its own.
      if (!(error instanceof ConflictError)) {
        log.debug({ err: error }, "could not write the invalid item's status; a later pass tries again");
      }
    }
  }
}
