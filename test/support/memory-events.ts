/** An in-memory EventLog (the store's event items without DynamoDB), with switchable failures for tests. */
import type { EventLog, EventQuery, EventSeriesRef, EventView } from "../../src/store/events.js";

/** Event series in a map; `failWith` makes every write throw it. */
export class MemoryEvents implements EventLog {
  readonly items = new Map<string, EventView & { expiresAt: number }>();
  /** Writes sent (create and bump), failed or not. */
  writes = 0;
  failWith: Error | undefined;
  private next = 0;

  async create(event: EventView, ttlSeconds: number): Promise<EventSeriesRef> {
    this.writes += 1;
    if (this.failWith !== undefined) throw this.failWith;
    this.next += 1;
    const { kind, name, namespace } = event.involved;
    const id = `${kind}#${name}#${event.firstTimestamp}#${this.next}`;
    this.items.set(`${namespace}/${id}`, {
      ...event,
      expiresAt: Date.parse(event.lastTimestamp) / 1000 + ttlSeconds,
    });
    return { namespace, id };
  }

  async bump(
    ref: EventSeriesRef,
    count: number,
    lastTimestamp: string,
    ttlSeconds: number,
  ): Promise<boolean> {
    this.writes += 1;
    if (this.failWith !== undefined) throw this.failWith;
    const item = this.items.get(`${ref.namespace}/${ref.id}`);
    if (item === undefined) return false;
    item.count += count;
    item.lastTimestamp = lastTimestamp;
    item.expiresAt = Date.parse(lastTimestamp) / 1000 + ttlSeconds;
    return true;
  }

  async list(query: EventQuery): Promise<EventView[]> {
    return [...this.items.values()]
      .filter(
        (e) =>
          (query.namespace === undefined || e.involved.namespace === query.namespace) &&
          (query.involved === undefined ||
            (e.involved.kind === query.involved.kind && e.involved.name === query.involved.name)),
      )
      .map(({ expiresAt: _e, ...view }) => view)
      .sort((a, b) => a.lastTimestamp.localeCompare(b.lastTimestamp));
  }
}
