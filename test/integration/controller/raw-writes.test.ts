/**
 * The table is the API (DESIGN §11): raw DynamoDB writes, as boto3, the AWS CLI or Terraform make them, reach
 * ECS through the controller's watch alone (resync disabled), `wait`'s rule does not call the previous spec
 * Ready, and a scale-up is Ready only once its tasks run. The whole controller runtime (informers, work queue,
 * leader election) runs on DynamoDB Local's stream; time is the simulator's ManualClock, driven forward in steps.
 */
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { judgeRecord, Verdict } from "../../../src/cli/wait-condition.js";
import { waitForRecord } from "../../../src/cli/wait-loop.js";
import { silentLogger } from "../../../src/log.js";
import { Manager } from "../../../src/runtime/manager.js";
import type { StoredResource } from "../../../src/store/types.js";
import { clientsFor } from "../aws-sim/support.js";
import {
  conditionOf,
  exampleDocuments,
  type ReconcileBench,
  startReconcileBench,
} from "./reconcile-harness.js";
import { testSettings, until } from "./support.js";

const READY = { type: "condition", condition: "Ready", status: "True" } as const;
const KEY = { pk: "default", sk: "FargateService#hello" };

let bench: ReconcileBench;
let manager: Manager;
let documents: DynamoDBDocumentClient;

beforeEach(async () => {
  bench = await startReconcileBench();
  documents = DynamoDBDocumentClient.from(bench.store.clients.dynamodb);
  manager = new Manager({
    store: bench.store,
    leases: bench.store.leases,
    reconcilers: Object.values(bench.reconcilers),
    // No resync: a change the watch does not turn into a pass is never acted on.
    settings: testSettings("raw-writes", "raw-writes", {
      resyncPeriodMs: 0,
      reconcileTimeoutMs: 600_000,
      leaseDurationMs: 3_600_000,
      leaseHeartbeatMs: 600_000,
    }),
    log: silentLogger(),
    clock: bench.clock,
  });
  await manager.start();
  await manager.waitForSync();
  await until(() => manager.isLeader, "leadership");
});

afterEach(async () => {
  await manager.stop();
  await bench.close();
});

/** The record as `wait` reads it. */
function hello(): Promise<StoredResource> {
  return bench.store.get("FargateService", "default", "hello");
}

/** True when `wait --for condition=Ready` would return now. */
async function waitWouldReturn(): Promise<boolean> {
  return judgeRecord(await hello(), READY).state === Verdict.Met;
}

/**
 * Moves the clocks on in 500 ms steps (the simulator's rollouts, the requeues) until `check` holds; between
 * steps the stream and the passes run on real time.
 */
async function drive(check: () => Promise<boolean>, what: string, steps = 400): Promise<void> {
  for (let i = 0; i < steps; i += 1) {
    if (await check()) return;
    await bench.clock.advance(500);
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${what}: not reached in ${steps} steps`);
}

async function ecsService() {
  const { ecs } = clientsFor(bench.sim.endpoint);
  try {
    const out = await ecs.send(new DescribeServicesCommand({ cluster: "apps", services: ["default-hello"] }));
    return out.services?.[0];
  } finally {
    ecs.destroy();
  }
}

async function createHello(): Promise<StoredResource> {
  const [document] = await exampleDocuments("services/hello.yaml");
  if (document === undefined) throw new Error("examples/services/hello.yaml changed");
  await bench.store.apply(document);
  await drive(waitWouldReturn, "hello Ready");
  return hello();
}

describe("raw writes to the table", () => {
  it("an update-item of spec.desiredCount reaches ECS without a resync, and Ready waits for the 5 tasks", async () => {
    const before = await createHello();
    expect((await ecsService())?.desiredCount).toBe(1);

    // What the README's hand edit does: spec changes, resourceVersion and generation stay.
    await documents.send(
      new UpdateCommand({
        TableName: bench.store.tableName,
        Key: KEY,
        UpdateExpression: "SET #spec.#count = :count",
        ExpressionAttributeNames: { "#spec": "spec", "#count": "desiredCount" },
        ExpressionAttributeValues: { ":count": 5 },
      }),
    );
    const edited = await hello();
    expect(edited.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(edited.metadata.generation).toBe(before.metadata.generation);

    // `wait` does not take the previous spec's Ready for this one.
    const waited = await waitForRecord(bench.store, {
      kind: "FargateService",
      namespace: "default",
      name: "hello",
      target: READY,
      timeoutMs: 0,
      now: () => bench.clock.now(),
    });
    expect(waited).toMatchObject({ end: "timedOut" });
    expect(waited.detail).toContain("the controller has not acted on the current spec yet");

    const readySeen: StoredResource[] = [];
    const notReadySeen: StoredResource[] = [];
    await drive(async () => {
      const record = await hello();
      if (judgeRecord(record, READY).state === Verdict.Met) readySeen.push(record);
      else notReadySeen.push(record);
      const running = (await ecsService())?.runningCount;
      return readySeen.length > 0 && running === 5;
    }, "5/5 tasks and Ready");

    expect((await ecsService())?.desiredCount).toBe(5);
    // Ready never came before every task ran, and then the replicas said 5/5.
    for (const record of readySeen) {
      expect(record.status?.replicas).toEqual({ desired: 5, running: 5, pending: 0 });
      expect(conditionOf(record, "Ready")?.message).toMatch(/^5\/5 tasks running/);
    }
    // On the way, the status followed ECS while the tasks started.
    const starting = notReadySeen.filter((r) => conditionOf(r, "Ready")?.reason === "TasksStarting");
    expect(starting.length).toBeGreaterThan(0);
    for (const record of starting) {
      expect(conditionOf(record, "Reconciling")?.status).toBe("True");
      expect(conditionOf(record, "Ready")?.message).toMatch(/^[0-4]\/5 tasks running/);
    }
    const after = await hello();
    expect(after.status?.observedSpecHash).toBe(after.specHash);
  });

  it("a put-item over a Ready record (no resourceVersion) is reconciled", async () => {
    const before = await createHello();
    const got = await documents.send(new GetCommand({ TableName: bench.store.tableName, Key: KEY }));
    const item = got.Item;
    if (item === undefined) throw new Error("no item");
    // What Terraform's table item writes on a change: the whole item, without the store's version counter.
    const { resourceVersion: _rv, ...rest } = item;
    const spec = item.spec as { containers: Array<{ image: string }> };
    const [container] = spec.containers;
    if (container === undefined) throw new Error("no container");
    container.image = "public.ecr.aws/nginx/nginx:1.28";
    await documents.send(new PutCommand({ TableName: bench.store.tableName, Item: { ...rest, spec } }));
    const put = await hello();
    expect(put.metadata.resourceVersion).toBe("0");
    expect(await waitWouldReturn()).toBe(false);

    await drive(waitWouldReturn, "Ready for the put spec");
    const after = await hello();
    expect(after.status?.taskDefinitionArn).not.toBe(before.status?.taskDefinitionArn);
    const service = await ecsService();
    expect(service?.taskDefinition).toBe(after.status?.taskDefinitionArn);
    expect(service?.deployments?.find((d) => d.status === "PRIMARY")?.runningCount).toBe(1);
  });
});
