/** The health and metrics endpoints of a running manager (127.0.0.1, a free port). */
import { afterEach, describe, expect, it } from "vitest";
import { API_VERSION } from "../../../src/crds/meta.js";
import { silentLogger } from "../../../src/log.js";
import { Manager } from "../../../src/runtime/manager.js";
import { done } from "../../../src/runtime/result.js";
import { FakeLeases, FakeStore } from "../../support/fake-store.js";
import { testSettings, until } from "./support.js";

describe("health and metrics server", () => {
  let manager: Manager | undefined;
  afterEach(async () => {
    await manager?.stop();
  });

  it("answers /healthz at once, /readyz 503 until the caches sync, and serves the metrics", async () => {
    const store = new FakeStore();
    await store.create({
      apiVersion: API_VERSION,
      kind: "CloudMapNamespace",
      metadata: { name: "a" },
      spec: { dnsName: "a.internal", vpcId: "v" },
    });
    let releaseList: () => void = () => undefined;
    const listGate = new Promise<void>((r) => {
      releaseList = r;
    });
    const list = store.list.bind(store);
    store.list = async (kind, options) => {
      await listGate;
      return list(kind, options);
    };
    manager = new Manager({
      store,
      leases: new FakeLeases(),
      reconcilers: [{ kind: "CloudMapNamespace", reconcile: async () => done() }],
      settings: testSettings("http", "http", { http: { host: "127.0.0.1", port: 0 } }),
      log: silentLogger(),
    });
    await manager.start();
    const address = manager.httpAddress;
    expect(address?.port).toBeGreaterThan(0);
    const url = (path: string) => `http://127.0.0.1:${address?.port}${path}`;

    expect((await fetch(url("/healthz"))).status).toBe(200);
    const notReady = await fetch(url("/readyz"));
    expect(notReady.status).toBe(503);
    expect(await notReady.text()).toContain("not synced");

    releaseList();
    await manager.waitForSync();
    expect((await fetch(url("/readyz"))).status).toBe(200);
    await until(() => manager?.isLeader === true, "leadership");
    const m = manager.metrics;
    m.recordAwsCall("ecs", "DescribeServices", "success");

    const metrics = await fetch(url("/metrics"));
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    for (const name of [
      "reconcile_total",
      "reconcile_duration_seconds",
      "workqueue_depth",
      "workqueue_latency_seconds",
      "aws_api_calls_total",
      "leader 1",
      "watch_lag_seconds",
    ]) {
      expect(text).toContain(name);
    }
    expect(text).toContain(
      'aws_api_calls_total{service="ecs",operation="DescribeServices",outcome="success"} 1',
    );
    expect((await fetch(url("/nope"))).status).toBe(404);
  });
});
