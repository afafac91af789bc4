/**
 * Follows a table's DynamoDB stream: one reader per shard, parents read to their end before their children
 * start, GetRecords polling with backoff when empty, iterators re-got from the last sequence number before
 * their 15-minute expiry, new shards discovered periodically. A lost position (trimmed data, a vanished
 * shard, an expired iterator with nothing to resume from) is a gap: the watcher takes fresh LATEST positions
 * on every open shard first, then reports `onGap` so the caller's relist misses nothing.
 */

import { setTimeout as sleep } from "node:timers/promises";
import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type ShardIteratorType,
} from "@aws-sdk/client-dynamodb-streams";
import type { Kind } from "../crds/meta.js";
import { StoreError } from "./errors.js";
import { deliver } from "./poll-watcher.js";
import { classifyStreamError, StreamErrorKind, sdkErrorName, translateError } from "./translate.js";
import type { WatchHandlers } from "./types.js";
import { streamRecordToEvent, streamRecordToInvalidItem } from "./watch-events.js";

/** What the stream watcher needs. */
export interface StreamWatchSettings {
  dynamodb: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  tableName: string;
  streamArn: string;
  kinds: ReadonlySet<Kind>;
  pollIntervalMs: number;
  shardDiscoveryIntervalMs: number;
  from: "latest" | "trimHorizon";
  signal: AbortSignal;
}

interface ShardInfo {
  shardId: string;
  parentShardId: string | undefined;
  closed: boolean;
}

type ShardState = "waiting" | "reading" | "done";

/** Iterators live 15 minutes; re-get well before that (a paused process, a slow handler). */
const ITERATOR_REFRESH_MS = 10 * 60_000;
const MAX_ERROR_BACKOFF_MS = 5_000;
const RECORDS_PER_CALL = 1_000;

/** One stream watch: start it, then await `finished` after aborting its signal. */
export class StreamWatcher {
  private streamArn: string;
  /** Bumped by a gap reset; readers of an older epoch stop. */
  private epoch = 0;
  private readonly shards = new Map<string, ShardState>();
  private readonly parents = new Map<string, string | undefined>();
  private readonly tasks = new Set<Promise<void>>();
  private resetting = false;

  constructor(
    private readonly settings: StreamWatchSettings,
    private readonly handlers: WatchHandlers,
  ) {
    this.streamArn = settings.streamArn;
  }

  /** Takes the starting positions (so every write after this resolves is seen) and starts the readers. */
  async start(): Promise<void> {
    const shards = await this.describeShards();
    if (this.settings.from === "latest") await this.startAtLatest(shards, this.epoch);
    else this.trackAll(shards, this.epoch);
    this.spawn(this.discoveryLoop());
  }

  /** Resolves when every reader and loop has ended (after the signal aborted). */
  async finished(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }

  private alive(epoch: number): boolean {
    return !this.settings.signal.aborted && epoch === this.epoch;
  }

  private spawn(task: Promise<void>): void {
    const tracked = task
      .catch((error: unknown) => this.report(error))
      .finally(() => this.tasks.delete(tracked));
    this.tasks.add(tracked);
  }

  private report(error: unknown): void {
    if (this.settings.signal.aborted) return;
    const translated = translateError(error, "watch");
    deliver(this.handlers, () => this.handlers.onError?.(translated));
  }

