/**
 * Raw items the store cannot serve as records (DESIGN 11, "The table is the API"), PutItem'd straight into
 * DynamoDB Local while `fargatectl controller` runs in process with the AWS simulator behind ECS and Cloud Map:
 * a name with a dot, an upper-case namespace, a 300-character name, a `kind` that disagrees with `sk`, items too
 * large to take their status, and one whose task definition ECS would refuse. Each gets exactly one log line,
 * a status where its key and size allow, no AWS call, and no retry: the work queue drains.
 */
import { EventEmitter } from "node:events";
import { Writable } from "node:stream";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, describe, expect, it } from "vitest";
import { API_VERSION, type Condition } from "../../../src/crds/meta.js";
import { type AwsSimulator, startAwsSimulator } from "../../../src/dev/aws-sim/index.js";
import { runControllerCommand } from "../../../src/reconcilers/command.js";
import { findCondition } from "../../../src/reconcilers/conditions.js";
import type { Manager } from "../../../src/runtime/manager.js";
import type { DynamoResourceStore } from "../../../src/store/dynamo-store.js";
import { itemSize } from "../../../src/store/layout.js";
import { endpointOf, freshStore, TEST_CREDENTIALS } from "../../support/store-fixtures.js";
import { until } from "./support.js";

const NS = "team";

/** A valid FargateService spec, optionally with environment variables on its container. */
function serviceSpec(environment: Record<string, string> = {}): Record<string, unknown> {
  return {
    cluster: "apps",
    cpu: 256,
    memory: 512,
    containers: [{ name: "web", image: "nginx:1.27", environment }],
    network: { subnets: ["subnet-0a1b2c3d4e5f60718"], securityGroups: ["sg-0123456789abcdef0"] },
  };
}

/** A hand-written FargateService item (what `aws dynamodb put-item` writes). */
function rawItem(pk: string, name: string, spec = serviceSpec()): Record<string, unknown> {
  return { pk, sk: `FargateService#${name}`, kind: "FargateService", apiVersion: API_VERSION, spec };
}

/** `item` grown to about `kb` KB by one environment value of its first container. */
function grownTo(item: Record<string, unknown>, kb: number): Record<string, unknown> {
  const withSpec = (fill: string) => ({ ...item, spec: serviceSpec({ FILL: fill }) });
  return withSpec("x".repeat(kb * 1024 - itemSize(withSpec(""))));
}

/** A hand-written item of about `kb` KB. */
function itemOfSize(name: string, kb: number): Record<string, unknown> {
  return grownTo(rawItem(NS, name), kb);
}

interface Running {
  store: DynamoResourceStore;
  sim: AwsSimulator;
  documents: DynamoDBDocumentClient;
  lines: Array<Record<string, unknown>>;
  manager: Manager;
  stop(): Promise<number>;
}

let running: Running | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** A fresh table with `before` already in it, and the controller running on it as leader. */
async function startController(before: Array<Record<string, unknown>>): Promise<Running> {
  const store = await freshStore(endpointOf("dynamodbLocalEndpoint"));
  const documents = DynamoDBDocumentClient.from(store.clients.dynamodb);
  for (const item of before) await documents.send(new PutCommand({ TableName: store.tableName, Item: item }));
  const sim = await startAwsSimulator({ timeScale: 10 });
  const signals = new EventEmitter();
  const lines: Array<Record<string, unknown>> = [];
  const logDestination = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      cb();
    },
  });
  let manager: Manager | undefined;
  const exit = runControllerCommand(
    {
      "metrics-address": "127.0.0.1:0",
      "lease-name": "invalid-items",
      "lease-duration": "1.5s",
      "lease-heartbeat": "500ms",
      "watch-poll-interval": "100ms",
      "retry-base-delay": "50ms",
      // The sweep's periodic listing is not caused by any item; "no AWS call" is about the items.
      "orphan-sweep-interval": "0",
      table: store.tableName,
    },
    { AWS_ENDPOINT_URL_ECS: sim.endpoint, AWS_ENDPOINT_URL_SERVICEDISCOVERY: sim.endpoint },
    {
      credentials: TEST_CREDENTIALS,
      store,
      leases: store.leases,
      signals,
      logDestination,
      onStarted: (m) => {
        manager = m;
      },
    },
  );
  await until(() => manager?.isLeader === true && manager.isReady, "leadership and synced caches");
  let stopped: Promise<number> | undefined;
  return {
    store,
    sim,
    documents,
    lines,
    manager: manager as Manager,
    stop: () => {
      stopped ??= (async () => {
        signals.emit("SIGTERM");
        const code = await exit;
        store.destroy();
        await sim.stop();
        return code;
      })();
      return stopped;
    },
  };
}

