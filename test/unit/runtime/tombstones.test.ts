/**
 * Records that leave the table before the controller finished their cleanup (DESIGN 11): the runtime keeps the
 * last seen copy as a tombstone and the kind's reconciler runs its deletion path on it, its writes absorbed; a
 * deletion the controller finished itself leaves none; a record written again at the key replaces it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock, settle } from "../../../src/clock.js";
import { API_VERSION, parseResourceKey, type ResourceKey } from "../../../src/crds/meta.js";
import { silentLogger } from "../../../src/log.js";
import { createMetrics } from "../../../src/metrics.js";
import { Manager, type ManagerSettings } from "../../../src/runtime/manager.js";
import { done } from "../../../src/runtime/result.js";
import { tombstoneAwareStore } from "../../../src/runtime/tombstone-store.js";
import { Tombstones } from "../../../src/runtime/tombstones.js";
import { NotFoundError } from "../../../src/store/errors.js";
import type { StoredResource } from "../../../src/store/types.js";
import { FakeLeases, FakeStore } from "../../support/fake-store.js";

const FINALIZER = "fargate-operator/cleanup";
const KIND = "CloudMapNamespace" as const;

const settings: ManagerSettings = {
  concurrency: 2,
  resyncPeriodMs: 0,
  resyncJitter: 0.1,
  reconcileTimeoutMs: 30_000,
  shutdownTimeoutMs: 5_000,
  leaseName: "unit",
  leaseDurationMs: 1500,
  leaseHeartbeatMs: 500,
  identity: "solo",
  rateLimits: { baseDelayMs: 100, maxDelayMs: 10_000, ratePerSecond: 10, burst: 100 },
};

const managers: Manager[] = [];
afterEach(async () => {
  for (const m of managers.splice(0)) await m.stop({ release: false });
});

/**
 * A manager whose reconciler behaves like the real ones: finalizer on first, and on deletion "cleans up" (records
 * what it saw), writes a status and removes the finalizer — all through the tombstone-aware store.
 */
async function setUp(given?: { clock: ManualClock; store: FakeStore; leases: FakeLeases; identity: string }) {
  const clock = given?.clock ?? new ManualClock();
  const store = given?.store ?? new FakeStore(() => clock.now());
  const shared = given ?? { leases: new FakeLeases(), identity: "solo" };
  const metrics = createMetrics();
  const tombstones = new Tombstones({ finalizer: FINALIZER, clock, log: silentLogger(), metrics });
  const seen = tombstoneAwareStore(store, tombstones);
  const cleanups: string[] = [];
  const m = new Manager({
    store,
    leases: shared.leases,
    reconcilers: [
      {
        kind: KIND,
        reconcile: async (key: ResourceKey) => {
          const { namespace, name } = parseResourceKey(key);
          let record: StoredResource;
          try {
            record = await seen.get(KIND, namespace, name);
          } catch (error) {
            if (error instanceof NotFoundError) return done();
            throw error;
          }
          const { metadata } = record;
          if (metadata.deletionTimestamp === undefined) {
            if (!metadata.finalizers.includes(FINALIZER))
              await seen.addFinalizer(KIND, namespace, name, FINALIZER, metadata.resourceVersion);
            return done();
          }
          if (!metadata.finalizers.includes(FINALIZER)) return done();
          cleanups.push(`${name} ${String(record.spec.dnsName)}`);
          const written = await seen.updateStatus(
            KIND,
            namespace,
            name,
            { phase: "deleting" },
            metadata.resourceVersion,
          );
          await seen.removeFinalizer(KIND, namespace, name, FINALIZER, written.metadata.resourceVersion);
          return done();
        },
      },
    ],
    settings: { ...settings, identity: shared.identity },
    log: silentLogger(),
    clock,
    metrics,
    tombstones,
  });
  managers.push(m);
  await m.start();
  await m.waitForSync();
  await clock.advance(2000);
  const create = async (name: string, dnsName = `${name}.internal`) => {
    await store.create({
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { name },
      spec: { dnsName, vpcId: "vpc-1" },
    });
    await until(
      async () => (await store.get(KIND, "default", name)).metadata.finalizers.includes(FINALIZER),
      clock,
    );
  };
  const count = async (event: string) =>
    (await metrics.vanishedRecords.get()).values.find((v) => v.labels.event === event)?.value ?? 0;
  return { clock, store, tombstones, cleanups, create, count, manager: m };
}

async function until(check: () => Promise<boolean> | boolean, clock: ManualClock): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await clock.advance(10);
    await settle();
  }
  throw new Error("condition never held");
}

