/**
 * `runControllerCommand` in-process on DynamoDB Local and moto with the AWS simulator behind ECS and Cloud Map:
 * real reconcilers drive valid records to Ready and report invalid ones, then SIGTERM stops it with the lease released.
 */
import { EventEmitter } from "node:events";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import type { Condition } from "../../../src/crds/meta.js";
import { type AwsSimulator, startAwsSimulator } from "../../../src/dev/aws-sim/index.js";
import { runControllerCommand } from "../../../src/reconcilers/command.js";
import { findCondition } from "../../../src/reconcilers/conditions.js";
import type { Manager } from "../../../src/runtime/manager.js";
import type { DynamoResourceStore } from "../../../src/store/dynamo-store.js";
import {
  doc,
  endpointOf,
  freshStore,
  STORE_BACKENDS,
  TEST_CREDENTIALS,
} from "../../support/store-fixtures.js";
import { until } from "./support.js";

function conditionsOf(status: Record<string, unknown> | undefined): Condition[] {
  return (status?.conditions as Condition[] | undefined) ?? [];
}

describe.each(STORE_BACKENDS)("fargatectl controller (in process) on %s", (_backend, endpointKey) => {
  let store: DynamoResourceStore | undefined;
  let sim: AwsSimulator | undefined;
  afterEach(async () => {
    store?.destroy();
    await sim?.stop();
  });

  it("reports valid and invalid records, then stops on SIGTERM with exit 0 and the lease released", async () => {
    const s = await freshStore(endpointOf(endpointKey));
    store = s;
    sim = await startAwsSimulator({ operationSeconds: 0.2 });
    await s.create(doc("CloudMapNamespace", "good", { dnsName: "good.internal", vpcId: "vpc-1" }));
    await s.create(doc("CloudMapNamespace", "bad", { dnsName: "not a dns name" }));
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
        "lease-name": "cmd",
        "lease-duration": "1.5s",
        "lease-heartbeat": "500ms",
        "watch-poll-interval": "100ms",
        table: s.tableName,
      },
      { AWS_ENDPOINT_URL_ECS: sim.endpoint, AWS_ENDPOINT_URL_SERVICEDISCOVERY: sim.endpoint },
      {
        credentials: TEST_CREDENTIALS,
        store: s,
        leases: s.leases,
        syncOwners: s.syncOwners,
        signals,
        logDestination,
        onStarted: (m) => {
          manager = m;
        },
      },
    );
    await until(() => manager?.isLeader === true, "leadership");
    let goodConditions: Condition[] = [];
    let badConditions: Condition[] = [];
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      goodConditions = conditionsOf((await s.get("CloudMapNamespace", "default", "good")).status);
      badConditions = conditionsOf((await s.get("CloudMapNamespace", "default", "bad")).status);
      if (findCondition(goodConditions, "Ready")?.status === "True" && badConditions.length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(findCondition(goodConditions, "Ready")).toMatchObject({
      status: "True",
      reason: "NamespaceReady",
    });
    expect(findCondition(badConditions, "Ready")).toMatchObject({ status: "False", reason: "InvalidSpec" });
    expect(findCondition(badConditions, "Ready")?.message).toContain("spec");
    expect(findCondition(badConditions, "Stalled")).toMatchObject({ status: "True", reason: "InvalidSpec" });

    signals.emit("SIGTERM");
    expect(await exit).toBe(0);
    expect(await s.leases.readLease("cmd")).toBeUndefined();
    // Events were flushed at shutdown and counted in /metrics (DESIGN §11 "Events").
    const eventsOf = (name: string) =>
      s.events.list({ namespace: "default", involved: { kind: "CloudMapNamespace", name } });
    expect((await eventsOf("good")).map((e) => `${e.type} ${e.reason}`)).toEqual(
      expect.arrayContaining(["Normal NamespaceCreationStarted", "Normal NamespaceReady"]),
    );
    expect(await eventsOf("bad")).toMatchObject([{ type: "Warning", reason: "InvalidSpec", count: 1 }]);
    const metrics = await manager?.metrics.registry.metrics();
    expect(metrics).toMatch(/events_total\{type="Warning",reason="InvalidSpec"\} 1/);
    expect(metrics).toMatch(/event_writes_total\{result="created"\} [1-9]/);
    expect(signals.listenerCount("SIGTERM")).toBe(0);
    const messages = lines.map((l) => l.msg);
    expect(messages).toContain("became leader");
    expect(messages).toContain("lease released");
    expect(messages.at(-1)).toBe("controller stopped");
    expect(
      lines.some((l) => l.msg === "health and metrics server listening" && typeof l.port === "number"),
    ).toBe(true);
  });
});