const awsCalls = (sim: AwsSimulator) =>
  Object.entries(sim.control.counters())
    .filter(([, c]) => c.calls > 0)
    .map(([op, c]) => `${op}×${c.calls}`);

/** The raw item's Ready and Stalled conditions (read without the store, which refuses invalid items). */
async function rawConditions(r: Running, pk: string, sk: string): Promise<Condition[]> {
  const read = await r.documents.send(
    new GetCommand({ TableName: r.store.tableName, Key: { pk, sk }, ConsistentRead: true }),
  );
  return ((read.Item?.status as { conditions?: Condition[] } | undefined)?.conditions ?? []) as Condition[];
}

/** Log lines about invalid items, by the resource they name. */
function invalidLines(r: Running): Map<string, Array<Record<string, unknown>>> {
  const out = new Map<string, Array<Record<string, unknown>>>();
  for (const line of r.lines) {
    if (typeof line.msg !== "string" || !line.msg.startsWith("invalid item")) continue;
    const resource = String(line.resource);
    out.set(resource, [...(out.get(resource) ?? []), line]);
  }
  return out;
}

/** The FargateService work queue has nothing waiting, running or scheduled. */
function drained(r: Running): boolean {
  const queue = r.manager.controller("FargateService").queue;
  return queue !== undefined && queue.length === 0 && queue.inFlight === 0 && queue.delayedCount === 0;
}

