/**
 * Invalid items in the runtime: logged once per reason and content, never retried, the key never taken for
 * deleted, and (on the leader) a status saying why where the key allows and the item has room.
 */
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock, settle } from "../../../src/clock.js";
import { API_VERSION, type Condition, type ResourceKey } from "../../../src/crds/meta.js";
import { createLogger, silentLogger } from "../../../src/log.js";
import { findCondition } from "../../../src/reconcilers/conditions.js";
import { Controller } from "../../../src/runtime/controller.js";
import { InformerSet } from "../../../src/runtime/informer-set.js";
import { InvalidItems } from "../../../src/runtime/invalid-items.js";
import type { ReconcileFunction } from "../../../src/runtime/reconciler.js";
import { done } from "../../../src/runtime/result.js";
import { InvalidError, InvalidItemError, NotFoundError } from "../../../src/store/errors.js";
import type { InvalidItem } from "../../../src/store/types.js";
import { FakeStore } from "../../support/fake-store.js";

const KIND = "CloudMapNamespace" as const;
const KEY: ResourceKey = `${KIND}/default/apps`;

function invalidItem(overrides: Partial<InvalidItem> = {}): InvalidItem {
  return {
    reason: "KindMismatch",
    message: 'kind is missing but sk files the item as CloudMapNamespace; set kind to "CloudMapNamespace"',
    kind: KIND,
    pk: "default",
    sk: `${KIND}#apps`,
    name: "apps",
    addressable: true,
    resourceVersion: "3",
    generation: 2,
    bytes: 300,
    fingerprint: "f1",
    ...overrides,
  };
}

/** A logger writing JSON lines into `lines`. */
function capture(): { lines: Array<Record<string, unknown>>; log: ReturnType<typeof createLogger> } {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      cb();
    },
  });
  return { lines, log: createLogger({ level: "debug", destination }) };
}
const warnings = (lines: Array<Record<string, unknown>>) => lines.filter((l) => Number(l.level) >= 40);

