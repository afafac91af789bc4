/** Helpers for the store's integration suites: backends, fresh tables, waiting for events. */
import { setTimeout as sleep } from "node:timers/promises";
import { inject } from "vitest";
import { API_VERSION, type Kind } from "../../src/crds/meta.js";
import { DynamoResourceStore } from "../../src/store/dynamo-store.js";
import { createTable } from "../../src/store/table.js";
import type { ResourceDocument } from "../../src/store/types.js";

/** The two DynamoDB implementations every store contract test runs against. */
export const STORE_BACKENDS = [
  ["dynamodb-local", "dynamodbLocalEndpoint"],
  ["moto", "motoEndpoint"],
] as const;

/** One backend's name. */
export type StoreBackend = (typeof STORE_BACKENDS)[number][0];

/** Static credentials both local servers accept. */
export const TEST_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

/** The region the test bed uses. */
export const TEST_REGION = "us-east-1";

let counter = 0;

/** A table name no other test uses. */
export function uniqueTableName(prefix = "store"): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/** The endpoint of a backend, from the global setup. */
export function endpointOf(key: (typeof STORE_BACKENDS)[number][1]): string {
  return inject(key);
}

/** Client settings for a store at `endpoint`. */
export interface TestStoreOptions {
  /** Create the table with a stream (default true). */
  stream?: boolean;
  /** Cap the client's connections (1 serialises every request). */
  maxSockets?: number;
}

/** A store on `tableName` at `endpoint` (the table is not created). */
export function storeAt(
  endpoint: string,
  tableName: string,
  options: TestStoreOptions = {},
): DynamoResourceStore {
  return new DynamoResourceStore({
    tableName,
    client: {
      endpoint,
      region: TEST_REGION,
      credentials: TEST_CREDENTIALS,
      ...(options.maxSockets === undefined ? {} : { maxSockets: options.maxSockets }),
    },
    maxAttempts: 2,
    shardDiscoveryIntervalMs: 1_000,
  });
}

/** Creates a fresh table (with a stream unless told otherwise) and returns a store on it. */
export async function freshStore(
  endpoint: string,
  options: TestStoreOptions = {},
): Promise<DynamoResourceStore> {
  const store = storeAt(endpoint, uniqueTableName(), options);
  await createTable(
    store.clients.dynamodb,
    store.tableName,
    options.stream === false ? { stream: false } : {},
  );
  return store;
}

/** A minimal valid-looking document (the store does not validate specs; the CLI does). */
export function doc(
  kind: Kind,
  name: string,
  spec: Record<string, unknown>,
  metadata: Partial<ResourceDocument["metadata"]> = {},
): ResourceDocument {
  return { apiVersion: API_VERSION, kind, metadata: { name, ...metadata }, spec };
}

/** Polls `check` until it returns a value (not undefined) or the wait runs out. */
export async function waitFor<T>(check: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
