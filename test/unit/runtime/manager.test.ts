import { afterEach, describe, expect, it } from "vitest";
import { ManualClock, settle } from "../../../src/clock.js";
import { API_VERSION, type ResourceKey } from "../../../src/crds/meta.js";
import { silentLogger } from "../../../src/log.js";
import { Manager, type ManagerSettings } from "../../../src/runtime/manager.js";
import { done } from "../../../src/runtime/result.js";
import { FakeLeases, FakeStore } from "../../support/fake-store.js";

const settings = (identity: string): ManagerSettings => ({
  concurrency: 2,
  resyncPeriodMs: 60_000,
  resyncJitter: 0.1,
  reconcileTimeoutMs: 30_000,
  shutdownTimeoutMs: 5_000,
  leaseName: "unit",
  leaseDurationMs: 1500,
  leaseHeartbeatMs: 500,
  identity,
  rateLimits: { baseDelayMs: 100, maxDelayMs: 10_000, ratePerSecond: 10, burst: 100 },
});

const managers: Manager[] = [];
afterEach(async () => {
  for (const m of managers.splice(0)) await m.stop({ release: false });
});

function manager(
  identity: string,
  store: FakeStore,
  leases: FakeLeases,
  clock: ManualClock,
  passes: string[],
): Manager {
  const m = new Manager({
    store,
    leases,
    reconcilers: [
      {
        kind: "CloudMapNamespace",
        reconcile: async (key: ResourceKey) => {
          passes.push(`${identity} ${key}`);
          return done();
        },
      },
    ],
    settings: settings(identity),
    log: silentLogger(),
    clock,
  });
  managers.push(m);
  return m;
}

describe("Manager", () => {
  it("runs reconcilers only in the leader while the standby keeps its cache warm, and hands over on stop", async () => {
    const clock = new ManualClock();
    const store = new FakeStore(() => clock.now());
    const leases = new FakeLeases();
    const passes: string[] = [];
    await store.create({
      apiVersion: API_VERSION,
      kind: "CloudMapNamespace",
      metadata: { name: "a" },
      spec: { dnsName: "a.internal", vpcId: "v" },
    });
    const one = manager("one", store, leases, clock, passes);
    const two = manager("two", store, leases, clock, passes);
    await one.start();
    await clock.advance(1);
    await two.start();
    await Promise.all([one.waitForSync(), two.waitForSync()]);
    await clock.advance(2000);
    expect([one.isLeader, two.isLeader]).toEqual([true, false]);
    expect(one.isReady && two.isReady).toBe(true);
    expect(passes).toEqual(["one CloudMapNamespace/default/a"]);

    await store.create({
      apiVersion: API_VERSION,
      kind: "CloudMapNamespace",
      metadata: { name: "b" },
      spec: { dnsName: "b.internal", vpcId: "v" },
    });
    await settle();
    expect(two.informers.informer("CloudMapNamespace").get("CloudMapNamespace/default/b")).toBeDefined();
    expect(passes.filter((p) => p.startsWith("two"))).toEqual([]);

    const stoppedAt = clock.now();
    await one.stop();
    expect(await (await one.metrics.leader.get()).values[0]?.value).toBe(0);
    while (!two.isLeader) await clock.advance(50);
    expect(clock.now() - stoppedAt).toBeLessThanOrEqual(500);
    await settle();
    expect(passes.filter((p) => p.startsWith("two")).sort()).toEqual([
      "two CloudMapNamespace/default/a",
      "two CloudMapNamespace/default/b",
    ]);
    expect((await two.metrics.leader.get()).values[0]?.value).toBe(1);
  });

  it("refuses two reconcilers for one kind", () => {
    const r = { kind: "CatalogSync" as const, reconcile: async () => done() };
    expect(
      () =>
        new Manager({
          store: new FakeStore(),
          leases: new FakeLeases(),
          reconcilers: [r, r],
          settings: settings("x"),
          log: silentLogger(),
        }),
    ).toThrow(/two reconcilers/);
  });
});