describe("InvalidItems", () => {
  it("logs an item once per reason and content, again when it changes or after it was deleted", () => {
    const { lines, log } = capture();
    const items = new InvalidItems({ log });
    expect(items.note(invalidItem())).toBe(true);
    expect(items.note(invalidItem({ resourceVersion: "4" }))).toBe(false); // a status write elsewhere
    expect(items.note(invalidItem({ fingerprint: "f2" }))).toBe(true);
    expect(items.note(invalidItem({ fingerprint: "f2", reason: "ItemTooLarge" }))).toBe(true);
    items.forget(invalidItem());
    expect(items.note(invalidItem({ fingerprint: "f2", reason: "ItemTooLarge" }))).toBe(true);
    expect(warnings(lines).map((l) => [l.kind, l.resource, l.reason])).toEqual([
      [KIND, KEY, "KindMismatch"],
      [KIND, KEY, "KindMismatch"],
      [KIND, KEY, "ItemTooLarge"],
      [KIND, KEY, "ItemTooLarge"],
    ]);
  });

  it("remembers a bounded number of items, forgetting the least recently seen", () => {
    const items = new InvalidItems({ log: silentLogger(), capacity: 2 });
    const a = invalidItem({ sk: `${KIND}#a` });
    const b = invalidItem({ sk: `${KIND}#b` });
    const c = invalidItem({ sk: `${KIND}#c` });
    expect([items.note(a), items.note(b), items.note(a), items.note(c)]).toEqual([true, true, false, true]);
    expect(items.note(a)).toBe(false); // seen recently, kept
    expect(items.note(b)).toBe(true); // forgotten, logged again
  });

  it("writes the status once per content, merged into the item's own, where the key allows and there is room", async () => {
    const store = new FakeStore();
    const clock = new ManualClock();
    const items = new InvalidItems({ log: silentLogger(), store, clock });
    const item = invalidItem({ status: { serviceArn: "arn:keep" } });
    await items.settle(item);
    await items.settle({ ...item, resourceVersion: "4" });
    expect(store.invalidStatusWrites).toHaveLength(1);
    const status = store.invalidStatusWrites[0]?.status ?? {};
    expect(status.serviceArn).toBe("arn:keep");
    expect(status.observedGeneration).toBe(2);
    const conditions = status.conditions as Condition[];
    expect(findCondition(conditions, "Ready")).toMatchObject({
      status: "False",
      reason: "InvalidItem",
      message: item.message,
      observedGeneration: 2,
    });
    expect(findCondition(conditions, "Stalled")).toMatchObject({ status: "True", reason: "InvalidItem" });

    await items.settle(invalidItem({ sk: `${KIND}#big`, name: "big", reason: "ItemTooLarge" }));
    expect(
      findCondition(store.invalidStatusWrites[1]?.status.conditions as Condition[], "Ready")?.reason,
    ).toBe("ItemTooLarge");
    await items.settle(invalidItem({ sk: `${KIND}#a.b`, name: "a.b", addressable: false }));
    store.invalidStatusRoom = false;
    await items.settle(invalidItem({ sk: `${KIND}#huge`, name: "huge", reason: "ItemTooLarge" }));
    expect(store.invalidStatusWrites).toHaveLength(2);
  });
});

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function running(reconcile: ReconcileFunction) {
  const clock = new ManualClock();
  const store = new FakeStore(() => clock.now());
  const { lines, log } = capture();
  const invalidItems = new InvalidItems({ log, store, clock });
  const informers = new InformerSet({
    store,
    kinds: [KIND],
    clock,
    log,
    resyncPeriodMs: 0,
    resyncJitter: 0,
    invalidItems,
  });
  const controller = new Controller({
    kind: KIND,
    reconcile,
    informer: informers.informer(KIND),
    store,
    clock,
    log,
    concurrency: 2,
    reconcileTimeoutMs: 60_000,
    rateLimits: { baseDelayMs: 1000, maxDelayMs: 60_000, ratePerSecond: 10, burst: 100 },
    invalidItems,
  });
  cleanups.push(
    () => informers.stop(),
    () => controller.stop(0),
  );
  await informers.start();
  controller.start();
  /** Lets passes run and every retry that could be scheduled come due. */
  const drain = async () => {
    for (let i = 0; i < 20; i++) {
      await settle();
      clock.advance(60_000);
    }
    await settle();
  };
  return { clock, store, lines, informers, controller, drain };
}

/** The reconcile every kind starts with: re-read the record (the store refuses invalid items). */
function counting(store: () => FakeStore, passes: ResourceKey[]): ReconcileFunction {
  return async (key) => {
    passes.push(key);
    const [, namespace = "", name = ""] = key.split("/");
    await store()
      .get(KIND, namespace, name)
      .catch((error: unknown) => {
        if (!(error instanceof NotFoundError)) throw error; // gone: nothing to do, as every reconciler does
      });
    return done();
  };
}

