/** Creating and checking the store's table (for `fargatectl table create` and the test bed). */

import { setTimeout as sleep } from "node:timers/promises";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type TableDescription,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { TableShapeError } from "./errors.js";
import { KIND_INDEX, TTL_ATTRIBUTE } from "./layout.js";
import { sdkErrorName, translateError } from "./translate.js";

/** What `describeTableShape` found. */
export interface TableShape {
  tableName: string;
  status: string;
  /** Present when the table has a stream; the watcher polls without one. */
  streamArn?: string;
  streamViewType?: string;
  billingMode: string;
  ttlAttribute?: string;
  /** Mismatches that make the table unusable (keys, index). */
  problems: string[];
  /** Differences the store can live with (no stream, no TTL, provisioned billing). */
  warnings: string[];
}

/** Outcome of `createTable`. */
export const CreateTableOutcome = { Created: "created", Exists: "exists" } as const;

/** One of `created`, `exists`. */
export type CreateTableOutcome = (typeof CreateTableOutcome)[keyof typeof CreateTableOutcome];

/** Result of `createTable`. */
export interface CreateTableResult {
  outcome: CreateTableOutcome;
  shape: TableShape;
}

/** Options for `createTable`. */
export interface CreateTableOptions {
  /** Enable the NEW_AND_OLD_IMAGES stream (default true; false only to exercise the polling fallback). */
  stream?: boolean;
  /** How long to wait for the table to become ACTIVE (ms). */
  timeoutMs?: number;
}

function keyOf(schema: TableDescription["KeySchema"], type: "HASH" | "RANGE"): string | undefined {
  return schema?.find((element) => element.KeyType === type)?.AttributeName;
}

function shapeOf(table: TableDescription, ttlAttribute: string | undefined): TableShape {
  const problems: string[] = [];
  const warnings: string[] = [];
  if (keyOf(table.KeySchema, "HASH") !== "pk" || keyOf(table.KeySchema, "RANGE") !== "sk") {
    problems.push("the primary key must be pk (HASH, S) and sk (RANGE, S)");
  }
  const index = table.GlobalSecondaryIndexes?.find((gsi) => gsi.IndexName === KIND_INDEX);
  if (!index) problems.push(`the global secondary index ${KIND_INDEX} is missing`);
  else {
    if (keyOf(index.KeySchema, "HASH") !== "kind" || keyOf(index.KeySchema, "RANGE") !== "pk") {
      problems.push(`index ${KIND_INDEX} must have kind (HASH) and pk (RANGE)`);
    }
    if (index.Projection?.ProjectionType !== "ALL")
      problems.push(`index ${KIND_INDEX} must project ALL attributes`);
  }
  const stream = table.StreamSpecification;
  const streamArn = stream?.StreamEnabled ? table.LatestStreamArn : undefined;
  if (!streamArn) warnings.push("the table has no stream: watchers fall back to polling");
  else if (stream?.StreamViewType !== "NEW_AND_OLD_IMAGES") {
    problems.push(`the stream must be NEW_AND_OLD_IMAGES (it is ${stream?.StreamViewType})`);
  }
  if (ttlAttribute !== TTL_ATTRIBUTE)
    warnings.push(`TTL is not enabled on ${TTL_ATTRIBUTE}: events will not expire`);
  const billingMode = table.BillingModeSummary?.BillingMode ?? "PROVISIONED";
  const shape: TableShape = {
    tableName: table.TableName ?? "",
    status: table.TableStatus ?? "",
    billingMode,
    problems,
    warnings,
  };
  if (streamArn) {
    shape.streamArn = streamArn;
    if (stream?.StreamViewType) shape.streamViewType = stream.StreamViewType;
  }
  if (ttlAttribute) shape.ttlAttribute = ttlAttribute;
  return shape;
}

/** Describes the table and checks it against the layout; undefined when it does not exist. */
export async function describeTableShape(
  client: DynamoDBClient,
  tableName: string,
): Promise<TableShape | undefined> {
  let table: TableDescription | undefined;
  try {
    table = (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (sdkErrorName(error) === "ResourceNotFoundException") return undefined;
    throw translateError(error, `describe table ${tableName}`);
  }
  if (!table) return undefined;
  let ttlAttribute: string | undefined;
  try {
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    const description = ttl.TimeToLiveDescription;
    if (description?.TimeToLiveStatus === "ENABLED" || description?.TimeToLiveStatus === "ENABLING") {
      ttlAttribute = description.AttributeName;
    }
  } catch (error) {
    throw translateError(error, `describe TTL of ${tableName}`);
  }
  return shapeOf(table, ttlAttribute);
}

async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const table = (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
    const indexesActive = (table?.GlobalSecondaryIndexes ?? []).every((gsi) => gsi.IndexStatus === "ACTIVE");
    if (table?.TableStatus === "ACTIVE" && indexesActive) return;
    if (Date.now() > deadline) throw new TableShapeError(`table ${tableName} did not become ACTIVE in time`);
    await sleep(250);
  }
}

/**
 * Creates the table (on-demand, stream NEW_AND_OLD_IMAGES, the kind index, TTL on `expiresAt`) and waits until
 * it is ACTIVE. Idempotent: an existing table with the right shape is `exists`; a wrong shape is a TableShapeError.
 */
export async function createTable(
  client: DynamoDBClient,
  tableName: string,
  options: CreateTableOptions = {},
): Promise<CreateTableResult> {
  const existing = await describeTableShape(client, tableName);
  if (existing) return { outcome: CreateTableOutcome.Exists, shape: checked(existing) };
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: "sk", AttributeType: "S" },
          { AttributeName: "kind", AttributeType: "S" },
        ],
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: KIND_INDEX,
            KeySchema: [
              { AttributeName: "kind", KeyType: "HASH" },
              { AttributeName: "pk", KeyType: "RANGE" },
            ],
            Projection: { ProjectionType: "ALL" },
          },
        ],
        ...(options.stream === false
          ? {}
          : { StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" } }),
      }),
    );
  } catch (error) {
    // Someone else created it between our describe and create: treat like an existing table.
    if (sdkErrorName(error) === "ResourceInUseException") {
      const raced = await describeTableShape(client, tableName);
      if (raced) return { outcome: CreateTableOutcome.Exists, shape: checked(raced) };
    }
    throw translateError(error, `create table ${tableName}`);
  }
  try {
    await waitUntilActive(client, tableName, options.timeoutMs ?? 120_000);
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  } catch (error) {
    throw translateError(error, `finish creating table ${tableName}`);
  }
  const shape = await describeTableShape(client, tableName);
  if (!shape) throw new TableShapeError(`table ${tableName} vanished right after it was created`);
  return { outcome: CreateTableOutcome.Created, shape: checked(shape) };
}

function checked(shape: TableShape): TableShape {
  if (shape.problems.length > 0) {
    throw new TableShapeError(
      `table ${shape.tableName} exists but does not have the layout this store needs: ${shape.problems.join("; ")}`,
    );
  }
  return shape;
}
