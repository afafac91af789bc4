/**
 * Writes a sync engine's reports onto its CatalogSync's status (`status.sync` and the Ready trio), for the
 * controller placement and `fargatectl catalog-sync` alike. A report that changes what is mirrored, who writes or
 * the errors is written at once; one that only moves sync times, lag or counts waits for the heartbeat interval.
 * Writes are serialised, re-read the record first and are compare-and-set (a conflict re-reads and tries again);
 * a record that is gone, being deleted or of another uid is left alone. Failures are logged, never thrown.
 */
import { isDeepStrictEqual } from "node:util";
import type { Clock, TimerHandle } from "../../clock.js";
import type { CatalogSyncReportStatus } from "../../crds/catalog-sync.js";
import { currentEventScope, withEventScope } from "../../events/scope.js";
import type { Logger } from "../../log.js";
import { ConflictError, NotFoundError } from "../../store/errors.js";
import type { ResourceStore, StoredResource } from "../../store/types.js";
import type { SyncReport } from "../../sync/types.js";
import { writeStatus } from "../status.js";
import { conditionsFromReport, type ReportSpec, reportStatus, significantPart } from "./report-conditions.js";

/** What a status writer is built from. */
export interface SyncStatusWriterOptions {
  store: ResourceStore;
  /** The CatalogSync the engine belongs to. */
  owner: { uid: string; namespace: string; name: string };
  /** The generation (and its spec) the engine runs: conditions are written only while the record is at it. */
  generation: number;
  spec: ReportSpec;
  clock: Clock;
  log: Logger;
  /** Least time between writes that only move times and counts (ms). */
  heartbeatMs: number;
}

const MAX_CONFLICT_RETRIES = 5;

/** Turns reports into throttled, compare-and-set status writes. */
export class SyncStatusWriter {
  private latest: SyncReport | undefined;
  private lastWritten: CatalogSyncReportStatus | undefined;
  private lastWrittenAt = Number.NEGATIVE_INFINITY;
  private timer: TimerHandle | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private generation: number;
  private spec: ReportSpec;
  /** The event scope it was made in: its writes (Syncing, SyncFailing, recovered) are its CatalogSync's events. */
  private readonly events = currentEventScope();

  constructor(private readonly options: SyncStatusWriterOptions) {
    this.generation = options.generation;
    this.spec = options.spec;
  }

  /** The engine now runs `spec` of `generation` (a spec change that did not need a restart). */
  retarget(generation: number, spec: ReportSpec): void {
    this.generation = generation;
    this.spec = spec;
  }

  /** Takes a report: written now when it changes something that matters, else by the next heartbeat. */
  report(report: SyncReport): void {
    if (this.closed) return;
    this.latest = report;
    const now = this.options.clock.now();
    const candidate = reportStatus(report, new Date(now).toISOString());
    const significant = significantPart(candidate) !== significantPart(this.lastWritten);
    if (significant || now - this.lastWrittenAt >= this.options.heartbeatMs) {
      this.schedule(0);
      return;
    }
    this.schedule(this.lastWrittenAt + this.options.heartbeatMs - now);
  }

  /** Resolves once every write asked for so far has been tried. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      this.timer.cancel();
      this.timer = undefined;
      this.enqueue();
    }
    await this.chain;
  }

  /** Writes what is pending, then takes no more reports. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined) {
      if (delayMs > 0) return; // a write is already due
      this.timer.cancel();
    }
    this.timer = this.options.clock.setTimer(
      () => {
        this.timer = undefined;
        this.enqueue();
      },
      Math.max(0, delayMs),
    );
  }

  private enqueue(): void {
    this.chain = this.chain.then(() => this.writeLatest());
  }

  private async writeLatest(): Promise<void> {
    const report = this.latest;
    if (report === undefined) return;
    const { store, owner, clock, log } = this.options;
    const sync = reportStatus(report, new Date(clock.now()).toISOString());
    for (let attempt = 0; attempt <= MAX_CONFLICT_RETRIES; attempt += 1) {
      let record: StoredResource;
      try {
        record = await store.get("CatalogSync", owner.namespace, owner.name);
      } catch (error) {
        if (!(error instanceof NotFoundError))
          log.warn({ err: error }, "cannot read the CatalogSync to report");
        return;
      }
      if (record.metadata.uid !== owner.uid || record.metadata.deletionTimestamp !== undefined) return;
      const atGeneration = record.metadata.generation === this.generation;
      const previous = record.status?.sync as CatalogSyncReportStatus | undefined;
      if (
        previous !== undefined &&
        isDeepStrictEqual({ ...previous, reportedAt: "" }, { ...sync, reportedAt: "" })
      ) {
        this.markWritten(sync);
        return;
      }
      try {
        const write = () =>
          writeStatus(
            store,
            record,
            {
              fields: { sync },
              ...(atGeneration ? { conditions: conditionsFromReport(sync, this.spec, this.generation) } : {}),
            },
            new Date(clock.now()),
          );
        await (this.events === undefined ? write() : withEventScope(this.events, write));
        this.markWritten(sync);
        return;
      } catch (error) {
        if (error instanceof ConflictError) continue;
        if (error instanceof NotFoundError) return;
        log.warn({ err: error }, "cannot write the sync report onto the CatalogSync");
        return;
      }
    }
    log.warn({ attempts: MAX_CONFLICT_RETRIES + 1 }, "sync report not written: the record kept changing");
  }

  private markWritten(sync: CatalogSyncReportStatus): void {
    this.lastWritten = sync;
    this.lastWrittenAt = this.options.clock.now();
  }
}
