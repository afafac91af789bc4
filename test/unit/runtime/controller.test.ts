import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock, settle } from "../../../src/clock.js";
import { API_VERSION, type Condition, parseResourceKey, type ResourceKey } from "../../../src/crds/meta.js";
import { createLogger, type Logger, silentLogger } from "../../../src/log.js";
import { createMetrics } from "../../../src/metrics.js";
import { findCondition } from "../../../src/reconcilers/conditions.js";
import { Controller } from "../../../src/runtime/controller.js";
import { PermanentError, ReconcileTimeoutError, TemporaryError } from "../../../src/runtime/errors.js";
import { InformerSet } from "../../../src/runtime/informer-set.js";
import type { ReconcileFunction } from "../../../src/runtime/reconciler.js";
import { done, requeueAfter } from "../../../src/runtime/result.js";
import { ConflictError } from "../../../src/store/errors.js";
import type { ResourceDocument } from "../../../src/store/types.js";
import { FakeStore } from "../../support/fake-store.js";

const KIND = "CloudMapNamespace" as const;

function doc(name: string, dnsName = `${name}.internal`): ResourceDocument {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name, namespace: "default" },
    spec: { dnsName, vpcId: "vpc-1" },
  };
}

function keyOf(name: string): ResourceKey {
  return `${KIND}/default/${name}`;
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function harness(
  reconcile: ReconcileFunction,
  options: {
    concurrency?: number;
    timeoutMs?: number;
    log?: Logger;
    clock?: ManualClock;
    burst?: number;
  } = {},
) {
  const clock = options.clock ?? new ManualClock();
  const store = new FakeStore(() => clock.now());
  const log = options.log ?? silentLogger();
  const informers = new InformerSet({ store, kinds: [KIND], clock, log, resyncPeriodMs: 0, resyncJitter: 0 });
  const metrics = createMetrics();
  const controller = new Controller({
    kind: KIND,
    reconcile,
    informer: informers.informer(KIND),
    store,
    clock,
    log,
    metrics,
    concurrency: options.concurrency ?? 4,
    reconcileTimeoutMs: options.timeoutMs ?? 300_000,
    rateLimits: { baseDelayMs: 1000, maxDelayMs: 300_000, ratePerSecond: 10, burst: options.burst ?? 100 },
  });
  cleanups.push(() => informers.stop());
  cleanups.push(() => controller.stop(0));
  await informers.start();
  controller.start();
  return { clock, store, informers, controller, metrics };
}

async function resultCount(metrics: ReturnType<typeof createMetrics>, result: string): Promise<number> {
  const data = await metrics.reconcileTotal.get();
  return data.values.find((v) => v.labels.result === result)?.value ?? 0;
}

describe("Controller", () => {
  it("is level-triggered: 100 rapid writes to one record cause a handful of passes, the last sees the last spec", async () => {
    const seen: string[] = [];
    let store: FakeStore | undefined;
    const h = await harness(async (key) => {
      const { namespace, name } = parseResourceKey(key);
      const record = await store?.get(KIND, namespace, name);
      for (let i = 0; i < 5; i++) await settle(); // a pass takes a little while
      seen.push(String(record?.spec.dnsName));
      return done();
    });
    store = h.store;
    await h.store.create(doc("a", "v0.internal"));
    for (let i = 1; i <= 100; i++) await h.store.apply(doc("a", `v${i}.internal`));
    for (let i = 0; i < 50; i++) await settle();
    console.log(`level-triggering (fake store): 101 writes to one record caused ${seen.length} passes`);
    expect(seen.length).toBeLessThanOrEqual(5);
    expect(seen.at(-1)).toBe("v100.internal");
  });

  it("never runs two passes of one key at once, and runs different keys in parallel", async () => {
    const active = new Set<ResourceKey>();
    let maxParallel = 0;
    let overlap = false;
    const h = await harness(async (key) => {
      if (active.has(key)) overlap = true;
      active.add(key);
      maxParallel = Math.max(maxParallel, active.size);
      for (let i = 0; i < 3; i++) await settle();
      active.delete(key);
      return done();
    });
    for (const n of ["a", "b", "c", "d", "e", "f"]) await h.store.create(doc(n));
    for (let round = 0; round < 5; round++) {
      for (const n of ["a", "b", "c"]) h.controller.enqueue(keyOf(n));
      await settle();
    }
    for (let i = 0; i < 30; i++) await settle();
    expect(overlap).toBe(false);
    expect(maxParallel).toBe(4);
  });

  it("retries temporary and unknown errors with per-key backoff and resets it on success", async () => {
    const attempts: number[] = [];
    let failures = 3;
    const h = await harness(async () => {
      attempts.push(h.clock.now());
      if (failures-- > 0) {
        if (failures === 1) throw new Error("surprise"); // unknown errors are temporary
        throw new TemporaryError("throttled");
      }
      return done();
    });
    const start = h.clock.now();
    await h.store.create(doc("a"));
    await settle();
    await h.clock.advance(10_000);
    expect(attempts.map((t) => t - start)).toEqual([0, 1000, 3000, 7000]);
    expect(h.controller.queue?.retries(keyOf("a"))).toBe(0);
    expect(await resultCount(h.metrics, "temporary_error")).toBe(3);
  });

  it("honours a TemporaryError's delay when it is longer than the backoff", async () => {
    const attempts: number[] = [];
    const h = await harness(async () => {
      attempts.push(h.clock.now());
      if (attempts.length === 1) throw new TemporaryError("rate exceeded", { delayMs: 30_000 });
      return done();
    });
    const start = h.clock.now();
    await h.store.create(doc("a"));
    await h.clock.advance(60_000);
    expect(attempts.map((t) => t - start)).toEqual([0, 30_000]);
  });

  it("a throwing reconciler (even synchronously) never takes the process down", async () => {
    let calls = 0;
    const throwing = ((): never => {
      calls++;
      throw new TypeError("boom");
    }) as unknown as ReconcileFunction;
    const h = await harness(throwing);
    await h.store.create(doc("a"));
    await h.clock.advance(3_500);
    expect(calls).toBe(3);
  });

  it("requeues at once on a store conflict (a stale read), then backs off if conflicts persist", async () => {
    const attempts: number[] = [];
    const h = await harness(async () => {
      attempts.push(h.clock.now());
      throw new ConflictError("stale", undefined);
    });
    const start = h.clock.now();
    await h.store.create(doc("a"));
    for (let i = 0; i < 20; i++) await settle();
    expect(attempts.map((t) => t - start)).toEqual([0, 0, 0, 0, 0, 0]);
    await h.clock.advance(1000);
    expect(attempts).toHaveLength(7);
  });

  it("writes a permanent failure onto the status and waits for a spec change", async () => {
    let calls = 0;
    const h = await harness(async (key) => {
      calls++;
      const { name } = parseResourceKey(key);
      const record = await h.store.get(KIND, "default", name);
      if (record.spec.dnsName === "bad.internal")
        throw new PermanentError("InvalidSpec", "spec.dnsName: not allowed");
      return done();
    });
    await h.store.create(doc("a", "bad.internal"));
    for (let i = 0; i < 10; i++) await settle();
    expect(calls).toBe(1);
    const failed = await h.store.get(KIND, "default", "a");
    const conditions = failed.status?.conditions as Condition[];
    expect(findCondition(conditions, "Ready")).toMatchObject({
      status: "False",
      reason: "InvalidSpec",
      message: "spec.dnsName: not allowed",
    });
    expect(findCondition(conditions, "Stalled")).toMatchObject({
      status: "True",
      reason: "InvalidSpec",
      observedGeneration: 1,
    });
    expect(failed.status?.observedGeneration).toBe(1);
    // A resync or an unrelated change does not retry it:
    h.informers.informer(KIND).resync();
    await h.clock.advance(600_000);
    expect(calls).toBe(1);
    // A spec change does:
    await h.store.apply(doc("a", "good.internal"));
    for (let i = 0; i < 10; i++) await settle();
    expect(calls).toBe(2);
  });

  it("requeueAfter is not a failure: no backoff, not limited by the failure bucket", async () => {
    const attempts: number[] = [];
    const h = await harness(
      async () => {
        attempts.push(h.clock.now());
        return requeueAfter(500);
      },
      { burst: 1 },
    );
    const start = h.clock.now();
    await h.store.create(doc("a"));
    await h.clock.advance(2000);
    expect(attempts.map((t) => t - start)).toEqual([0, 500, 1000, 1500, 2000]);
  });

  it("aborts a pass at its timeout through the signal and retries it", async () => {
    const reasons: unknown[] = [];
    const h = await harness(
      (_key, signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener("abort", () => {
            reasons.push(signal.reason);
            reject(signal.reason);
          });
        }),
      { timeoutMs: 5000 },
    );
    await h.store.create(doc("a"));
    await h.clock.advance(5000);
    expect(reasons[0]).toBeInstanceOf(ReconcileTimeoutError);
    expect(await resultCount(h.metrics, "timeout")).toBe(1);
    await h.clock.advance(1000);
    expect(reasons).toHaveLength(1); // second pass running
    await h.clock.advance(5000);
    expect(reasons).toHaveLength(2);
  });

  it("stop lets passes in flight finish within the timeout, and aborts them after it", async () => {
    let finish: () => void = () => undefined;
    const h = await harness(
      (_key, signal) =>
        new Promise((resolve, reject) => {
          finish = () => resolve(done());
          signal.addEventListener("abort", () => reject(signal.reason));
        }),
    );
    await h.store.create(doc("a"));
    await settle();
    const graceful = h.controller.stop(30_000);
    await h.clock.advance(1000);
    finish();
    expect(await graceful).toEqual({ aborted: 0 });

    h.controller.start();
    await h.store.apply(doc("a", "again.internal"));
    await settle();
    const forced = h.controller.stop(30_000);
    await h.clock.advance(30_000);
    expect(await forced).toEqual({ aborted: 1 });
    expect(h.controller.running).toBe(false);
  });

  it("puts kind, resource and reconcileId on every line a pass logs", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const destination = new Writable({
      write(chunk, _enc, cb) {
        for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
        cb();
      },
    });
    const log = createLogger({ level: "debug", destination });
    const h = await harness(
      async (_key, _signal, ctx) => {
        ctx.log.info("inside the pass");
        throw new TemporaryError("nope");
      },
      { log },
    );
    await h.store.create(doc("a"));
    for (let i = 0; i < 5; i++) await settle();
    const passLines = lines.filter((l) => l.resource === keyOf("a"));
    expect(passLines.map((l) => l.msg)).toEqual([
      "reconcile start",
      "inside the pass",
      "reconcile failed: will retry",
    ]);
    const ids = new Set(passLines.map((l) => l.reconcileId));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^[0-9a-f]{12}$/);
    expect(passLines.every((l) => l.kind === KIND)).toBe(true);
    expect(passLines.at(-1)?.err).toMatchObject({ type: "TemporaryError", message: "nope" });
  });
});
