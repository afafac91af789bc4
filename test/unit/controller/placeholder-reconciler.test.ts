import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/clock.js";
import { findCondition } from "../../../src/controller/conditions.js";
import { PermanentError } from "../../../src/controller/errors.js";
import { InformerSet } from "../../../src/controller/informer-set.js";
import { placeholderReconciler } from "../../../src/controller/placeholder-reconciler.js";
import { API_VERSION, type Condition } from "../../../src/crds/meta.js";
import { silentLogger } from "../../../src/log.js";
import { FakeStore } from "../../support/fake-store.js";

async function context(store: FakeStore) {
  const clock = new ManualClock();
  const informers = new InformerSet({
    store,
    kinds: ["CloudMapNamespace"],
    clock,
    log: silentLogger(),
    resyncPeriodMs: 0,
    resyncJitter: 0,
  });
  return {
    clock,
    ctx: {
      log: silentLogger(),
      reconcileId: "r1",
      cache: informers.informer("CloudMapNamespace"),
      retries: 0,
    },
  };
}

describe("placeholder reconciler (temporary)", () => {
  it("reports a valid record as Reconciling=True, reason NotImplemented, and writes only once", async () => {
    const store = new FakeStore();
    await store.create({
      apiVersion: API_VERSION,
      kind: "CloudMapNamespace",
      metadata: { name: "vpc-a" },
      spec: { dnsName: "a.internal", vpcId: "vpc-1" },
    });
    const { clock, ctx } = await context(store);
    const r = placeholderReconciler("CloudMapNamespace", store, clock);
    const signal = new AbortController().signal;
    expect(await r.reconcile("CloudMapNamespace/default/vpc-a", signal, ctx)).toEqual({ type: "done" });
    const record = await store.get("CloudMapNamespace", "default", "vpc-a");
    const conditions = record.status?.conditions as Condition[];
    expect(findCondition(conditions, "Reconciling")).toMatchObject({
      status: "True",
      reason: "NotImplemented",
    });
    expect(findCondition(conditions, "Ready")).toMatchObject({ status: "Unknown" });
    await r.reconcile("CloudMapNamespace/default/vpc-a", signal, ctx);
    expect(store.calls.updateStatus).toBe(1);
  });

  it("throws InvalidSpec with every issue's path and message for an invalid record", async () => {
    const store = new FakeStore();
    await store.create({
      apiVersion: API_VERSION,
      kind: "CloudMapNamespace",
      metadata: { name: "bad" },
      spec: { dnsName: "not a dns name!" },
    });
    const { clock, ctx } = await context(store);
    const r = placeholderReconciler("CloudMapNamespace", store, clock);
    const error = await r
      .reconcile("CloudMapNamespace/default/bad", new AbortController().signal, ctx)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).reason).toBe("InvalidSpec");
    expect((error as PermanentError).message).toMatch(/spec/);
    expect((error as PermanentError).message).toContain("vpcId");
  });

  it("is done for a record that no longer exists", async () => {
    const store = new FakeStore();
    const { clock, ctx } = await context(store);
    const r = placeholderReconciler("CloudMapNamespace", store, clock);
    expect(await r.reconcile("CloudMapNamespace/default/gone", new AbortController().signal, ctx)).toEqual({
      type: "done",
    });
  });
});
