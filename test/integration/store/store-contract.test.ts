/** The ResourceStore contract, run against DynamoDB Local and moto, each test on a fresh table. */
import { afterEach, describe, expect, it } from "vitest";
import { specHash } from "../../../src/crds/hash.js";
import type { DynamoResourceStore } from "../../../src/store/dynamo-store.js";
import { ConflictError, InvalidError, NotFoundError } from "../../../src/store/errors.js";
import { doc, endpointOf, freshStore, STORE_BACKENDS } from "../../support/store-fixtures.js";

const CLOUD_MAP = "CloudMapNamespace";
const SERVICE = "FargateService";

describe.each(STORE_BACKENDS)("ResourceStore on %s", (_backend, endpointKey) => {
  let store: DynamoResourceStore;
  const fresh = async (): Promise<DynamoResourceStore> => {
    store = await freshStore(endpointOf(endpointKey));
    return store;
  };
  afterEach(() => store?.destroy());

  it("creates and gets a record with full metadata", async () => {
    await fresh();
    const created = await store.create(
      doc(CLOUD_MAP, "main", { dnsName: "internal.example.com" }, { labels: { team: "a" } }),
    );
    expect(created.metadata).toMatchObject({
      name: "main",
      namespace: "default",
      generation: 1,
      resourceVersion: "1",
      finalizers: [],
      labels: { team: "a" },
      annotations: {},
      ownerReferences: [],
    });
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.specHash).toBe(specHash({ dnsName: "internal.example.com" }));
    const read = await store.get(CLOUD_MAP, "default", "main");
    expect(read).toEqual(created);
    expect(read.status).toBeUndefined();
  });

  it("refuses a second create with a ConflictError carrying the current record", async () => {
    await fresh();
    const first = await store.create(doc(CLOUD_MAP, "main", { dnsName: "a.example.com" }));
    const error = await store
      .create(doc(CLOUD_MAP, "main", { dnsName: "b.example.com" }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).current).toEqual(first);
  });

  it("throws NotFoundError for a missing record and InvalidError for a bad name", async () => {
    await fresh();
    await expect(store.get(CLOUD_MAP, "default", "nope")).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.get(CLOUD_MAP, "default", "Not_A_Label")).rejects.toBeInstanceOf(InvalidError);
    await expect(store.create(doc(CLOUD_MAP, "x".repeat(41), {}))).rejects.toBeInstanceOf(InvalidError);
  });

  it("lists one kind in one namespace, across namespaces, and keeps kinds apart", async () => {
    await fresh();
    await store.create(doc(CLOUD_MAP, "b", {}, { namespace: "team-a" }));
    await store.create(doc(CLOUD_MAP, "a", {}, { namespace: "team-a" }));
    await store.create(doc(CLOUD_MAP, "c", {}, { namespace: "team-b" }));
    await store.create(doc(SERVICE, "a", { cluster: "x" }, { namespace: "team-a" }));
    await store.leases.acquireLease("controller", "me", 10_000, null);
    const names = (list: { metadata: { namespace: string; name: string } }[]) =>
      list.map((r) => `${r.metadata.namespace}/${r.metadata.name}`);
    expect(names(await store.list(CLOUD_MAP, { namespace: "team-a" }))).toEqual(["team-a/a", "team-a/b"]);
    expect(names(await store.list(CLOUD_MAP))).toEqual(["team-a/a", "team-a/b", "team-b/c"]);
    expect(names(await store.list(SERVICE))).toEqual(["team-a/a"]);
    expect(await store.list("CatalogSync")).toEqual([]);
    expect(await store.list(CLOUD_MAP, { namespace: "team-c" })).toEqual([]);
  });

  it("apply reports created, updated and unchanged; generation rises only with the spec", async () => {
    await fresh();
    const created = await store.apply(doc(CLOUD_MAP, "main", { dnsName: "a.example.com" }));
    expect(created.outcome).toBe("created");
    expect(created.resource.metadata.generation).toBe(1);

    const same = await store.apply(doc(CLOUD_MAP, "main", { dnsName: "a.example.com" }));
    expect(same.outcome).toBe("unchanged");
    expect(same.resource.metadata.resourceVersion).toBe("1");

    const labelled = await store.apply(
      doc(CLOUD_MAP, "main", { dnsName: "a.example.com" }, { labels: { x: "1" } }),
    );
    expect(labelled.outcome).toBe("updated");
    expect(labelled.resource.metadata).toMatchObject({
      generation: 1,
      resourceVersion: "2",
      labels: { x: "1" },
    });

    const changed = await store.apply(
      doc(CLOUD_MAP, "main", { dnsName: "b.example.com" }, { labels: { x: "1" } }),
    );
    expect(changed.outcome).toBe("updated");
    expect(changed.resource.metadata).toMatchObject({ generation: 2, resourceVersion: "3" });
    expect(changed.resource.metadata.uid).toBe(created.resource.metadata.uid);
    expect(changed.resource.metadata.creationTimestamp).toBe(created.resource.metadata.creationTimestamp);
    expect(changed.resource.specHash).toBe(specHash({ dnsName: "b.example.com" }));
    expect(await store.get(CLOUD_MAP, "default", "main")).toEqual(changed.resource);
  });

  it("apply with a stale resourceVersion is a ConflictError carrying the current record", async () => {
    await fresh();
    await store.apply(doc(CLOUD_MAP, "main", { v: 1 }));
    const second = await store.apply(doc(CLOUD_MAP, "main", { v: 2 }));
    const stale = await store
      .apply(doc(CLOUD_MAP, "main", { v: 3 }, { resourceVersion: "1" }))
      .catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ConflictError);
    expect((stale as ConflictError).current).toEqual(second.resource);
    const viaOption = await store
      .apply(doc(CLOUD_MAP, "main", { v: 3 }), { expectedResourceVersion: "1" })
      .catch((e: unknown) => e);
    expect(viaOption).toBeInstanceOf(ConflictError);
    const fine = await store.apply(doc(CLOUD_MAP, "main", { v: 3 }, { resourceVersion: "2" }));
    expect(fine.resource.metadata).toMatchObject({ generation: 3, resourceVersion: "3" });
    const missing = await store
      .apply(doc(CLOUD_MAP, "other", { v: 1 }, { resourceVersion: "4" }))
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ConflictError);
    expect((missing as ConflictError).current).toBeUndefined();
  });

  it("updateStatus writes only status; apply leaves status alone", async () => {
    await fresh();
    const created = await store.create(doc(SERVICE, "web", { cluster: "c1", desiredCount: 1 }));
    const withStatus = await store.updateStatus(SERVICE, "default", "web", { observedGeneration: 1 }, "1");
    expect(withStatus.status).toEqual({ observedGeneration: 1 });
    expect(withStatus.spec).toEqual(created.spec);
    expect(withStatus.metadata).toMatchObject({ generation: 1, resourceVersion: "2" });

    const applied = await store.apply(doc(SERVICE, "web", { cluster: "c1", desiredCount: 2 }));
    expect(applied.resource.status).toEqual({ observedGeneration: 1 });
    expect(applied.resource.metadata).toMatchObject({ generation: 2, resourceVersion: "3" });

    const stale = await store
      .updateStatus(SERVICE, "default", "web", { observedGeneration: 9 }, "2")
      .catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ConflictError);
    expect((stale as ConflictError).current).toEqual(applied.resource);
    await expect(store.updateStatus(SERVICE, "default", "gone", {}, "1")).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it("delete without finalizers removes the record at once", async () => {
    await fresh();
    await store.create(doc(CLOUD_MAP, "main", {}));
    const result = await store.delete(CLOUD_MAP, "default", "main");
    expect(result.removed).toBe(true);
    expect(result.resource.metadata.deletionTimestamp).toBeDefined();
    await expect(store.get(CLOUD_MAP, "default", "main")).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.delete(CLOUD_MAP, "default", "main")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("delete with a finalizer marks the record; removing the last finalizer removes it", async () => {
    await fresh();
    await store.create(doc(SERVICE, "web", { cluster: "c1" }));
    const finalized = await store.addFinalizer(SERVICE, "default", "web", "fargate-operator/cleanup", "1");
    expect(finalized.metadata).toMatchObject({
      finalizers: ["fargate-operator/cleanup"],
      resourceVersion: "2",
    });
    const again = await store.addFinalizer(SERVICE, "default", "web", "fargate-operator/cleanup", "2");
    expect(again.metadata.resourceVersion).toBe("2");
    await expect(store.addFinalizer(SERVICE, "default", "web", "other/x", "1")).rejects.toBeInstanceOf(
      ConflictError,
    );
    const second = await store.addFinalizer(SERVICE, "default", "web", "other/x", "2");
    expect(second.metadata.finalizers).toEqual(["fargate-operator/cleanup", "other/x"]);

    const marked = await store.delete(SERVICE, "default", "web");
    expect(marked.removed).toBe(false);
    expect(marked.resource.metadata.deletionTimestamp).toBeDefined();
    expect(marked.resource.metadata.resourceVersion).toBe("4");
    const idempotent = await store.delete(SERVICE, "default", "web");
    expect(idempotent).toEqual({ removed: false, resource: marked.resource });
    await expect(store.addFinalizer(SERVICE, "default", "web", "late/one", "4")).rejects.toBeInstanceOf(
      InvalidError,
    );

    const one = await store.removeFinalizer(SERVICE, "default", "web", "other/x", "4");
    expect(one?.metadata.finalizers).toEqual(["fargate-operator/cleanup"]);
    await expect(
      store.removeFinalizer(SERVICE, "default", "web", "fargate-operator/cleanup", "4"),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(
      await store.removeFinalizer(SERVICE, "default", "web", "fargate-operator/cleanup", "5"),
    ).toBeNull();
    await expect(store.get(SERVICE, "default", "web")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("removing a finalizer from a live record keeps it", async () => {
    await fresh();
    await store.create(doc(SERVICE, "web", { cluster: "c1" }));
    await store.addFinalizer(SERVICE, "default", "web", "fargate-operator/cleanup", "1");
    const kept = await store.removeFinalizer(SERVICE, "default", "web", "fargate-operator/cleanup", "2");
    expect(kept?.metadata).toMatchObject({ finalizers: [], resourceVersion: "3" });
    expect(kept?.metadata.deletionTimestamp).toBeUndefined();
  });

  it("refuses items over 350 KB before writing", async () => {
    await fresh();
    const big = { blob: "x".repeat(360 * 1024) };
    await expect(store.create(doc(CLOUD_MAP, "big", big))).rejects.toBeInstanceOf(InvalidError);
    await expect(store.get(CLOUD_MAP, "default", "big")).rejects.toBeInstanceOf(NotFoundError);
    await store.create(doc(CLOUD_MAP, "small", {}));
    await expect(store.updateStatus(CLOUD_MAP, "default", "small", big, "1")).rejects.toBeInstanceOf(
      InvalidError,
    );
    await expect(store.apply(doc(CLOUD_MAP, "small", big))).rejects.toBeInstanceOf(InvalidError);
    expect((await store.get(CLOUD_MAP, "default", "small")).metadata.resourceVersion).toBe("1");
  });
});