describe("items the store cannot serve as records", () => {
  it("are each logged once with their reason, get a status where possible, reach no AWS API and are not retried", async () => {
    const longName = "a".repeat(300);
    const r = await startController([
      rawItem(NS, "has.dot"), // seen by the first list
      rawItem("Team", "upper"),
    ]);
    running = r;
    const put = (item: Record<string, unknown>) =>
      r.documents.send(new PutCommand({ TableName: r.store.tableName, Item: item }));
    // The rest arrive through the stream.
    await put(rawItem(NS, longName));
    await put({ ...rawItem(NS, "mismatch"), kind: "CloudMapNamespace" });
    await put(itemOfSize("huge", 399));
    await put(itemOfSize("big", 330));
    const chunk = "v".repeat(30_000);
    await put(rawItem(NS, "wide", serviceSpec({ A: chunk, B: `${chunk}b`, C: chunk })));

    const expected: Record<string, string> = {
      [`FargateService/${NS}/has.dot`]: "UnaddressableKey",
      "FargateService/Team/upper": "UnaddressableKey",
      [`FargateService/${NS}/${longName}`]: "UnaddressableKey",
      [`FargateService/${NS}/mismatch`]: "KindMismatch",
      [`FargateService/${NS}/huge`]: "ItemTooLarge",
      [`FargateService/${NS}/big`]: "ItemTooLarge",
    };
    await until(() => invalidLines(r).size === Object.keys(expected).length, "a log line for each item");

    // Statuses where the key is addressable and the item has room.
    let mismatch: Condition[] = [];
    let big: Condition[] = [];
    let wide: Condition[] = [];
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      mismatch = await rawConditions(r, NS, "FargateService#mismatch");
      big = await rawConditions(r, NS, "FargateService#big");
      wide = await rawConditions(r, NS, "FargateService#wide");
      if (mismatch.length > 0 && big.length > 0 && wide.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(findCondition(mismatch, "Ready")).toMatchObject({ status: "False", reason: "InvalidItem" });
    expect(findCondition(mismatch, "Ready")?.message).toContain('set kind to "FargateService"');
    expect(findCondition(mismatch, "Stalled")).toMatchObject({ status: "True", reason: "InvalidItem" });
    expect(findCondition(big, "Ready")).toMatchObject({ status: "False", reason: "ItemTooLarge" });
    expect(findCondition(wide, "Ready")).toMatchObject({ status: "False", reason: "InvalidSpec" });
    expect(findCondition(wide, "Ready")?.message).toMatch(
      /spec\.containers\[0\]\.environment\.B: makes the rendered task definition \d+\.\d KiB; ECS refuses more than 64\.0 KiB/,
    );
    // No room for a status in the 399 KB item, and none for keys the store cannot address.
    expect(await rawConditions(r, NS, "FargateService#huge")).toEqual([]);
    expect(await rawConditions(r, NS, "FargateService#has.dot")).toEqual([]);

    // Nothing is retried: the queue drains and stays empty, no further log lines come.
    await until(() => drained(r), "the work queue to drain");
    const linesBefore = r.lines.length;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(drained(r)).toBe(true);
    expect(r.lines.slice(linesBefore).filter((l) => Number(l.level) >= 40)).toEqual([]);

    const byResource = invalidLines(r);
    for (const [resource, reason] of Object.entries(expected)) {
      const found = byResource.get(resource) ?? [];
      expect(
        found.map((l) => l.reason),
        resource,
      ).toEqual([reason]);
      expect(found[0]?.level).toBe(40); // warn
    }
    // The invalid spec is one error line (the permanent failure), never a retry loop.
    expect(
      r.lines.filter((l) => l.resource === `FargateService/${NS}/wide` && Number(l.level) >= 40),
    ).toHaveLength(1);
    expect(r.lines.filter((l) => l.msg === "reconcile failed: will retry")).toEqual([]);
    expect(awsCalls(r.sim)).toEqual([]);
    expect(await r.stop()).toBe(0);
  });

  it("a record overwritten by an item too large for its status keeps its AWS resources and is left alone", async () => {
    const r = await startController([]);
    running = r;
    await r.store.create({
      apiVersion: API_VERSION,
      kind: "FargateService",
      metadata: { name: "grows", namespace: NS },
      spec: serviceSpec({ MODE: "small" }),
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const record = await r.store.get("FargateService", NS, "grows");
      const ready = findCondition(record.status?.conditions as Condition[] | undefined, "Ready");
      if (ready?.status === "True") break;
      if (Date.now() > deadline) throw new Error(`not Ready: ${JSON.stringify(record.status)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const before = await r.documents.send(
      new GetCommand({ TableName: r.store.tableName, Key: { pk: NS, sk: "FargateService#grows" } }),
    );
    r.sim.control.resetCounters();

    // Terraform-style put-item over the record: identity, finalizer and status kept, the spec grown to 398 KB.
    await r.documents.send(
      new PutCommand({ TableName: r.store.tableName, Item: grownTo(before.Item ?? {}, 398) }),
    );
    await until(() => invalidLines(r).has(`FargateService/${NS}/grows`), "the log line");
    await until(() => drained(r), "the work queue to drain");
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    expect(
      invalidLines(r)
        .get(`FargateService/${NS}/grows`)
        ?.map((l) => l.reason),
    ).toEqual(["ItemTooLarge"]);
    expect(drained(r)).toBe(true);
    // Not taken for a deletion, not updated: no AWS call at all, and the ECS service still runs.
    expect(awsCalls(r.sim)).toEqual([]);
    const conditionsBefore = (before.Item?.status as { conditions?: Condition[] } | undefined)?.conditions;
    expect(await rawConditions(r, NS, "FargateService#grows")).toEqual(conditionsBefore);
    expect(await r.stop()).toBe(0);
  });
});
