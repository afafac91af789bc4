import { afterEach, describe, expect, it } from "vitest";
import { ManualClock, settle } from "../../../src/clock.js";
import { API_VERSION, parseResourceKey, type ResourceKey } from "../../../src/crds/meta.js";
import { silentLogger } from "../../../src/log.js";
import { Manager } from "../../../src/runtime/manager.js";
import { done } from "../../../src/runtime/result.js";
import { FakeLeases, FakeStore } from "../../support/fake-store.js";

const managers: Manager[] = [];
afterEach(async () => {
  for (const m of managers.splice(0)) await m.stop({ release: false });
});

const doc = (kind: "CloudMapNamespace" | "NamespacePolicy", namespace: string, name: string, spec = {}) => ({
  apiVersion: API_VERSION,
  kind,
  metadata: { name, namespace },
  spec: kind === "CloudMapNamespace" ? { dnsName: `${name}.internal`, vpcId: "v" } : spec,
});

describe("Manager triggers", () => {
  it("queues the keys a trigger maps a changed or deleted record to", async () => {
    const clock = new ManualClock();
    const store = new FakeStore(() => clock.now());
    const passes: string[] = [];
    await store.create(doc("CloudMapNamespace", "team-a", "one"));
    await store.create(doc("CloudMapNamespace", "team-b", "two"));
    const m = new Manager({
      store,
      leases: new FakeLeases(),
      reconcilers: [
        {
          kind: "CloudMapNamespace",
          reconcile: async (key: ResourceKey) => {
            passes.push(key);
            return done();
          },
        },
      ],
      // The trigger's kind is cached without a reconciler of its own.
      triggers: [
        {
          kind: "NamespacePolicy",
          keysFor: (key, keysOf) =>
            keysOf("CloudMapNamespace").filter(
              (k) => parseResourceKey(k).namespace === parseResourceKey(key).name,
            ),
        },
      ],
      settings: {
        concurrency: 1,
        resyncPeriodMs: 60_000,
        resyncJitter: 0,
        reconcileTimeoutMs: 30_000,
        shutdownTimeoutMs: 5_000,
        leaseName: "unit",
        leaseDurationMs: 1500,
        leaseHeartbeatMs: 500,
        identity: "one",
        rateLimits: { baseDelayMs: 100, maxDelayMs: 10_000, ratePerSecond: 10, burst: 100 },
      },
      log: silentLogger(),
      clock,
    });
    managers.push(m);
    await m.start();
    await m.waitForSync();
    await clock.advance(100);
    await settle();
    expect(passes.sort()).toEqual(["CloudMapNamespace/team-a/one", "CloudMapNamespace/team-b/two"]);

    passes.length = 0;
    await store.create(doc("NamespacePolicy", "fargate-system", "team-b", { clusters: ["apps"] }));
    await settle();
    expect(passes).toEqual(["CloudMapNamespace/team-b/two"]);

    passes.length = 0;
    await store.delete("NamespacePolicy", "fargate-system", "team-b");
    await settle();
    expect(passes).toEqual(["CloudMapNamespace/team-b/two"]);
  });
});
