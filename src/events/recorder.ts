/**
 * The event recorder: reconcilers and the sync engine call `record` (synchronous, never throws); events wait in
 * a buffer where repeats fold together, and a flush (on a timer, when the buffer fills, and at stop) writes each
 * series once. A repeat of the same record, type, reason and message within 10 minutes of the series' last
 * occurrence bumps its `count` instead of writing a new item (kubectl's semantics; the series are remembered in
 * memory, so after a restart a repeat starts a new series, as kubectl's client does). Best-effort: a failed
 * write is counted and logged, never retried into the next pass, and never reaches the caller.
 */
import type { Clock, TimerHandle } from "../clock.js";
import type { Logger } from "../log.js";
import { scrubSecrets } from "../log.js";
import {
  type EventLog,
  type EventSeriesRef,
  EventType,
  type InvolvedObject,
  MAX_EVENT_MESSAGE,
} from "../store/events.js";

/** Repeats within this long of a series' last occurrence join it. */
export const DEDUPE_WINDOW_MS = 10 * 60_000;
/** Default lifetime of an event item after its last occurrence (DynamoDB TTL). */
export const DEFAULT_EVENT_TTL_SECONDS = 7 * 24 * 3600;

/** What the recorder counts (`/metrics`); `result` is created, updated, failed or dropped. */
export interface EventMetrics {
  recorded(type: EventType, reason: string): void;
  written(result: "created" | "updated" | "failed" | "dropped", count?: number): void;
}

/** Settings of an EventRecorder. */
export interface EventRecorderOptions {
  events: EventLog;
  clock: Clock;
  log: Logger;
  metrics?: EventMetrics;
  /** Item lifetime after the last occurrence; default 7 days. */
  ttlSeconds?: number;
  /** How long an event may wait in the buffer; default 1 s. */
  flushIntervalMs?: number;
  /** Flush as soon as this many series wait; default 50. */
  flushAtSeries?: number;
  /** Beyond this many waiting series new ones are dropped (counted) until a flush; default 1000. */
  maxPendingSeries?: number;
  /** Series remembered for dedupe; the least recently seen go first; default 10,000. */
  maxRememberedSeries?: number;
  /** Writes in flight at once during a flush; default 4. */
  writeConcurrency?: number;
}

/** Records events for a record; what reconcilers, the controller's hooks and the sync engine hold. */
export interface EventSink {
  /** Queues an event; returns at once and never throws. */
  record(involved: InvolvedObject, type: EventType, reason: string, message: string): void;
}

interface Pending {
  involved: InvolvedObject;
  type: EventType;
  reason: string;
  message: string;
  count: number;
  first: number;
  last: number;
}

interface Series {
  ref: EventSeriesRef;
  last: number;
}

/** The controller's event recorder (see the file comment). */
export class EventRecorder implements EventSink {
  private readonly pending = new Map<string, Pending>();
  private readonly series = new Map<string, Series>();
  private timer: TimerHandle | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  private stopped = false;
  private readonly ttlSeconds: number;
  private readonly flushIntervalMs: number;
  private readonly flushAtSeries: number;
  private readonly maxPendingSeries: number;
  private readonly maxRememberedSeries: number;
  private readonly writeConcurrency: number;

  constructor(private readonly options: EventRecorderOptions) {
    this.ttlSeconds = options.ttlSeconds ?? DEFAULT_EVENT_TTL_SECONDS;
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.flushAtSeries = options.flushAtSeries ?? 50;
    this.maxPendingSeries = options.maxPendingSeries ?? 1000;
    this.maxRememberedSeries = options.maxRememberedSeries ?? 10_000;
    this.writeConcurrency = Math.max(1, options.writeConcurrency ?? 4);
  }

  record(involved: InvolvedObject, type: EventType, reason: string, message: string): void {
    try {
      this.queue(involved, type, reason, message);
    } catch (error) {
      // Recording is a side note to a pass: nothing here may fail it.
      this.options.log.debug({ err: error }, "event not recorded");
    }
  }

  /** Writes everything waiting now; resolves when written (or failed); never rejects. */
  flush(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    // One flush waits behind the running one at most; it takes whatever waits when it starts.
    if (this.queued !== undefined) return this.queued;
    const next = this.flushing.then(() => {
      this.queued = undefined;
      return this.writePending();
    });
    this.queued = next;
    this.flushing = next;
    return next;
  }

  /** Flushes what waits and records nothing more (at controller shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.flush();
  }

  /** Series waiting to be written (for tests and diagnostics). */
  pendingCount(): number {
    return this.pending.size;
  }

  private queue(involved: InvolvedObject, type: EventType, reason: string, rawMessage: string): void {
    if (this.stopped) return;
    const message = scrubSecrets(rawMessage).slice(0, MAX_EVENT_MESSAGE);
    this.options.metrics?.recorded(type, reason);
    const now = this.options.clock.now();
    const key = JSON.stringify([involved.kind, involved.namespace, involved.name, type, reason, message]);
    const waiting = this.pending.get(key);
    if (waiting !== undefined) {
      waiting.count += 1;
      waiting.last = now;
      return;
    }
    if (this.pending.size >= this.maxPendingSeries) {
      this.options.metrics?.written("dropped");
      return;
    }
    this.pending.set(key, {
      involved: { ...involved },
      type,
      reason,
      message,
      count: 1,
      first: now,
      last: now,
    });
    if (this.pending.size >= this.flushAtSeries) void this.flush();
    else this.timer ??= this.options.clock.setTimer(() => void this.flush(), this.flushIntervalMs);
  }

  private async writePending(): Promise<void> {
    const batch = [...this.pending.entries()];
    this.pending.clear();
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < batch.length; i = next++) {
        const entry = batch[i];
        if (entry !== undefined) await this.writeOne(entry[0], entry[1]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.writeConcurrency, batch.length) }, worker));
  }

  private async writeOne(key: string, event: Pending): Promise<void> {
    const { events, metrics, log } = this.options;
    const last = new Date(event.last).toISOString();
    try {
      const known = this.series.get(key);
      if (known !== undefined && event.first - known.last <= DEDUPE_WINDOW_MS) {
        if (await events.bump(known.ref, event.count, last, this.ttlSeconds)) {
          this.remember(key, { ref: known.ref, last: event.last });
          metrics?.written("updated");
          return;
        }
      }
      const ref = await events.create(
        {
          type: event.type,
          reason: event.reason,
          message: event.message,
          count: event.count,
          firstTimestamp: new Date(event.first).toISOString(),
          lastTimestamp: last,
          involved: event.involved,
        },
        this.ttlSeconds,
      );
      this.remember(key, { ref, last: event.last });
      metrics?.written("created");
    } catch (error) {
      metrics?.written("failed");
      const { kind, namespace, name } = event.involved;
      log.warn(
        { err: error, kind, resource: `${kind}/${namespace}/${name}`, reason: event.reason },
        "event not written (events are best-effort)",
      );
    }
  }

  private remember(key: string, series: Series): void {
    this.series.delete(key); // re-inserted last: Map order is least recently seen first
    this.series.set(key, series);
    const cutoff = this.options.clock.now() - DEDUPE_WINDOW_MS;
    for (const [oldKey, old] of this.series) {
      if (this.series.size <= this.maxRememberedSeries && old.last >= cutoff) break;
      this.series.delete(oldKey);
    }
  }
}

/** A sink that records nothing (no store with events, or events switched off). */
export const NO_EVENTS: EventSink = { record: () => undefined };

export { EventType };
