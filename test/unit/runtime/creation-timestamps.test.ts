/**
 * creationTimestamp is the controller's to stamp: a record without one gets "now" once; a put-item that dropped
 * it gets back the value the controller last saw for the key (kept while standing by, from the informer), and
 * a record deleted and written again is a new creation.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock, settle } from "../../../src/clock.js";
import { API_VERSION, type ResourceKey } from "../../../src/crds/meta.js";
import { silentLogger } from "../../../src/log.js";
import { Controller } from "../../../src/runtime/controller.js";
import { CreationTimestamps, ensureCreationTimestamp } from "../../../src/runtime/creation-timestamps.js";
import { InformerSet } from "../../../src/runtime/informer-set.js";
import type { ReconcileFunction } from "../../../src/runtime/reconciler.js";
import { done } from "../../../src/runtime/result.js";
import { FakeStore } from "../../support/fake-store.js";

const KIND = "CloudMapNamespace" as const;
const KEY: ResourceKey = `${KIND}/default/internal`;
const SPEC = { dnsName: "internal.example.com", vpcId: "vpc-1" };
const DOC = {
  apiVersion: API_VERSION,
  kind: KIND,
  metadata: { name: "internal", namespace: "default" },
  spec: SPEC,
};

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("ensureCreationTimestamp", () => {
  it("stamps now once, then restores the last known value after a put-item dropped it", async () => {
    const clock = new ManualClock(Date.parse("2026-03-01T10:00:00.000Z"));
    const store = new FakeStore(() => clock.now());
    const memory = new CreationTimestamps();
    const created = await store.create(DOC);
    expect(created.metadata.creationTimestamp).toBeUndefined();
    const stamped = await ensureCreationTimestamp(store, created, memory, KEY, new Date(clock.now()));
    expect(stamped.metadata.creationTimestamp).toBe("2026-03-01T10:00:00.000Z");
    // Stamping again is a no-op (no write).
    expect(await ensureCreationTimestamp(store, stamped, memory, KEY, new Date())).toBe(stamped);

    await clock.advance(3_600_000);
    const replaced = store.putItem(KIND, "default", "internal", SPEC);
    const restored = await ensureCreationTimestamp(store, replaced, memory, KEY, new Date(clock.now()));
    expect(restored.metadata.creationTimestamp).toBe("2026-03-01T10:00:00.000Z");
    expect(restored.metadata.uid).toBe(created.metadata.uid);

    // The informer saw the key go: written again, it is a new creation.
    memory.observe(KEY, undefined);
    const again = store.putItem(KIND, "default", "internal", SPEC);
    const fresh = await ensureCreationTimestamp(store, again, memory, KEY, new Date(clock.now()));
    expect(fresh.metadata.creationTimestamp).toBe("2026-03-01T11:00:00.000Z");
  });

  it("a deleting record is never stamped", async () => {
    const store = new FakeStore();
    const memory = new CreationTimestamps();
    await store.create(DOC);
    await store.addFinalizer(KIND, "default", "internal", "fargate-operator/cleanup", "1");
    const { resource } = await store.delete(KIND, "default", "internal");
    expect(await ensureCreationTimestamp(store, resource, memory, KEY, new Date())).toBe(resource);
    expect((await store.get(KIND, "default", "internal")).metadata.creationTimestamp).toBeUndefined();
  });
});

describe("the controller's memory of creation timestamps", () => {
  it("follows the informer while standing by, so the first pass after a put-item restores the value", async () => {
    const clock = new ManualClock(Date.parse("2026-03-01T10:00:00.000Z"));
    const store = new FakeStore(() => clock.now());
    const log = silentLogger();
    const informers = new InformerSet({
      store,
      kinds: [KIND],
      clock,
      log,
      resyncPeriodMs: 0,
      resyncJitter: 0,
    });
    const seen: Array<string | undefined> = [];
    const reconcile: ReconcileFunction = async (key, _signal, context) => {
      const record = await store.get(KIND, "default", "internal");
      const stamped = await ensureCreationTimestamp(
        store,
        record,
        context.creationTimestamps,
        key,
        new Date(clock.now()),
      );
      seen.push(stamped.metadata.creationTimestamp);
      return done();
    };
    const controller = new Controller({
      kind: KIND,
      reconcile,
      informer: informers.informer(KIND),
      store,
      clock,
      log,
      concurrency: 1,
      reconcileTimeoutMs: 60_000,
      rateLimits: { baseDelayMs: 1000, maxDelayMs: 60_000, ratePerSecond: 10, burst: 100 },
    });
    cleanups.push(() => informers.stop());
    cleanups.push(() => controller.stop(0));
    // Stamped by an earlier leader; this controller only watches (no pass runs while it stands by).
    await store.create(DOC);
    await store.stampCreationTimestamp(KIND, "default", "internal", "2026-03-01T10:00:00.000Z", "1");
    await informers.start();
    await clock.advance(86_400_000);
    store.putItem(KIND, "default", "internal", SPEC);
    await settle();
    expect(seen).toEqual([]);

    controller.start();
    await settle();
    await clock.advance(0);
    expect(seen).toEqual(["2026-03-01T10:00:00.000Z"]);
    expect((await store.get(KIND, "default", "internal")).metadata.creationTimestamp).toBe(
      "2026-03-01T10:00:00.000Z",
    );
  });
});
