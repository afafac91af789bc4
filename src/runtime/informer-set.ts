/** The shared informers of a controller process: one watch for every kind, relists on gaps, periodic resync. */

import { type Clock, sleep, type TimerHandle } from "../clock.js";
import type { Kind } from "../crds/meta.js";
import type { Logger } from "../log.js";
import type { InvalidItem, ResourceStore, StoredResource, WatchEvent, WatchHandle } from "../store/types.js";
import { Informer } from "./informer.js";
import { InvalidItems, invalidItemKey } from "./invalid-items.js";

/** Settings of the shared informers. */
export interface InformerSetOptions {
  store: ResourceStore;
  kinds: readonly Kind[];
  clock: Clock;
  log: Logger;
  /** Period of the low-priority resync of every key (ms); 0 disables it. */
  resyncPeriodMs: number;
  /** Resync jitter as a fraction of the period (0.1 = up to 10% later). */
  resyncJitter: number;
  /** Poll interval handed to the store's watch (ms); the store's default when omitted. */
  watchPollIntervalMs?: number;
  /** Receives the age of each delivered change (seconds). */
  onWatchLag?: (seconds: number) => void;
  /** Randomness for jitter; replaceable in tests. */
  random?: () => number;
  /** Hears of every record that left the table, with the last copy seen (see Informer). */
  onVanished?: (last: StoredResource) => void;
  /** The process's reporter of invalid items (one of its own, logging only, when omitted). */
  invalidItems?: InvalidItems;
}

/** Informers for several kinds over one watch: start, relist on gaps, resync periodically, stop. */
export class InformerSet {
  private readonly informers = new Map<Kind, Informer>();
  private watch: WatchHandle | undefined;
  private resyncTimer: TimerHandle | undefined;
  private readonly stopController = new AbortController();
  private relisting: Promise<void> | undefined;
  private relistAgain = false;
  private watchStarted = false;
  private readonly invalidItems: InvalidItems;

  constructor(private readonly options: InformerSetOptions) {
    for (const kind of options.kinds)
      this.informers.set(kind, new Informer(kind, options.store, options.onVanished));
    this.invalidItems = options.invalidItems ?? new InvalidItems({ log: options.log });
  }

  /** The informer of `kind`; throws for a kind this set was not built with. */
  informer(kind: Kind): Informer {
    const inf = this.informers.get(kind);
    if (inf === undefined) throw new Error(`no informer for kind ${kind}`);
    return inf;
  }

  /** True when this set caches `kind`. */
  has(kind: Kind): boolean {
    return this.informers.has(kind);
  }

  /** True when the watch runs and every kind has completed a list. */
  get hasSynced(): boolean {
    return this.watchStarted && [...this.informers.values()].every((i) => i.hasSynced);
  }

  /** Starts the watch, then lists every kind (retrying with backoff until it works or `stop` is called). */
  async start(): Promise<void> {
    const signal = this.stopController.signal;
    await this.retry("start watch", async () => {
      this.watch = await this.options.store.watch(
        {
          onEvent: (event) => this.onEvent(event),
          onGap: (reason) => {
            this.options.log.warn({ reason }, "watch gap: relisting every kind");
            void this.requestRelist();
          },
          onError: (error) => this.options.log.warn({ err: error }, "watch error"),
          onInvalidItem: (item, change) => this.onInvalidItem(item, change),
        },
        {
          kinds: [...this.options.kinds],
          from: "latest",
          signal,
          ...(this.options.watchPollIntervalMs === undefined
            ? {}
            : { pollIntervalMs: this.options.watchPollIntervalMs }),
        },
      );
    });
    if (signal.aborted) return;
    this.watchStarted = true;
    this.options.log.info({ mode: this.watch?.mode }, "watch started");
    await this.requestRelist();
    this.scheduleResync();
  }

  /** Relists every kind; concurrent requests collapse into one more run after the current one. */
  requestRelist(): Promise<void> {
    if (this.relisting !== undefined) {
      this.relistAgain = true;
      return this.relisting;
    }
    this.relisting = (async () => {
      do {
        this.relistAgain = false;
        for (const inf of this.informers.values()) {
          await this.retry(`list ${inf.kind}`, () =>
            inf.relist((item) => this.onInvalidItem(item, "present")),
          );
          if (this.stopController.signal.aborted) return;
        }
      } while (this.relistAgain);
    })().finally(() => {
      this.relisting = undefined;
    });
    return this.relisting;
  }

  /** Stops the watch and the resync timer. */
  async stop(): Promise<void> {
    this.stopController.abort(new Error("informers stopped"));
    this.resyncTimer?.cancel();
    const watch = this.watch;
    this.watch = undefined;
    await watch?.stop();
  }

  private onEvent(event: WatchEvent): void {
    const inf = this.informers.get(event.kind);
    if (inf === undefined) return;
    inf.applyEvent(event);
    this.options.onWatchLag?.(Math.max(0, (this.options.clock.now() - event.approximateCreationTime) / 1000));
  }

  /**
   * An invalid item from a list or the watch: logged once per content; its key (when the store addresses it)
   * is queued like a record's so the leader's pass reports it on its status, and is never taken for deleted.
   */
  private onInvalidItem(item: InvalidItem, change: "present" | "removed"): void {
    const changed = change === "present" ? this.invalidItems.note(item) : false;
    if (change === "removed") this.invalidItems.forget(item);
    const key = invalidItemKey(item);
    if (key !== undefined)
      this.informers.get(item.kind)?.setInvalid(key, change, changed, this.options.clock.now());
  }

  private scheduleResync(): void {
    const { resyncPeriodMs, resyncJitter } = this.options;
    if (resyncPeriodMs <= 0 || this.stopController.signal.aborted) return;
    const random = this.options.random ?? Math.random;
    const delay = Math.round(resyncPeriodMs * (1 + resyncJitter * random()));
    this.resyncTimer = this.options.clock.setTimer(() => {
      for (const inf of this.informers.values()) inf.resync();
      this.scheduleResync();
    }, delay);
  }

  /** Runs `action` until it succeeds or the set stops; waits 0.5 s doubling to 30 s between tries. */
  private async retry(what: string, action: () => Promise<void>): Promise<void> {
    const signal = this.stopController.signal;
    let delay = 500;
    while (!signal.aborted) {
      try {
        await action();
        return;
      } catch (error) {
        if (signal.aborted) return;
        this.options.log.warn({ err: error, retryInMs: delay }, `${what} failed`);
        await sleep(this.options.clock, delay, signal).catch(() => undefined);
        delay = Math.min(30_000, delay * 2);
      }
    }
  }
}
