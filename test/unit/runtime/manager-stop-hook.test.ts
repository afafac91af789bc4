/** The manager calls each reconciler's optional `stop` hook when it loses leadership and when it stops. */
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/clock.js";
import { silentLogger } from "../../../src/log.js";
import { Manager, type ManagerSettings } from "../../../src/runtime/manager.js";
import type { KindReconciler } from "../../../src/runtime/reconciler.js";
import { done } from "../../../src/runtime/result.js";
import { FakeLeases, FakeStore } from "../../support/fake-store.js";

const settings: ManagerSettings = {
  concurrency: 1,
  resyncPeriodMs: 60_000,
  resyncJitter: 0,
  reconcileTimeoutMs: 30_000,
  shutdownTimeoutMs: 5_000,
  leaseName: "hook",
  leaseDurationMs: 1_500,
  leaseHeartbeatMs: 500,
  identity: "one",
  rateLimits: { baseDelayMs: 100, maxDelayMs: 10_000, ratePerSecond: 10, burst: 100 },
};

const managers: Manager[] = [];
afterEach(async () => {
  for (const m of managers.splice(0)) await m.stop({ release: false });
});

function setup(stopHook: () => Promise<void>) {
  const clock = new ManualClock();
  const store = new FakeStore(() => clock.now());
  const leases = new FakeLeases();
  const withHook: KindReconciler = { kind: "CatalogSync", reconcile: async () => done(), stop: stopHook };
  const withoutHook: KindReconciler = { kind: "FargateService", reconcile: async () => done() };
  const manager = new Manager({
    store,
    leases,
    reconcilers: [withHook, withoutHook],
    settings,
    log: silentLogger(),
    clock,
  });
  managers.push(manager);
  return { clock, leases, manager };
}

describe("Manager stop hooks", () => {
  it("stops the reconcilers' background work when leadership is lost", async () => {
    let stops = 0;
    const { clock, leases, manager } = setup(async () => {
      stops += 1;
    });
    await manager.start();
    await clock.advance(1);
    expect(manager.isLeader).toBe(true);
    expect(stops).toBe(0);
    leases.outage = new Error("table unreachable");
    while (manager.isLeader) await clock.advance(250);
    await clock.advance(1);
    expect(stops).toBe(1);
  });

  it("stops them on shutdown and keeps stopping when a hook fails", async () => {
    let stops = 0;
    const { clock, manager } = setup(async () => {
      stops += 1;
      throw new Error("engine stuck");
    });
    await manager.start();
    await clock.advance(1);
    await manager.stop();
    expect(stops).toBeGreaterThanOrEqual(1);
    expect(manager.lifecycle).toBe("stopped");
  });
});
