/**
 * Events end to end on DynamoDB Local and the AWS simulator (DESIGN §11 "Events"): real passes of a
 * FargateService record its AWS writes and its Ready transitions as event items; a crash-looping image ends in a
 * Warning RolloutFailed whose message is the condition's; `describe` and `get events` print them; a repeat bumps
 * `count` in the table; and an event store that fails never fails a pass.
 */
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runGetEvents } from "../../../src/cli/commands/events.js";
import { runDescribe } from "../../../src/cli/commands/get.js";
import type { CliContext } from "../../../src/cli/context.js";
import { DEFAULT_EVENT_TTL_SECONDS, EventRecorder } from "../../../src/events/recorder.js";
import { silentLogger } from "../../../src/log.js";
import { DynamoEvents, EventType } from "../../../src/store/events.js";
import { describeTableShape } from "../../../src/store/table.js";
import type { ResourceDocument } from "../../../src/store/types.js";
import {
  applyConsulAwsCatalogSync,
  conditionOf,
  exampleDocuments,
  isReady,
  type ReconcileBench,
  setImage,
  startReconcileBench,
} from "./reconcile-harness.js";

const NS = "team-payments";
const NAME = "payments-api";

let bench: ReconcileBench;
let recorder: EventRecorder;
let failures: number;

async function startWith(events: "store" | "missing-table"): Promise<ResourceDocument> {
  failures = 0;
  bench = await startReconcileBench({
    events: {
      record: (...args) => recorder.record(...args),
    },
  });
  const target =
    events === "store"
      ? bench.store.events
      : new DynamoEvents(bench.store.clients.documents, `${bench.store.tableName}-missing`);
  recorder = new EventRecorder({
    events: target,
    clock: bench.clock,
    log: silentLogger(),
    metrics: {
      recorded: () => undefined,
      written: (result) => {
        if (result === "failed") failures += 1;
      },
    },
  });
  const [namespace] = await exampleDocuments("namespaces.yaml");
  if (namespace === undefined) throw new Error("examples/namespaces.yaml changed");
  await bench.store.apply(namespace);
  await bench.converge("CloudMapNamespace", "platform", "apps-internal", isReady);
  await applyConsulAwsCatalogSync(bench.store);
  const [service] = await exampleDocuments("services/payments-api.yaml");
  if (service === undefined) throw new Error("examples/services/payments-api.yaml changed");
  return service;
}

function cli(): { ctx: CliContext; out: string[] } {
  const out: string[] = [];
  const ctx: CliContext = {
    settings: {} as CliContext["settings"],
    store: () => bench.store,
    out: (text) => out.push(text),
    err: (text) => out.push(text),
    now: () => bench.clock.now(),
  };
  return { ctx, out };
}

afterEach(async () => {
  await recorder?.stop();
  await bench?.close();
});

