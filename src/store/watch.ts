/** `watch`: DynamoDB Streams when the table has a stream, otherwise the polling fallback. */
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { KINDS, type Kind } from "../crds/meta.js";
import type { StoreClients } from "./clients.js";
import type { ItemCheck } from "./item-check.js";
import { startPollWatch } from "./poll-watcher.js";
import { StreamWatcher } from "./stream-watcher.js";
import { translateError } from "./translate.js";
import type { ListOptions, StoredResource, WatchHandle, WatchHandlers, WatchOptions } from "./types.js";

/** What a watch needs from its store. */
export interface WatchDeps {
  clients: StoreClients;
  tableName: string;
  shardDiscoveryIntervalMs: number;
  list(kind: Kind, options?: ListOptions): Promise<StoredResource[]>;
  /** Reads and classifies the item under a record's key; undefined when there is none. */
  probe(kind: Kind, namespace: string, name: string): Promise<ItemCheck>;
}

/** GetRecords poll interval when none is given. */
const DEFAULT_STREAM_POLL_MS = 250;
/** The fallback lists every watched kind per round, so its default is gentler. */
const DEFAULT_LIST_POLL_MS = 5_000;

async function currentStreamArn(deps: WatchDeps): Promise<string | undefined> {
  try {
    const table = (await deps.clients.dynamodb.send(new DescribeTableCommand({ TableName: deps.tableName })))
      .Table;
    return table?.StreamSpecification?.StreamEnabled ? table.LatestStreamArn : undefined;
  } catch (error) {
    throw translateError(error, `describe table ${deps.tableName}`, deps.tableName);
  }
}

/** Starts a watch; resolves once its starting position is fixed (later writes are all reported). */
export async function startWatch(
  deps: WatchDeps,
  handlers: WatchHandlers,
  options: WatchOptions,
): Promise<WatchHandle> {
  const controller = new AbortController();
  const external = options.signal;
  const onExternalAbort = (): void => controller.abort();
  if (external?.aborted) controller.abort();
  else external?.addEventListener("abort", onExternalAbort, { once: true });
  const kinds: ReadonlySet<Kind> = new Set(options.kinds ?? KINDS);
  const from = options.from ?? "latest";
  const handleFor = (mode: "stream" | "poll", finished: () => Promise<void>): WatchHandle => ({
    mode,
    stop: async () => {
      external?.removeEventListener("abort", onExternalAbort);
      controller.abort();
      await finished();
    },
  });
  try {
    const streamArn = await currentStreamArn(deps);
    if (!streamArn) {
      const poll = await startPollWatch(
        {
          list: deps.list,
          probe: deps.probe,
          kinds,
          intervalMs: options.pollIntervalMs ?? DEFAULT_LIST_POLL_MS,
          from,
          signal: controller.signal,
        },
        handlers,
      );
      return handleFor("poll", () => poll.finished);
    }
    const watcher = new StreamWatcher(
      {
        dynamodb: deps.clients.dynamodb,
        streams: deps.clients.streams,
        tableName: deps.tableName,
        streamArn,
        kinds,
        pollIntervalMs: options.pollIntervalMs ?? DEFAULT_STREAM_POLL_MS,
        shardDiscoveryIntervalMs: deps.shardDiscoveryIntervalMs,
        from,
        signal: controller.signal,
      },
      handlers,
    );
    await watcher.start();
    return handleFor("stream", () => watcher.finished());
  } catch (error) {
    controller.abort();
    external?.removeEventListener("abort", onExternalAbort);
    throw translateError(error, "start watch", deps.tableName);
  }
}
