import { describe, expect, it } from "vitest";
import type { CatalogSyncSpec } from "../../../src/crds/catalog-sync.js";
import { applyDefaults } from "../../../src/crds/defaults.js";
import type { FargateServiceSpec, FargateServiceStatus } from "../../../src/crds/index.js";
import { silentLogger } from "../../../src/log.js";
import type { CatalogSyncRecord } from "../../../src/reconcilers/catalog-sync/context.js";
import { SyncNameClaims } from "../../../src/reconcilers/catalog-sync/name-claims.js";
import { claimNames, releaseNames } from "../../../src/reconcilers/fargate-service/claims.js";
import type { FargateServiceRecord } from "../../../src/reconcilers/fargate-service/context.js";
import { fargateServiceNames as wantedNames } from "../../../src/reconcilers/name-claims.js";
import { validatedSpec } from "../../../src/reconcilers/validated-spec.js";
import type { StoredResource } from "../../../src/store/types.js";
import { FakeStore } from "../../support/fake-store.js";

function document(namespace: string, name: string, discovery: Record<string, unknown>) {
  return applyDefaults({
    apiVersion: "fargate-operator/v1alpha1",
    kind: "FargateService" as const,
    metadata: { namespace, name },
    spec: {
      cluster: "apps",
      cpu: 256,
      memory: 512,
      containers: [{ name: "app", image: "nginx:1.27" }],
      network: { subnets: ["subnet-1"], securityGroups: ["sg-1"] },
      discovery,
    },
  });
}

const onNamespace = (serviceName?: string, consul?: Record<string, unknown>) => ({
  cloudMap: {
    namespaceRef: { name: "apps-internal", namespace: "platform" },
    ...(serviceName === undefined ? {} : { serviceName }),
  },
  ...(consul === undefined ? {} : { consul }),
});

function recordOf(stored: StoredResource): FargateServiceRecord {
  return {
    metadata: stored.metadata,
    spec: validatedSpec<FargateServiceSpec>(stored),
    status: {} as FargateServiceStatus,
    specHash: stored.specHash,
  };
}

async function create(store: FakeStore, namespace: string, name: string, discovery: Record<string, unknown>) {
  return recordOf(await store.create(document(namespace, name, discovery)));
}

describe("wantedNames", () => {
  it("claims the Cloud Map name in its CloudMapNamespace, and the Consul name (default: the Cloud Map name)", () => {
    const spec = validatedSpec<FargateServiceSpec>({
      ...document("team-a", "web", onNamespace(undefined, { register: true })),
      metadata: { namespace: "team-a", name: "web" },
    } as never);
    expect(wantedNames(spec, { namespace: "team-a", name: "web" }).map((w) => [w.scope, w.name])).toEqual([
      ["CloudMap/platform/apps-internal", "web"],
      ["Consul", "web"],
    ]);
  });

  it("claims nothing without discovery.cloudMap, and no Consul name without register", () => {
    const plain = document("team-a", "web", {});
    expect(wantedNames(plain.spec as never, plain.metadata)).toEqual([]);
    const cloudMapOnly = document("team-a", "web", onNamespace("api", { register: false, serviceName: "x" }));
    expect(wantedNames(cloudMapOnly.spec as never, cloudMapOnly.metadata).map((w) => w.name)).toEqual([
      "api",
    ]);
  });
});