describe("events of a FargateService", () => {
  let payments: ResourceDocument;
  beforeEach(async () => {
    payments = await startWith("store");
  });

  it("records registration, creation and the rollout; a crash loop is a Warning quoting RolloutFailed", async () => {
    await bench.store.apply(payments);
    await bench.converge("FargateService", NS, NAME, isReady);
    await recorder.flush();
    const involved = { kind: "FargateService" as const, name: NAME };
    let events = await bench.store.events.list({ namespace: NS, involved });
    const reasons = events.map((e) => e.reason);
    expect(reasons).toEqual(
      expect.arrayContaining([
        "TaskDefinitionRegistered",
        "CloudMapServiceCreated",
        "ServiceCreated",
        "RolloutComplete",
      ]),
    );
    expect(events.find((e) => e.reason === "TaskDefinitionRegistered")?.message).toBe(
      `registered task definition ${NS}-${NAME}:1`,
    );
    expect(events.every((e) => e.type === "Normal")).toBe(true);
    // The CloudMapNamespace's own events are filed under it.
    const namespaceEvents = await bench.store.events.list({ namespace: "platform" });
    expect(namespaceEvents.map((e) => e.involved.kind)).toContain("CloudMapNamespace");

    const broken = structuredClone(payments);
    setImage(broken, "payments-api:2.16.0-crashloop");
    await bench.store.apply(broken);
    const failed = await bench.converge(
      "FargateService",
      NS,
      NAME,
      (r) => conditionOf(r, "Ready")?.reason === "RolloutFailed",
      120,
    );
    await recorder.flush();
    events = await bench.store.events.list({ namespace: NS, involved });
    const warning = events.find((e) => e.reason === "RolloutFailed");
    expect(warning).toMatchObject({ type: "Warning", message: conditionOf(failed, "Ready")?.message });
    expect(events.find((e) => e.reason === "ServiceUpdated")?.message).toContain(
      `task definition ${NS}-${NAME}:2`,
    );

    const described = cli();
    expect(await runDescribe(described.ctx, "fs", NAME, NS)).toBe(0);
    const text = described.out.join("");
    expect(text).toMatch(/\nEvents:\n {2}TYPE +REASON +AGE +MESSAGE\n/);
    expect(text).toMatch(/ {2}Warning +RolloutFailed +\S+/);

    const listed = cli();
    expect(await runGetEvents(listed.ctx, { namespace: NS, allNamespaces: false, output: "table" })).toBe(0);
    expect(listed.out.join("")).toMatch(/Warning +RolloutFailed +fargateservice\/payments-api +deployment/);
    const all = cli();
    expect(await runGetEvents(all.ctx, { namespace: "default", allNamespaces: true, output: "table" })).toBe(
      0,
    );
    expect(all.out.join("")).toMatch(/\nplatform +\S+ +Normal +\S+ +cloudmapnamespace\/apps-internal/);
    expect(all.out.join("")).toMatch(/\nteam-payments +.*fargateservice\/payments-api/);
    const one = cli();
    await runGetEvents(one.ctx, {
      namespace: "platform",
      allNamespaces: false,
      output: "table",
      for: "fs/nothing",
    });
    expect(one.out.join("")).toBe("no events in namespace platform\n");
  });

  it("bumps count and lastTimestamp in the table when an event repeats within 10 minutes", async () => {
    const web = { kind: "FargateService" as const, namespace: NS, name: NAME };
    const start = bench.clock.now();
    recorder.record(web, EventType.Warning, "AwsThrottled", "AWS throttled ecs:UpdateService");
    await recorder.flush();
    await bench.clock.advance(3 * 60_000);
    recorder.record(web, EventType.Warning, "AwsThrottled", "AWS throttled ecs:UpdateService");
    recorder.record(web, EventType.Warning, "AwsThrottled", "AWS throttled ecs:UpdateService");
    await recorder.flush();
    const [event, ...rest] = await bench.store.events.list({ namespace: NS });
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      count: 3,
      firstTimestamp: new Date(start).toISOString(),
      lastTimestamp: new Date(start + 3 * 60_000).toISOString(),
    });
    const described = cli();
    await bench.store.apply(payments);
    await runDescribe(described.ctx, "fs", NAME, NS);
    expect(described.out.join("")).toMatch(/Warning +AwsThrottled +0s \(x3 over 3m\) +AWS throttled/);
  });
});

describe("event items", () => {
  it("expire by the table's TTL on expiresAt, set from the last occurrence", async () => {
    await startWith("store");
    const shape = await describeTableShape(bench.store.clients.dynamodb, bench.store.tableName);
    expect(shape?.ttlAttribute).toBe("expiresAt");
    const web = { kind: "FargateService" as const, namespace: NS, name: NAME };
    recorder.record(web, EventType.Normal, "Scaled", "min 1, max 3");
    await recorder.flush();
    const page = await bench.store.clients.documents.send(
      new QueryCommand({
        TableName: bench.store.tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": `_event#${NS}` },
      }),
    );
    const [item] = page.Items ?? [];
    expect(item?.expiresAt).toBe(Math.floor(bench.clock.now() / 1000) + DEFAULT_EVENT_TTL_SECONDS);
    expect(item?.sk).toMatch(/^FargateService#payments-api#\d{4}-\d\d-\d\dT[^#]+#[0-9a-f]{8}$/);
  });
});

describe("an event store that fails", () => {
  it("never fails a pass: the record still becomes Ready, and the failures are counted", async () => {
    const payments = await startWith("missing-table");
    await bench.store.apply(payments);
    const record = await bench.converge("FargateService", NS, NAME, isReady);
    expect(isReady(record)).toBe(true);
    await recorder.flush();
    expect(failures).toBeGreaterThan(0);
  });
});
