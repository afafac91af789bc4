/** Leader election between two managers on one lease item, on DynamoDB Local and moto (1.5 s lease, 0.5 s heartbeat). */
import { afterEach, describe, expect, it } from "vitest";
import type { ResourceKey } from "../../../src/crds/meta.js";
import { silentLogger } from "../../../src/log.js";
import { Manager } from "../../../src/runtime/manager.js";
import { done } from "../../../src/runtime/result.js";
import type { DynamoResourceStore } from "../../../src/store/dynamo-store.js";
import { doc, endpointOf, freshStore, STORE_BACKENDS, storeAt } from "../../support/store-fixtures.js";
import { TEST_LEASE, testSettings, until } from "./support.js";

describe.each(STORE_BACKENDS)("leader election on %s", (backend, endpointKey) => {
  const stores: DynamoResourceStore[] = [];
  const managers: Manager[] = [];
  afterEach(async () => {
    for (const m of managers.splice(0)) await m.stop({ release: false });
    for (const s of stores.splice(0)) s.destroy();
  });

  async function pair(leaseName: string) {
    const table = await freshStore(endpointOf(endpointKey));
    stores.push(table);
    const passes: string[] = [];
    const make = (identity: string): Manager => {
      // Each manager gets its own clients, as separate processes would.
      const own = storeAt(endpointOf(endpointKey), table.tableName);
      stores.push(own);
      const m = new Manager({
        store: own,
        leases: own.leases,
        reconcilers: [
          {
            kind: "CloudMapNamespace",
            reconcile: async (key: ResourceKey) => {
              passes.push(`${identity} ${key}`);
              return done();
            },
          },
        ],
        settings: testSettings(identity, leaseName),
        log: silentLogger(),
      });
      managers.push(m);
      return m;
    };
    const a = make("a");
    const b = make("b");
    await a.start();
    await until(() => a.isLeader, "a leads");
    await b.start();
    await Promise.all([a.waitForSync(), b.waitForSync()]);
    return { table, a, b, passes };
  }

  it("has exactly one leader, and only the leader reconciles", async () => {
    const { table, a, b, passes } = await pair("one-leader");
    await table.create(doc("CloudMapNamespace", "x", { dnsName: "x.internal", vpcId: "vpc-1" }));
    await until(() => passes.length > 0, "a pass");
    // Watch several lease periods: never two leaders, never a leader change.
    const deadline = performance.now() + 3 * TEST_LEASE.durationMs;
    while (performance.now() < deadline) {
      expect([a.isLeader, b.isLeader]).toEqual([true, false]);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(passes.every((p) => p.startsWith("a "))).toBe(true);
    expect(b.informers.informer("CloudMapNamespace").get("CloudMapNamespace/default/x")).toBeDefined();
  });

  it("fails over after one lease plus at most one retry period when the leader stops without releasing", async () => {
    const { a, b } = await pair("crash");
    const stopped = performance.now();
    await a.stop({ release: false }); // like a crash: the lease item stays
    await until(() => b.isLeader, "b leads");
    const total = performance.now() - stopped;
    console.log(
      `failover on ${backend} after an unreleased stop: ${Math.round(total)} ms (lease ${TEST_LEASE.durationMs} ms + retry ${TEST_LEASE.heartbeatMs} ms)`,
    );
    expect(b.isLeader).toBe(true);
    // Safety: b must not take over before a's last version could have expired on its clock.
    expect(total).toBeGreaterThanOrEqual(TEST_LEASE.durationMs - TEST_LEASE.heartbeatMs);
  });

  it("hands over at once when the leader stops gracefully (releases the lease)", async () => {
    const { table, a, b } = await pair("graceful");
    const stopped = performance.now();
    await a.stop();
    expect(await table.leases.readLease("graceful")).toBeUndefined();
    await until(() => b.isLeader, "b leads");
    const total = performance.now() - stopped;
    console.log(
      `failover on ${backend} after a graceful stop: ${Math.round(total)} ms (retry period ${TEST_LEASE.heartbeatMs} ms)`,
    );
    expect(b.isLeader).toBe(true);
  });
});