describe("tombstones", () => {
  it("clean up a record removed by a raw DeleteItem from its last seen spec, its writes absorbed", async () => {
    const { clock, store, tombstones, cleanups, create, count } = await setUp();
    await create("a");
    store.removeItem(KIND, "default", "a");
    await until(() => cleanups.length > 0, clock);
    expect(cleanups).toEqual(["a a.internal"]);
    await until(async () => (await count("cleaned_up")) === 1, clock);
    expect(tombstones.get("CloudMapNamespace/default/a")).toBeUndefined();
    expect(await count("vanished")).toBe(1);
    await clock.advance(1000);
    expect(cleanups).toHaveLength(1); // once, not again
  });

  it("leave none when the controller finished the deletion itself", async () => {
    const { clock, store, cleanups, create, count } = await setUp();
    await create("a");
    await store.delete(KIND, "default", "a");
    await until(() => cleanups.length > 0, clock);
    await clock.advance(1000);
    await settle();
    expect(cleanups).toEqual(["a a.internal"]);
    expect(await count("vanished")).toBe(0);
  });

  it("also cover a record deleted at once because it had no finalizer (a put-item had wiped it)", async () => {
    const { clock, store, cleanups, count } = await setUp();
    store.dropEvents = true; // the record is never reconciled: no finalizer is added
    await store.create({
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { name: "bare" },
      spec: { dnsName: "bare.internal", vpcId: "vpc-1" },
    });
    store.dropEvents = false;
    expect((await store.delete(KIND, "default", "bare")).removed).toBe(true);
    await until(() => cleanups.length > 0, clock);
    expect(cleanups).toEqual(["bare bare.internal"]);
    expect(await count("vanished")).toBe(1);
  });

  it("are found by a relist after a gap, and dropped when a record is written at the key again", async () => {
    const { clock, store, manager, tombstones, cleanups, create, count } = await setUp();
    await create("a");
    store.dropEvents = true;
    store.removeItem(KIND, "default", "a");
    store.dropEvents = false;
    // Stop the workers so the tombstone stays put while the record comes back.
    await manager.controller(KIND).stop(1000);
    store.emitGap();
    await until(() => tombstones.get("CloudMapNamespace/default/a") !== undefined, clock);
    await store.create({
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { name: "a" },
      spec: { dnsName: "again.internal", vpcId: "vpc-1" },
    });
    manager.controller(KIND).start();
    await until(
      async () => (await store.get(KIND, "default", "a")).metadata.finalizers.includes(FINALIZER),
      clock,
    );
    expect(tombstones.get("CloudMapNamespace/default/a")).toBeUndefined();
    expect(cleanups).toEqual([]);
    expect(await count("reappeared")).toBe(1);
  });

  it("are kept by a standby only for records that were not being deleted", async () => {
    const clock = new ManualClock();
    const store = new FakeStore(() => clock.now());
    const leases = new FakeLeases();
    const leader = await setUp({ clock, store, leases, identity: "one" });
    const standby = await setUp({ clock, store, leases, identity: "two" });
    expect([leader.manager.isLeader, standby.manager.isLeader]).toEqual([true, false]);
    await leader.create("finished");
    await store.delete(KIND, "default", "finished"); // the leader finishes it
    await until(() => leader.cleanups.length === 1, clock);
    await leader.create("raw");
    store.removeItem(KIND, "default", "raw");
    await until(() => leader.cleanups.length === 2, clock);
    expect(standby.tombstones.keys(KIND)).toEqual(["CloudMapNamespace/default/raw"]);
    expect(leader.tombstones.keys(KIND)).toEqual([]);
  });

  it("keep at most maxEntries, the oldest dropped", () => {
    const clock = new ManualClock();
    const t = new Tombstones({ finalizer: FINALIZER, clock, log: silentLogger(), maxEntries: 2 });
    const record = (name: string): StoredResource => ({
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: {
        name,
        namespace: "default",
        uid: name,
        generation: 1,
        resourceVersion: "3",
        creationTimestamp: "2024-01-01T00:00:00.000Z",
        finalizers: [],
        labels: {},
        annotations: {},
        ownerReferences: [],
      },
      spec: {},
      specHash: "h",
    });
    for (const name of ["a", "b", "c"]) expect(t.vanished(record(name))).toBe(true);
    expect(t.keys(KIND)).toEqual(["CloudMapNamespace/default/b", "CloudMapNamespace/default/c"]);
    expect(t.get("CloudMapNamespace/default/c")?.metadata).toMatchObject({
      finalizers: [FINALIZER],
      deletionTimestamp: new Date(clock.now()).toISOString(),
    });
    t.markFinalized("CloudMapNamespace/default/d", "3");
    expect(t.vanished(record("d"))).toBe(false);
  });
});
