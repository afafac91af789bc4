/**
 * Shard ordering in the stream watcher, on a scripted stream (aws-sdk-client-mock): a closed parent shard is read
 * to its end before its child starts, whatever order DescribeStream lists them in. Local servers never split
 * shards, so this is the one place the lineage rule is exercised.
 */
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from "@aws-sdk/client-dynamodb-streams";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import type { WatchEvent, WatchHandle } from "../../../src/store/types.js";
import { storeAt, waitFor } from "../../support/store-fixtures.js";

const STREAM_ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/1";

function insert(name: string, sequence: string) {
  return {
    eventName: "INSERT" as const,
    dynamodb: {
      SequenceNumber: sequence,
      ApproximateCreationDateTime: new Date(1_700_000_000_000),
      NewImage: {
        pk: { S: "default" },
        sk: { S: `FargateService#${name}` },
        kind: { S: "FargateService" },
        resourceVersion: { N: "1" },
        spec: { M: {} },
      },
    },
  };
}

describe("stream watcher shard lineage", () => {
  const dynamodb = mockClient(DynamoDBClient);
  const streams = mockClient(DynamoDBStreamsClient);
  let handle: WatchHandle | undefined;
  afterEach(async () => {
    await handle?.stop();
    dynamodb.reset();
    streams.reset();
  });

  it("reads a parent to its end before its child, from the trim horizon", async () => {
    const log: string[] = [];
    dynamodb.on(DescribeTableCommand).resolves({
      Table: {
        LatestStreamArn: STREAM_ARN,
        StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
      },
    });
    streams.on(DescribeStreamCommand).resolves({
      StreamDescription: {
        Shards: [
          {
            ShardId: "child",
            ParentShardId: "parent",
            SequenceNumberRange: { StartingSequenceNumber: "200" },
          },
          {
            ShardId: "parent",
            SequenceNumberRange: { StartingSequenceNumber: "100", EndingSequenceNumber: "199" },
          },
        ],
      },
    });
    streams.on(GetShardIteratorCommand).callsFake((input: { ShardId: string }) => {
      log.push(`iterator ${input.ShardId}`);
      return { ShardIterator: `${input.ShardId}-0` };
    });
    const pages: Record<string, { Records: ReturnType<typeof insert>[]; NextShardIterator?: string }> = {
      "parent-0": { Records: [insert("first", "100")], NextShardIterator: "parent-1" },
      "parent-1": { Records: [insert("second", "101")] },
      "child-0": { Records: [insert("third", "200")], NextShardIterator: "child-1" },
      "child-1": { Records: [], NextShardIterator: "child-1" },
    };
    streams.on(GetRecordsCommand).callsFake((input: { ShardIterator: string }) => {
      log.push(`records ${input.ShardIterator}`);
      return pages[input.ShardIterator] ?? { Records: [] };
    });

    const store = storeAt("http://127.0.0.1:9", "t");
    const events: WatchEvent[] = [];
    handle = await store.watch(
      { onEvent: (e) => events.push(e), onGap: () => undefined },
      { from: "trimHorizon", pollIntervalMs: 10 },
    );
    await waitFor(() => (events.length >= 3 ? true : undefined), "three events");
    expect(events.map((e) => e.resource.metadata.name)).toEqual(["first", "second", "third"]);
    expect(log.indexOf("iterator child")).toBeGreaterThan(log.indexOf("records parent-1"));
    expect(handle.mode).toBe("stream");
  });
});
