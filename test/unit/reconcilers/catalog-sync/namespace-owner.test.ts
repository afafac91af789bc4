/**
 * Which CatalogSync owns a Cloud Map namespace: the first the controller admits, whatever a writer puts on a
 * record; kept while it lives and refers to the namespace; taken over only from a stale owner, whose engine then
 * stops here; released claims free the namespace.
 */
import { describe, expect, it } from "vitest";
import type { CatalogSyncSpec, CatalogSyncStatus } from "../../../../src/crds/catalog-sync.js";
import { silentLogger } from "../../../../src/log.js";
import type { CatalogSyncRecord } from "../../../../src/reconcilers/catalog-sync/context.js";
import {
  claimNamespace,
  MemorySyncOwners,
  releaseClaims,
} from "../../../../src/reconcilers/catalog-sync/namespace-owner.js";
import { catalogSyncsOf } from "../../../../src/reconcilers/catalog-sync/precedence.js";
import { FakeStore } from "../../../support/fake-store.js";
import { catalogSync } from "./reconciler-harness.js";

const NS = "ns-apps";
const PLATFORM_REF = { name: "apps-internal", namespace: "platform" };

function setup() {
  const store = new FakeStore(() => 0);
  const owners = new MemorySyncOwners();
  const stopped: string[] = [];
  const deps = {
    store,
    owners,
    registry: {
      stop: async (uid: string) => {
        stopped.push(uid);
        return true;
      },
    },
    clock: { now: () => Date.UTC(2026, 0, 1) },
    log: silentLogger(),
  };
  const record = async (namespace: string, name: string): Promise<CatalogSyncRecord> => {
    const stored = await store.get("CatalogSync", namespace, name);
    return {
      metadata: stored.metadata,
      spec: stored.spec as unknown as CatalogSyncSpec,
      status: (stored.status ?? {}) as CatalogSyncStatus,
    };
  };
  const claim = async (namespace: string, name: string) =>
    claimNamespace(deps, await record(namespace, name), NS);
  return { store, owners, stopped, deps, claim };
}

describe("claimNamespace", () => {
  it("the first CatalogSync admitted owns the namespace; a later one defers, whatever its timestamps say", async () => {
    const t = setup();
    await t.store.create(catalogSync("apps", {}, "platform"));
    expect(await t.claim("platform", "apps")).toEqual({ exclusive: true });
    // A hand-written item (no creationTimestamp) naming another namespace's CloudMapNamespace, and one whose
    // name sorts first: neither displaces the owner.
    t.store.putItem("CatalogSync", "team-x", "squat", { cloudMapNamespaceRef: PLATFORM_REF });
    t.store.putItem("CatalogSync", "a-team", "a", { cloudMapNamespaceRef: PLATFORM_REF });
    expect(await t.claim("team-x", "squat")).toEqual({ exclusive: false, holder: "platform/apps" });
    expect(await t.claim("a-team", "a")).toEqual({ exclusive: false, holder: "platform/apps" });
    // The owner's own record rewritten by a put-item (no creationTimestamp) keeps its identity and the namespace.
    t.store.putItem("CatalogSync", "platform", "apps", { cloudMapNamespaceRef: { name: "apps-internal" } });
    expect(await t.claim("platform", "apps")).toEqual({ exclusive: true });
    expect(await t.owners.readOwner(NS)).toMatchObject({ namespace: "platform", name: "apps" });
    expect(t.stopped).toEqual([]);
  });

  it("a deleting owner keeps the namespace until it releases it", async () => {
    const t = setup();
    const owner = await t.store.create(catalogSync("apps", {}, "platform"));
    await t.claim("platform", "apps");
    await t.store.addFinalizer("CatalogSync", "platform", "apps", "f", owner.metadata.resourceVersion);
    await t.store.delete("CatalogSync", "platform", "apps");
    t.store.putItem("CatalogSync", "team-x", "next", { cloudMapNamespaceRef: PLATFORM_REF });
    expect(await t.claim("team-x", "next")).toEqual({ exclusive: false, holder: "platform/apps" });
    await releaseClaims(t.deps, owner.metadata.uid);
    expect(await t.claim("team-x", "next")).toEqual({ exclusive: true });
  });

  it("takes over from an owner whose record is gone or refers elsewhere, and stops its engine here", async () => {
    const t = setup();
    const gone = await t.store.create(catalogSync("old", {}, "platform"));
    await t.claim("platform", "old");
    await t.store.delete("CatalogSync", "platform", "old");
    await t.store.create(catalogSync("new", {}, "platform"));
    expect(await t.claim("platform", "new")).toEqual({ exclusive: true });
    expect(t.stopped).toEqual([gone.metadata.uid]);

    const moved = await t.store.get("CatalogSync", "platform", "new");
    await t.store.apply(catalogSync("new", { cloudMapNamespaceRef: { name: "elsewhere" } }, "platform"));
    await t.store.create(catalogSync("third", {}, "platform"));
    expect(await t.claim("platform", "third")).toEqual({ exclusive: true });
    expect(t.stopped).toEqual([gone.metadata.uid, moved.metadata.uid]);
    expect(await t.owners.readOwner(NS)).toMatchObject({
      name: "third",
      cloudMapNamespaceRef: "platform/apps-internal",
    });
  });

  it("claiming a namespace releases the record's claims on others (its reference moved)", async () => {
    const t = setup();
    const stored = await t.store.create(catalogSync("apps", {}, "platform"));
    await t.owners.claimOwner(
      {
        namespaceId: "ns-old",
        uid: stored.metadata.uid,
        namespace: "platform",
        name: "apps",
        cloudMapNamespaceRef: "platform/old",
        claimedAt: "",
      },
      null,
    );
    await t.claim("platform", "apps");
    expect((await t.owners.ownedBy(stored.metadata.uid)).map((o) => o.namespaceId)).toEqual([NS]);
  });

  it("before any owner item exists, defers to the CatalogSync the controller's status reports syncing", async () => {
    const t = setup();
    const running = await t.store.create(catalogSync("running", {}, "platform"));
    await t.store.updateStatus(
      "CatalogSync",
      "platform",
      "running",
      { namespaceId: NS },
      running.metadata.resourceVersion,
    );
    t.store.putItem("CatalogSync", "a-team", "early", { cloudMapNamespaceRef: PLATFORM_REF });
    expect(await t.claim("a-team", "early")).toEqual({ exclusive: false, holder: "platform/running" });
    expect(await t.claim("platform", "running")).toEqual({ exclusive: true });
  });
});

describe("catalogSyncsOf (what a FargateService reads)", () => {
  it("puts the CatalogSync the controller reports syncing first, not the oldest or the first by name", async () => {
    const store = new FakeStore(() => 0);
    store.putItem("CatalogSync", "a-team", "a", { cloudMapNamespaceRef: PLATFORM_REF });
    const owner = await store.create(catalogSync("apps", {}, "platform"));
    await store.updateStatus(
      "CatalogSync",
      "platform",
      "apps",
      { namespaceId: NS, conditions: [{ type: "Ready", status: "True", reason: "Syncing" }] },
      owner.metadata.resourceVersion,
    );
    const found = catalogSyncsOf(await store.list("CatalogSync"), "platform/apps-internal", NS);
    expect(found.map((r) => `${r.metadata.namespace}/${r.metadata.name}`)).toEqual([
      "platform/apps",
      "a-team/a",
    ]);
  });
});