describe("the runtime and invalid items", () => {
  it("a record overwritten by an invalid item: one pass, one log line, its status, no retry, not deleted", async () => {
    const passes: ResourceKey[] = [];
    let store: FakeStore | undefined;
    const r = await running(counting(() => store as FakeStore, passes));
    store = r.store;
    await r.store.create({
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { name: "apps", namespace: "default" },
      spec: { dnsName: "apps.internal", vpcId: "vpc-1" },
    });
    await r.drain();
    passes.length = 0;

    r.store.putInvalid(invalidItem());
    await r.drain();
    expect(passes).toEqual([KEY]);
    expect(warnings(r.lines).map((l) => l.reason)).toEqual(["KindMismatch"]);
    expect(r.store.invalidStatusWrites).toHaveLength(1);
    expect(r.informers.informer(KIND).get(KEY)).toBeDefined(); // not taken for a deletion
    expect(r.controller.queue?.delayedCount).toBe(0);

    // A relist (after a stream gap) neither drops the key nor reports it again.
    r.store.emitGap();
    await r.drain();
    expect(r.informers.informer(KIND).keys()).toContain(KEY);
    expect(r.lines.filter((l) => String(l.msg).startsWith("invalid item"))).toHaveLength(1);

    // Deleted for good: now the cached record goes, as any deletion.
    r.store.removeInvalid(invalidItem());
    await r.drain();
    expect(r.informers.informer(KIND).keys()).not.toContain(KEY);
  });

  it("a relist never drops a record that turned, unseen, into an item no list shows; a real deletion it drops", async () => {
    const passes: ResourceKey[] = [];
    let store: FakeStore | undefined;
    const r = await running(counting(() => store as FakeStore, passes));
    store = r.store;
    const create = (name: string) =>
      r.store.create({
        apiVersion: API_VERSION,
        kind: KIND,
        metadata: { name, namespace: "default" },
        spec: { dnsName: `${name}.internal`, vpcId: "vpc-1" },
      });
    await create("apps");
    await create("gone");
    await r.drain();
    passes.length = 0;
    // During a stream gap: one record's kind attribute is misspelt (no kind index lists it), another deleted.
    r.store.dropEvents = true;
    r.store.putInvalid(invalidItem(), { listed: false, silent: true });
    await r.store.delete(KIND, "default", "gone");
    r.store.dropEvents = false;
    r.store.emitGap();
    await r.drain();
    const informer = r.informers.informer(KIND);
    expect(informer.get(KEY)).toBeDefined();
    expect(informer.get(`${KIND}/default/gone`)).toBeUndefined();
    expect(passes.sort()).toEqual([`${KIND}/default/apps`, `${KIND}/default/gone`]);
    expect(r.lines.filter((l) => String(l.msg).startsWith("invalid item")).map((l) => l.resource)).toEqual([
      KEY,
    ]);
    expect(r.store.invalidStatusWrites).toHaveLength(1);
  });

  it("the new leader's first pass writes the status the standby only logged", async () => {
    const passes: ResourceKey[] = [];
    let store: FakeStore | undefined;
    const r = await running(counting(() => store as FakeStore, passes));
    store = r.store;
    await r.controller.stop(0); // standby: informers run, no workers
    r.store.putInvalid(invalidItem());
    await r.drain();
    expect(warnings(r.lines)).toHaveLength(1);
    expect(r.store.invalidStatusWrites).toHaveLength(0);
    r.controller.start();
    await r.drain();
    expect(passes).toEqual([KEY]);
    expect(r.store.invalidStatusWrites).toHaveLength(1);
    expect(warnings(r.lines)).toHaveLength(1);
  });

  it("a key the store refuses outright is logged once and not retried", async () => {
    let calls = 0;
    const r = await running(async () => {
      calls += 1;
      throw new InvalidError('name "a.b" is not a DNS label of at most 40 characters');
    });
    r.controller.enqueue(`${KIND}/default/a.b`);
    await r.drain();
    r.controller.enqueue(`${KIND}/default/a.b`); // an event for it again: same refusal, not logged again
    await r.drain();
    expect(calls).toBe(2);
    expect(r.controller.queue?.delayedCount).toBe(0);
    expect(warnings(r.lines).map((l) => l.msg)).toEqual([
      "the store refuses this record: not retried until it changes",
    ]);
  });

  it("an invalid item under another key (a referenced record) is logged and this key retried as usual", async () => {
    let calls = 0;
    const r = await running(async () => {
      calls += 1;
      if (calls === 1) throw new InvalidItemError(invalidItem({ name: "other", sk: `${KIND}#other` }));
      return done();
    });
    r.controller.enqueue(KEY);
    await r.drain();
    expect(calls).toBe(2);
    expect(warnings(r.lines).filter((l) => l.resource === `${KIND}/default/other`)).toHaveLength(1);
  });
});