  /** Sleeps; false when the watch was stopped meanwhile. */
  private async pause(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.settings.signal });
      return true;
    } catch {
      return false;
    }
  }

  private async describeShards(): Promise<ShardInfo[]> {
    const out: ShardInfo[] = [];
    let start: string | undefined;
    do {
      const result = await this.settings.streams.send(
        new DescribeStreamCommand({
          StreamArn: this.streamArn,
          ...(start ? { ExclusiveStartShardId: start } : {}),
        }),
        { abortSignal: this.settings.signal },
      );
      for (const shard of result.StreamDescription?.Shards ?? []) {
        if (!shard.ShardId) continue;
        out.push({
          shardId: shard.ShardId,
          parentShardId: shard.ParentShardId,
          closed: shard.SequenceNumberRange?.EndingSequenceNumber !== undefined,
        });
      }
      start = result.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return out;
  }

  private async iterator(shardId: string, type: ShardIteratorType, sequenceNumber?: string): Promise<string> {
    const result = await this.settings.streams.send(
      new GetShardIteratorCommand({
        StreamArn: this.streamArn,
        ShardId: shardId,
        ShardIteratorType: type,
        ...(sequenceNumber ? { SequenceNumber: sequenceNumber } : {}),
      }),
      { abortSignal: this.settings.signal },
    );
    if (!result.ShardIterator)
      throw new StoreError(`shard ${shardId} gave no iterator (it is closed and read)`);
    return result.ShardIterator;
  }

  /** Known history is skipped: closed shards count as read, open shards start at their tip. */
  private async startAtLatest(shards: ShardInfo[], epoch: number): Promise<void> {
    const open = shards.filter((shard) => !shard.closed);
    for (const shard of shards) {
      this.parents.set(shard.shardId, shard.parentShardId);
      if (shard.closed) this.shards.set(shard.shardId, "done");
    }
    const iterators = await Promise.all(open.map((shard) => this.iterator(shard.shardId, "LATEST")));
    open.forEach((shard, index) => {
      this.shards.set(shard.shardId, "reading");
      this.spawn(this.read(shard.shardId, "LATEST", iterators[index], epoch));
    });
  }

  /** Tracks shards parents first, whatever order DescribeStream listed them in. */
  private trackAll(shards: ShardInfo[], epoch: number): void {
    const byId = new Map(shards.map((shard) => [shard.shardId, shard]));
    const visit = (shard: ShardInfo, depth: number): void => {
      const parent = shard.parentShardId ? byId.get(shard.parentShardId) : undefined;
      if (parent && depth < shards.length) visit(parent, depth + 1);
      this.track(shard, epoch);
    };
    for (const shard of shards) visit(shard, 0);
  }

  /** Starts reading a shard from its beginning, unless its parent is still being read. */
  private track(shard: ShardInfo, epoch: number): void {
    if (this.shards.has(shard.shardId)) return;
    this.parents.set(shard.shardId, shard.parentShardId);
    const parentState = shard.parentShardId ? this.shards.get(shard.parentShardId) : undefined;
    if (parentState === "waiting" || parentState === "reading") {
      this.shards.set(shard.shardId, "waiting");
      return;
    }
    this.shards.set(shard.shardId, "reading");
    this.spawn(this.read(shard.shardId, "TRIM_HORIZON", undefined, epoch));
  }

  private shardDone(shardId: string, epoch: number): void {
    if (!this.alive(epoch)) return;
    this.shards.set(shardId, "done");
    for (const [child, state] of this.shards) {
      if (state === "waiting" && this.parents.get(child) === shardId) {
        this.shards.set(child, "reading");
        this.spawn(this.read(child, "TRIM_HORIZON", undefined, epoch));
      }
    }
    // A closed shard means children exist: look for them now rather than at the next discovery tick.
    this.spawn(this.discoverOnce(epoch));
  }

  private async discoverOnce(epoch: number): Promise<void> {
    try {
      const shards = await this.describeShards();
      if (!this.alive(epoch)) return;
      this.trackAll(shards, epoch);
    } catch (error) {
      if (!this.alive(epoch)) return;
      if (classifyStreamError(error) === StreamErrorKind.NotFound)
        this.gap(`stream not found: ${sdkErrorName(error)}`);
      else this.report(error);
    }
  }

  private async discoveryLoop(): Promise<void> {
    while (await this.pause(this.settings.shardDiscoveryIntervalMs)) {
      if (!this.resetting) await this.discoverOnce(this.epoch);
    }
  }

  /** One shard reader. */
  private async read(
    shardId: string,
    start: ShardIteratorType,
    initial: string | undefined,
    epoch: number,
  ): Promise<void> {
    const { pollIntervalMs } = this.settings;
    let iterator = initial;
    let lastSequence: string | undefined;
    let issuedAt = Date.now();
    let emptyDelay = pollIntervalMs;
    let errorDelay = pollIntervalMs;
    while (this.alive(epoch)) {
      let result: GetRecordsCommandOutput;
      try {
        if (iterator === undefined || Date.now() - issuedAt > ITERATOR_REFRESH_MS) {
          iterator = lastSequence
            ? await this.iterator(shardId, "AFTER_SEQUENCE_NUMBER", lastSequence)
            : await this.iterator(shardId, start);
          issuedAt = Date.now();
        }
        result = await this.settings.streams.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: RECORDS_PER_CALL }),
          { abortSignal: this.settings.signal },
        );
      } catch (error) {
        if (!this.alive(epoch)) return;
        const kind = classifyStreamError(error);
        if (kind === StreamErrorKind.Expired && (lastSequence || start === "TRIM_HORIZON")) {
          iterator = undefined;
          continue;
        }
        if (
          kind === StreamErrorKind.Expired ||
          kind === StreamErrorKind.Trimmed ||
          kind === StreamErrorKind.NotFound
        ) {
          this.gap(`shard ${shardId}: ${sdkErrorName(error) || kind}`);
          return;
        }
        if (kind === StreamErrorKind.Other) this.report(error);
        if (!(await this.pause(errorDelay))) return;
        errorDelay = Math.min(errorDelay * 2, MAX_ERROR_BACKOFF_MS);
        continue;
      }
      errorDelay = pollIntervalMs;
      issuedAt = Date.now();
      const records = result.Records ?? [];
      for (const record of records) {
        if (!this.alive(epoch)) return;
        lastSequence = record.dynamodb?.SequenceNumber ?? lastSequence;
        const event = streamRecordToEvent(record, this.settings.kinds);
        if (event) deliver(this.handlers, () => this.handlers.onEvent(event));
        const invalid = streamRecordToInvalidItem(record, this.settings.kinds);
        if (invalid)
          deliver(this.handlers, () => this.handlers.onInvalidItem?.(invalid.item, invalid.change));
      }
      if (!result.NextShardIterator) {
        this.shardDone(shardId, epoch);
        return;
      }
      iterator = result.NextShardIterator;
      if (records.length === RECORDS_PER_CALL) continue;
      if (records.length > 0) emptyDelay = pollIntervalMs;
      if (!(await this.pause(emptyDelay))) return;
      if (records.length === 0) emptyDelay = Math.min(emptyDelay * 2, pollIntervalMs * 2);
    }
  }

  /** Lost continuity: take fresh LATEST positions everywhere, then tell the caller to relist. */
  private gap(reason: string): void {
    if (this.resetting || this.settings.signal.aborted) return;
    this.resetting = true;
    this.epoch++;
    const epoch = this.epoch;
    this.shards.clear();
    this.parents.clear();
    this.spawn(
      (async () => {
        try {
          for (
            let delay = this.settings.pollIntervalMs;
            this.alive(epoch);
            delay = Math.min(delay * 2, MAX_ERROR_BACKOFF_MS)
          ) {
            try {
              await this.refreshStreamArn();
              await this.startAtLatest(await this.describeShards(), epoch);
              deliver(this.handlers, () => this.handlers.onGap(reason));
              return;
            } catch (error) {
              this.report(error);
              if (!(await this.pause(delay))) return;
            }
          }
        } finally {
          this.resetting = false;
        }
      })(),
    );
  }

  /** The stream may have been replaced (disabled and enabled again): follow the table's current one. */
  private async refreshStreamArn(): Promise<void> {
    const table = (
      await this.settings.dynamodb.send(new DescribeTableCommand({ TableName: this.settings.tableName }), {
        abortSignal: this.settings.signal,
      })
    ).Table;
    const arn = table?.StreamSpecification?.StreamEnabled ? table.LatestStreamArn : undefined;
    if (!arn)
      throw new StoreError(
        `table ${this.settings.tableName} has no stream any more; restart the watch to poll`,
      );
    this.streamArn = arn;
  }
}