describe("claimNames", () => {
  it("first claimant wins; the second is told who holds the name and what to change", async () => {
    const store = new FakeStore(() => Date.parse("2025-03-01T00:00:00Z"));
    const first = await create(
      store,
      "team-a",
      "one",
      onNamespace("shared", { register: true, serviceName: "api" }),
    );
    const second = await create(
      store,
      "team-b",
      "two",
      onNamespace("shared", { register: true, serviceName: "api" }),
    );
    expect(await claimNames(store, first)).toEqual([]);
    expect(await claimNames(store, first)).toEqual([]);
    expect(await claimNames(store, second)).toEqual([
      "Cloud Map service name shared in CloudMapNamespace platform/apps-internal is claimed by FargateService " +
        "team-a/one (since 2025-03-01T00:00:00.000Z); set spec.discovery.cloudMap.serviceName to another name",
      "Consul service name api is claimed by FargateService team-a/one (since 2025-03-01T00:00:00.000Z); " +
        "set spec.discovery.consul.serviceName to another name",
    ]);
    expect(store.claims.get("Consul#api")?.owner).toEqual({
      kind: "FargateService",
      namespace: "team-a",
      name: "one",
      uid: first.metadata.uid,
    });
  });

  it("a Cloud Map name is per CloudMapNamespace; a Consul name is one for the whole table", async () => {
    const store = new FakeStore();
    const a = await create(store, "team-a", "web", onNamespace(undefined, { register: true }));
    const other = {
      cloudMap: { namespaceRef: { name: "other-internal", namespace: "platform" } },
      consul: { register: true },
    };
    const b = await create(store, "team-b", "web", other);
    expect(await claimNames(store, a)).toEqual([]);
    expect(await claimNames(store, b)).toEqual([
      expect.stringMatching(/^Consul service name web is claimed/),
    ]);
  });

  it("takes over a claim whose owner is gone or no longer asks for the name; keeps one being cleaned up", async () => {
    const store = new FakeStore();
    const first = await create(store, "team-a", "one", onNamespace("shared"));
    const second = await create(store, "team-b", "two", onNamespace("shared"));
    await claimNames(store, first);

    // Being deleted (its cleanup still runs): the claim holds.
    await store.addFinalizer("FargateService", "team-a", "one", "fargate-operator/cleanup", "1");
    await store.delete("FargateService", "team-a", "one");
    expect(await claimNames(store, second)).toHaveLength(1);
    // Gone without releasing it: stale, taken over.
    const deleting = await store.get("FargateService", "team-a", "one");
    await store.removeFinalizer(
      "FargateService",
      "team-a",
      "one",
      "fargate-operator/cleanup",
      deleting.metadata.resourceVersion,
    );
    expect(await claimNames(store, second)).toEqual([]);
    expect(store.claims.get("CloudMap/platform/apps-internal#shared")?.owner.name).toBe("two");

    // The holder renames its service: its claim on the old name is stale.
    const third = await create(store, "team-c", "three", onNamespace("shared"));
    store.putItem("FargateService", "team-b", "two", document("team-b", "two", onNamespace("renamed")).spec);
    expect(await claimNames(store, third)).toEqual([]);
    // An owner whose spec is invalid keeps its claims (what it made still runs).
    const fourth = await create(store, "team-d", "four", onNamespace("shared"));
    store.putItem("FargateService", "team-c", "three", { cluster: 7 });
    expect(await claimNames(store, fourth)).toHaveLength(1);
  });

  it("releases only its own claims", async () => {
    const store = new FakeStore();
    const first = await create(store, "team-a", "one", onNamespace("shared"));
    const second = await create(store, "team-b", "two", onNamespace("shared"));
    await claimNames(store, first);
    await releaseNames(store, second);
    expect(store.claims.size).toBe(1);
    await releaseNames(store, first);
    expect(store.claims.size).toBe(0);
  });
});

describe("a CatalogSync's claims", () => {
  function syncRecord(stored: StoredResource, toCloudMap: string[], writer = true): CatalogSyncRecord {
    return {
      metadata: stored.metadata,
      spec: validatedSpec<CatalogSyncSpec>(stored),
      status: {
        sync: {
          writer,
          toCloudMap: toCloudMap.map((n) => ({
            consulName: n,
            cloudMapName: n,
            cloudMapServiceId: `srv-${n}`,
            instances: 1,
            healthy: 1,
          })),
          toConsul: [],
          errors: {},
          writes: { toCloudMap: 0, toConsul: 0 },
          reportedAt: "2025-03-01T00:00:00.000Z",
        },
      },
    };
  }
  const syncDocument = (include: string[]) =>
    applyDefaults({
      apiVersion: "fargate-operator/v1alpha1",
      kind: "CatalogSync" as const,
      metadata: { namespace: "platform", name: "apps-internal" },
      spec: { cloudMapNamespaceRef: { name: "apps-internal" }, toCloudMap: { include } },
    });

  it("reserves what its writing engine mirrors, while its filters still export it", async () => {
    const store = new FakeStore();
    const claims = new SyncNameClaims();
    const stored = await store.create(syncDocument(["vault"]));
    await claims.claimMirrored(store, syncRecord(stored, ["vault"], false), silentLogger());
    expect(store.claims.size).toBe(0);
    await claims.claimMirrored(store, syncRecord(stored, ["vault"]), silentLogger());
    expect(store.claims.get("CloudMap/platform/apps-internal#vault")?.owner.kind).toBe("CatalogSync");

    const tenant = await create(store, "team-a", "evil", onNamespace("vault"));
    expect(await claimNames(store, tenant)).toEqual([
      expect.stringMatching(/vault in CloudMapNamespace platform\/apps-internal is claimed by CatalogSync/),
    ]);
    // The platform stops exporting vault: the name is free again.
    store.putItem("CatalogSync", "platform", "apps-internal", syncDocument(["postgres"]).spec);
    expect(await claimNames(store, tenant)).toEqual([]);
  });

  it("releases what it holds when its cleanup finishes", async () => {
    const store = new FakeStore();
    const claims = new SyncNameClaims();
    const stored = await store.create(syncDocument([]));
    await claims.claimMirrored(store, syncRecord(stored, ["vault", "postgres"]), silentLogger());
    expect(store.claims.size).toBe(2);
    await claims.release(store, syncRecord(stored, [], false));
    expect(store.claims.size).toBe(0);
  });
});
