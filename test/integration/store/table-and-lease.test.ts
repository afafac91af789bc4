/** createTable (idempotent, shape checks) and the lease primitives, on DynamoDB Local and moto. */
import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { afterEach, describe, expect, it } from "vitest";
import type { DynamoResourceStore } from "../../../src/store/dynamo-store.js";
import { LeaseConflictError, TableNotFoundError, TableShapeError } from "../../../src/store/errors.js";
import { createTable, describeTableShape } from "../../../src/store/table.js";
import {
  endpointOf,
  freshStore,
  STORE_BACKENDS,
  storeAt,
  uniqueTableName,
} from "../../support/store-fixtures.js";

describe.each(STORE_BACKENDS)("table management on %s", (_backend, endpointKey) => {
  let store: DynamoResourceStore;
  afterEach(() => store?.destroy());

  it("creates the table once and reports an existing one", async () => {
    store = storeAt(endpointOf(endpointKey), uniqueTableName());
    const first = await createTable(store.clients.dynamodb, store.tableName);
    expect(first.outcome).toBe("created");
    expect(first.shape).toMatchObject({
      billingMode: "PAY_PER_REQUEST",
      streamViewType: "NEW_AND_OLD_IMAGES",
    });
    expect(first.shape.ttlAttribute).toBe("expiresAt");
    expect(first.shape.streamArn).toBeDefined();
    expect(first.shape.problems).toEqual([]);
    const second = await createTable(store.clients.dynamodb, store.tableName);
    expect(second.outcome).toBe("exists");
    expect(second.shape.problems).toEqual([]);
  });

  it("refuses a table with the wrong shape", async () => {
    store = storeAt(endpointOf(endpointKey), uniqueTableName());
    await store.clients.dynamodb.send(
      new CreateTableCommand({
        TableName: store.tableName,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      }),
    );
    const error = await createTable(store.clients.dynamodb, store.tableName).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TableShapeError);
    expect((error as Error).message).toMatch(/pk .*sk/);
    expect((error as Error).message).toMatch(/byKind is missing/);
  });

  it("reports a missing table as such", async () => {
    store = storeAt(endpointOf(endpointKey), uniqueTableName());
    expect(await describeTableShape(store.clients.dynamodb, store.tableName)).toBeUndefined();
    await expect(store.get("FargateService", "default", "x")).rejects.toBeInstanceOf(TableNotFoundError);
  });
});

describe.each(STORE_BACKENDS)("lease primitives on %s", (_backend, endpointKey) => {
  let store: DynamoResourceStore;
  afterEach(() => store?.destroy());

  it("acquires, renews, loses to a takeover, and releases", async () => {
    store = await freshStore(endpointOf(endpointKey));
    const { leases } = store;
    expect(await leases.readLease("controller")).toBeUndefined();

    const mine = await leases.acquireLease("controller", "a", 10_000, null);
    expect(await leases.readLease("controller")).toEqual(mine);
    await expect(leases.acquireLease("controller", "b", 10_000, null)).rejects.toBeInstanceOf(
      LeaseConflictError,
    );

    const renewed = await leases.renewLease("controller", "a", mine.recordVersionNumber);
    expect(renewed).not.toBe(mine.recordVersionNumber);
    expect((await leases.readLease("controller"))?.recordVersionNumber).toBe(renewed);

    // b saw the old version and waited a lease out, but a renewed meanwhile: b must not take it.
    const stale = await leases
      .acquireLease("controller", "b", 10_000, mine.recordVersionNumber)
      .catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(LeaseConflictError);
    expect((stale as LeaseConflictError).current).toMatchObject({
      holder: "a",
      recordVersionNumber: renewed,
    });

    // b saw `renewed` unchanged for a whole lease: it takes over; a's renew then fails.
    const taken = await leases.acquireLease("controller", "b", 10_000, renewed);
    expect(taken.holder).toBe("b");
    await expect(leases.renewLease("controller", "a", renewed)).rejects.toBeInstanceOf(LeaseConflictError);
    await expect(leases.releaseLease("controller", "a", renewed)).rejects.toBeInstanceOf(LeaseConflictError);

    await leases.releaseLease("controller", "b", taken.recordVersionNumber);
    expect(await leases.readLease("controller")).toBeUndefined();
    await leases.releaseLease("controller", "b", taken.recordVersionNumber);
    expect((await leases.acquireLease("controller", "a", 10_000, null)).holder).toBe("a");
  });
});
