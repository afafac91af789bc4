import { describe, expect, it } from "vitest";
import { ManualClock, settle } from "../../../src/clock.js";
import { specHash } from "../../../src/crds/hash.js";
import { API_VERSION, type Kind, type ResourceKey } from "../../../src/crds/meta.js";
import { silentLogger } from "../../../src/log.js";
import { InformerSet } from "../../../src/runtime/informer-set.js";
import { Priority } from "../../../src/runtime/workqueue.js";
import type { ResourceDocument, StoredResource, WatchEvent } from "../../../src/store/types.js";
import { FakeStore } from "../../support/fake-store.js";

function doc(
  name: string,
  spec: Record<string, unknown> = { dnsName: `${name}.internal`, vpcId: "vpc-1" },
  kind: Kind = "CloudMapNamespace",
): ResourceDocument {
  return { apiVersion: API_VERSION, kind, metadata: { name, namespace: "default" }, spec };
}

/** A CloudMapNamespace record `default/<name>` at `resourceVersion` holding `spec`. */
function record(name: string, resourceVersion: string, spec: Record<string, unknown>): StoredResource {
  return {
    apiVersion: API_VERSION,
    kind: "CloudMapNamespace",
    metadata: {
      name,
      namespace: "default",
      uid: "uid-1",
      generation: 1,
      resourceVersion,
      creationTimestamp: "2024-01-01T00:00:00.000Z",
      finalizers: [],
      labels: {},
      annotations: {},
      ownerReferences: [],
    },
    spec,
    specHash: specHash(spec),
  };
}

/** A watch event as the stream would deliver it (statusOnly computed by the store from both images). */
function event(type: WatchEvent["type"], resource: StoredResource, old?: StoredResource): WatchEvent {
  return {
    type,
    kind: resource.kind,
    resource,
    ...(old === undefined ? {} : { old }),
    statusOnly: false,
    approximateCreationTime: 0,
  };
}

const KEY_A: ResourceKey = "CloudMapNamespace/default/a";
const KEY_B: ResourceKey = "CloudMapNamespace/default/b";

async function setUp(options: { resyncPeriodMs?: number } = {}) {
  const clock = new ManualClock();
  const store = new FakeStore(() => clock.now());
  const keys: Array<[ResourceKey, Priority]> = [];
  const set = new InformerSet({
    store,
    kinds: ["CloudMapNamespace", "FargateService"],
    clock,
    log: silentLogger(),
    resyncPeriodMs: options.resyncPeriodMs ?? 0,
    resyncJitter: 0.1,
    random: () => 0.5,
  });
  const informer = set.informer("CloudMapNamespace");
  informer.addHandler((key, priority) => keys.push([key, priority]));
  return { clock, store, set, informer, keys };
}

