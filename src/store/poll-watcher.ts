/** The watch fallback for a table without a stream: list every watched kind each interval and diff. */
import { setTimeout as sleep } from "node:timers/promises";
import type { Kind } from "../crds/meta.js";
import type { ItemCheck } from "./item-check.js";
import type { InvalidItem, ListOptions, StoredResource, WatchHandlers } from "./types.js";
import { changeEvent, differs } from "./watch-events.js";

/** What the poller needs. */
export interface PollWatchSettings {
  list(kind: Kind, options?: ListOptions): Promise<StoredResource[]>;
  /**
   * Reads the item under a record's key (consistently). A record missing from a list may still be there as an
   * item the kind's index no longer lists (its `kind` attribute changed): only an absent item is a deletion.
   */
  probe(kind: Kind, namespace: string, name: string): Promise<ItemCheck>;
  kinds: ReadonlySet<Kind>;
  intervalMs: number;
  /** "trimHorizon" reports every existing record as added first; "latest" starts from the first snapshot. */
  from: "latest" | "trimHorizon";
  signal: AbortSignal;
}

interface Snapshot {
  records: Map<string, StoredResource>;
  /** Invalid items by `pk`/`sk`. */
  invalid: Map<string, InvalidItem>;
}

const recordKey = (kind: Kind, namespace: string, name: string): string => `${kind}/${namespace}/${name}`;
const itemKey = (item: InvalidItem): string => `${item.pk}\u0000${item.sk}`;

async function snapshot(settings: PollWatchSettings, previous?: Snapshot): Promise<Snapshot> {
  const out: Snapshot = { records: new Map(), invalid: new Map() };
  const onInvalidItem = (item: InvalidItem): void => {
    if (settings.kinds.has(item.kind)) out.invalid.set(itemKey(item), item);
  };
  for (const kind of settings.kinds) {
    for (const resource of await settings.list(kind, { onInvalidItem })) {
      out.records.set(recordKey(kind, resource.metadata.namespace, resource.metadata.name), resource);
    }
  }
  // What the lists did not show may still be there: records and invalid items it showed last round.
  const missing = new Map<string, { kind: Kind; namespace: string; name: string }>();
  for (const [key, old] of previous?.records ?? []) {
    missing.set(key, { kind: old.kind, namespace: old.metadata.namespace, name: old.metadata.name });
  }
  for (const item of previous?.invalid.values() ?? []) {
    if (!item.addressable) continue;
    missing.set(recordKey(item.kind, item.pk, item.name), {
      kind: item.kind,
      namespace: item.pk,
      name: item.name,
    });
  }
  for (const item of out.invalid.values()) missing.delete(recordKey(item.kind, item.pk, item.name));
  for (const key of out.records.keys()) missing.delete(key);
  for (const [key, { kind, namespace, name }] of missing) {
    const found = await settings.probe(kind, namespace, name);
    if (found !== undefined && "invalid" in found) out.invalid.set(itemKey(found.invalid), found.invalid);
    else if (found !== undefined) out.records.set(key, found.record);
  }
  return out;
}

function emit(handlers: WatchHandlers, previous: Snapshot, next: Snapshot, kinds: ReadonlySet<Kind>): void {
  const now = Date.now();
  for (const [key, resource] of next.records) {
    const old = previous.records.get(key);
    if (old && !differs(old, resource)) continue;
    const event = changeEvent(old, resource, kinds, now);
    if (event) deliver(handlers, () => handlers.onEvent(event));
  }
  // A record overwritten by an invalid item is still there, not deleted.
  const overwritten = new Set(
    [...next.invalid.values()].map((item) => recordKey(item.kind, item.pk, item.name)),
  );
  for (const [key, old] of previous.records) {
    if (next.records.has(key) || overwritten.has(key)) continue;
    const event = changeEvent(old, undefined, kinds, now);
    if (event) deliver(handlers, () => handlers.onEvent(event));
  }
  for (const [key, item] of next.invalid) {
    if (previous.invalid.get(key)?.fingerprint === item.fingerprint) continue;
    deliver(handlers, () => handlers.onInvalidItem?.(item, "present"));
  }
  // Gone, not put right: an invalid item replaced by a valid record was reported as that record above.
  for (const [key, item] of previous.invalid) {
    if (next.invalid.has(key) || next.records.has(recordKey(item.kind, item.pk, item.name))) continue;
    deliver(handlers, () => handlers.onInvalidItem?.(item, "removed"));
  }
}

/** Runs a handler; its exceptions go to onError instead of stopping the watcher. */
export function deliver(handlers: WatchHandlers, call: () => void): void {
  try {
    call();
  } catch (error) {
    handlers.onError?.(error instanceof Error ? error : new Error(String(error)));
  }
}

/** Takes the first snapshot, then polls until `signal` aborts; resolves to the loop's completion. */
export async function startPollWatch(
  settings: PollWatchSettings,
  handlers: WatchHandlers,
): Promise<{ finished: Promise<void> }> {
  let previous = await snapshot(settings);
  if (settings.from === "trimHorizon")
    emit(handlers, { records: new Map(), invalid: new Map() }, previous, settings.kinds);
  const loop = (async () => {
    while (!settings.signal.aborted) {
      try {
        await sleep(settings.intervalMs, undefined, { signal: settings.signal });
      } catch {
        return;
      }
      try {
        const next = await snapshot(settings, previous);
        if (settings.signal.aborted) return;
        emit(handlers, previous, next, settings.kinds);
        previous = next;
      } catch (error) {
        // A failed list is never "everything is gone": keep the last snapshot and try again.
        if (!settings.signal.aborted) deliver(handlers, () => handlers.onError?.(error as Error));
      }
    }
  })();
  return { finished: loop };
}
