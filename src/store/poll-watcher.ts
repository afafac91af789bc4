/** The watch fallback for a table without a stream: list every watched kind each interval and diff. */
import { setTimeout as sleep } from "node:timers/promises";
import type { Kind } from "../crds/meta.js";
import type { StoredResource, WatchHandlers } from "./types.js";
import { changeEvent, differs } from "./watch-events.js";

/** What the poller needs. */
export interface PollWatchSettings {
  list(kind: Kind): Promise<StoredResource[]>;
  kinds: ReadonlySet<Kind>;
  intervalMs: number;
  /** "trimHorizon" reports every existing record as added first; "latest" starts from the first snapshot. */
  from: "latest" | "trimHorizon";
  signal: AbortSignal;
}

type Snapshot = Map<string, StoredResource>;

async function snapshot(settings: PollWatchSettings): Promise<Snapshot> {
  const out: Snapshot = new Map();
  for (const kind of settings.kinds) {
    for (const resource of await settings.list(kind)) {
      out.set(`${kind}/${resource.metadata.namespace}/${resource.metadata.name}`, resource);
    }
  }
  return out;
}

function emit(handlers: WatchHandlers, previous: Snapshot, next: Snapshot, kinds: ReadonlySet<Kind>): void {
  const now = Date.now();
  for (const [key, resource] of next) {
    const old = previous.get(key);
    if (old && !differs(old, resource)) continue;
    const event = changeEvent(old, resource, kinds, now);
    if (event) deliver(handlers, () => handlers.onEvent(event));
  }
  for (const [key, old] of previous) {
    if (next.has(key)) continue;
    const event = changeEvent(old, undefined, kinds, now);
    if (event) deliver(handlers, () => handlers.onEvent(event));
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
  if (settings.from === "trimHorizon") emit(handlers, new Map(), previous, settings.kinds);
  const loop = (async () => {
    while (!settings.signal.aborted) {
      try {
        await sleep(settings.intervalMs, undefined, { signal: settings.signal });
      } catch {
        return;
      }
      try {
        const next = await snapshot(settings);
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