describe("informers", () => {
  it("lists into the cache, then enqueues keys (not events) for changes", async () => {
    const { store, set, informer, keys } = await setUp();
    await store.create(doc("a"));
    await set.start();
    expect(set.hasSynced).toBe(true);
    expect(informer.get(KEY_A)?.spec).toEqual({ dnsName: "a.internal", vpcId: "vpc-1" });
    expect(keys).toEqual([[KEY_A, Priority.High]]);
    keys.length = 0;
    await store.create(doc("b"));
    await store.apply(doc("a", { dnsName: "a2.internal", vpcId: "vpc-1" }));
    await settle();
    expect(keys).toEqual([
      [KEY_B, Priority.High],
      [KEY_A, Priority.High],
    ]);
    expect(informer.get(KEY_A)?.metadata.generation).toBe(2);
    await set.stop();
    expect(store.watcherCount).toBe(0);
  });

  it("keeps the cache current on status-only changes without enqueueing", async () => {
    const { store, set, informer, keys } = await setUp();
    const a = await store.create(doc("a"));
    await set.start();
    keys.length = 0;
    await store.updateStatus(
      "CloudMapNamespace",
      "default",
      "a",
      { namespaceId: "ns-1" },
      a.metadata.resourceVersion,
    );
    await settle();
    expect(keys).toEqual([]);
    expect(informer.get(KEY_A)?.status).toEqual({ namespaceId: "ns-1" });
    await set.stop();
  });

  it("tells cache listeners (the status page) of every change, status-only ones and deletions too", async () => {
    const { store, set, informer } = await setUp();
    const seen: ResourceKey[] = [];
    const remove = informer.onCacheChange((key) => seen.push(key));
    const a = await store.create(doc("a"));
    await set.start();
    expect(seen).toEqual([KEY_A]);
    await store.updateStatus(
      "CloudMapNamespace",
      "default",
      "a",
      { namespaceId: "ns-1" },
      a.metadata.resourceVersion,
    );
    await store.delete("CloudMapNamespace", "default", "a");
    await settle();
    expect(seen).toEqual([KEY_A, KEY_A, KEY_A]);
    remove();
    await store.create(doc("b"));
    await settle();
    expect(seen).toHaveLength(3);
    await set.stop();
  });

  it("drops records deleted from the store and enqueues their key", async () => {
    const { store, set, informer, keys } = await setUp();
    await store.create(doc("a"));
    await set.start();
    keys.length = 0;
    await store.delete("CloudMapNamespace", "default", "a");
    await settle();
    expect(informer.get(KEY_A)).toBeUndefined();
    expect(keys).toEqual([[KEY_A, Priority.High]]);
    await set.stop();
  });

  it("enqueues a hand-written put-item that reads as version 0 after version 7", async () => {
    const { set, informer, keys } = await setUp();
    await set.start();
    informer.applyEvent(event("added", record("a", "7", { dnsName: "a.internal" })));
    keys.length = 0;
    informer.applyEvent(event("modified", record("a", "0", { dnsName: "put.internal" })));
    expect(keys).toEqual([[KEY_A, Priority.High]]);
    expect(informer.get(KEY_A)?.spec).toEqual({ dnsName: "put.internal" });
    await set.stop();
  });

  it("enqueues a raw update-item of spec that leaves resourceVersion alone", async () => {
    const { set, informer, keys } = await setUp();
    await set.start();
    informer.applyEvent(event("added", record("a", "3", { dnsName: "a.internal" })));
    keys.length = 0;
    informer.applyEvent(event("modified", record("a", "3", { dnsName: "edited.internal" })));
    expect(keys).toEqual([[KEY_A, Priority.High]]);
    expect(informer.get(KEY_A)?.spec).toEqual({ dnsName: "edited.internal" });
    await set.stop();
  });

  it("enqueues a new incarnation even when its creationTimestamp reads as 1970", async () => {
    const { set, informer, keys } = await setUp();
    await set.start();
    informer.applyEvent(event("added", record("a", "4", { dnsName: "a.internal" })));
    keys.length = 0;
    const replaced = record("a", "0", { dnsName: "a.internal" });
    replaced.metadata.uid = "hand-written-uid";
    replaced.metadata.creationTimestamp = "1970-01-01T00:00:00.000Z";
    informer.applyEvent(event("modified", replaced));
    expect(keys).toEqual([[KEY_A, Priority.High]]);
    expect(informer.get(KEY_A)?.metadata.uid).toBe("hand-written-uid");
    await set.stop();
  });

  it("updates the cache on status-only changes and duplicate deliveries without enqueueing", async () => {
    const { set, informer, keys } = await setUp();
    await set.start();
    const first = record("a", "5", { dnsName: "a.internal" });
    informer.applyEvent(event("added", first));
    keys.length = 0;
    const withStatus = { ...record("a", "6", { dnsName: "a.internal" }), status: { namespaceId: "ns-1" } };
    informer.applyEvent({ ...event("modified", withStatus, first), statusOnly: true });
    informer.applyEvent({ ...event("modified", withStatus, first), statusOnly: true });
    expect(keys).toEqual([]);
    expect(informer.get(KEY_A)?.status).toEqual({ namespaceId: "ns-1" });
    await set.stop();
  });

  it("does not let a list that raced an event overwrite it", async () => {
    const { store, set, informer, keys } = await setUp();
    await store.create(doc("a"));
    await set.start();
    const originalList = store.list.bind(store);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    store.list = async (kind, options) => {
      const snapshot = await originalList(kind, options); // read before the change below
      await gate;
      return snapshot;
    };
    const relist = informer.relist();
    await settle();
    await store.apply(doc("a", { dnsName: "during.internal", vpcId: "vpc-1" }));
    await settle();
    keys.length = 0;
    release();
    await relist;
    store.list = originalList;
    expect(informer.get(KEY_A)?.spec.dnsName).toBe("during.internal");
    expect(keys).toEqual([[KEY_A, Priority.Low]]);
    await set.stop();
  });

  it("relists after a watch gap: missed changes are enqueued high, missed deletions drop, the rest low", async () => {
    const { store, set, informer, keys } = await setUp();
    await store.create(doc("a"));
    await store.create(doc("b"));
    await store.create(doc("c"));
    await set.start();
    keys.length = 0;
    store.dropEvents = true; // the stream loses these
    await store.apply(doc("a", { dnsName: "changed.internal", vpcId: "vpc-1" }));
    await store.delete("CloudMapNamespace", "default", "b");
    await store.create(doc("d"));
    await settle();
    expect(keys).toEqual([]);
    expect(informer.get(KEY_A)?.spec.dnsName).toBe("a.internal");
    store.dropEvents = false;
    const listsBefore = store.calls.list;
    store.emitGap("TrimmedDataAccessException");
    await settle();
    expect(store.calls.list - listsBefore).toBe(2); // one per kind
    expect(informer.get(KEY_A)?.spec.dnsName).toBe("changed.internal");
    expect(informer.get(KEY_B)).toBeUndefined();
    expect(new Map(keys)).toEqual(
      new Map<ResourceKey, Priority>([
        [KEY_A, Priority.High],
        ["CloudMapNamespace/default/c", Priority.Low],
        ["CloudMapNamespace/default/d", Priority.High],
        [KEY_B, Priority.High],
      ]),
    );
    await set.stop();
  });

  it("does not let a list overwrite a newer change the watch already delivered", async () => {
    const { store, set, informer } = await setUp();
    await store.create(doc("a"));
    await set.start();
    const stale = await store.list("CloudMapNamespace");
    await store.apply(doc("a", { dnsName: "new.internal", vpcId: "vpc-1" }));
    await settle();
    // A list that started before the change and ends after it:
    const originalList = store.list.bind(store);
    store.list = async () => stale;
    await informer.relist();
    store.list = originalList;
    expect(informer.get(KEY_A)?.spec.dnsName).toBe("new.internal");
    await set.stop();
  });

  it("takes a change the stream lost after an earlier event, when a relist reads it", async () => {
    const { store, set, informer, keys } = await setUp();
    await store.create(doc("a"));
    await set.start();
    await store.apply(doc("a", { dnsName: "seen.internal", vpcId: "vpc-1" }));
    await settle();
    store.dropEvents = true;
    await store.apply(doc("a", { dnsName: "lost.internal", vpcId: "vpc-1" }));
    store.dropEvents = false;
    keys.length = 0;
    await informer.relist();
    expect(informer.get(KEY_A)?.spec.dnsName).toBe("lost.internal");
    expect(keys).toEqual([[KEY_A, Priority.High]]);
    await set.stop();
  });

  it("keeps records an event brought in while a list was running", async () => {
    const { store, set, informer } = await setUp();
    await store.create(doc("a"));
    await set.start();
    const originalList = store.list.bind(store);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    store.list = async (kind, options) => {
      const snapshot = await originalList(kind, options);
      await gate;
      return snapshot;
    };
    const relist = informer.relist();
    await store.create(doc("e"));
    await settle();
    release();
    await relist;
    store.list = originalList;
    expect(informer.get("CloudMapNamespace/default/e")).toBeDefined();
    await set.stop();
  });

  it("retries a failing watch start and list until they work", async () => {
    const { clock, store, set } = await setUp();
    store.failNext("watch", new Error("ResourceNotFoundException"));
    store.failNext("list", new Error("ProvisionedThroughputExceededException"));
    const started = set.start();
    await clock.advance(10_000);
    await started;
    expect(set.hasSynced).toBe(true);
    expect(store.calls.watch).toBe(2);
    await set.stop();
  });

  it("resyncs every cached key at low priority each period (with jitter)", async () => {
    const { clock, store, set, keys } = await setUp({ resyncPeriodMs: 600_000 });
    await store.create(doc("a"));
    await store.create(doc("b"));
    await set.start();
    keys.length = 0;
    await clock.advance(600_000 * 1.05 - 1);
    expect(keys).toEqual([]);
    await clock.advance(1);
    expect(keys).toEqual([
      [KEY_A, Priority.Low],
      [KEY_B, Priority.Low],
    ]);
    await clock.advance(630_000);
    expect(keys).toHaveLength(4);
    await set.stop();
  });
});
