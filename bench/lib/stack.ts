/** The bench's local stack: DynamoDB Local, the AWS simulator on the scaled clock, fresh tables. */

import { type AwsSimulator, startAwsSimulator } from "../../src/dev/aws-sim/index.js";
import { startDynamoDbLocal } from "../../src/dev/dynamodb-local.js";
import { DynamoResourceStore } from "../../src/store/dynamo-store.js";
import { createTable } from "../../src/store/table.js";
import type { Cleanup } from "./cleanup.js";
import { BENCH_CREDENTIALS, BENCH_REGION } from "./controller.js";
import type { ScaledClock } from "./scaled-clock.js";

/** Simulated seconds from task launch to RUNNING (the simulator's `rolloutSeconds`). */
export const ROLLOUT_SECONDS = 2;

/** The running stack. */
export interface BenchStack {
  dynamodbEndpoint: string;
  sim: AwsSimulator;
  clock: ScaledClock;
  /** Creates a table with a stream and returns a store on it (destroyed by the cleanup). */
  freshStore(prefix: string): Promise<DynamoResourceStore>;
}

let tables = 0;

/** A store on `tableName` at `endpoint` with the bench credentials. */
export function storeAt(endpoint: string, tableName: string): DynamoResourceStore {
  return new DynamoResourceStore({
    tableName,
    client: { endpoint, region: BENCH_REGION, credentials: { ...BENCH_CREDENTIALS } },
    maxAttempts: 3,
  });
}

/**
 * Starts DynamoDB Local and the simulator (lenient mode, AWS's published ECS buckets on, its clock the bench's
 * scaled clock with timeScale 1 on top, so refills and rollouts run `clock.scale` times faster than the wall).
 */
export async function startBenchStack(clock: ScaledClock, cleanup: Cleanup): Promise<BenchStack> {
  const dynamodb = await startDynamoDbLocal();
  cleanup.add("DynamoDB Local", () => dynamodb.stop());
  const sim = await startAwsSimulator({
    clock,
    timeScale: 1,
    throttling: true,
    rolloutSeconds: ROLLOUT_SECONDS,
  });
  cleanup.add("AWS simulator", () => sim.stop());
  return {
    dynamodbEndpoint: dynamodb.endpoint,
    sim,
    clock,
    freshStore: async (prefix) => {
      tables += 1;
      const store = storeAt(dynamodb.endpoint, `${prefix}-${process.pid}-${tables}`);
      cleanup.add(`store ${store.tableName}`, () => store.destroy());
      await createTable(store.clients.dynamodb, store.tableName);
      return store;
    },
  };
}
