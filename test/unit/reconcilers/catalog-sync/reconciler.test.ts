/**
 * The CatalogSync reconciler on the in-memory store and Cloud Map with a fake engine: one engine per record
 * (restarted on change, stopped on deletion and by the stop hook), NamespaceAlreadySynced for a second record,
 * reports written onto the status, the token rules, and the child of placement: task.
 */
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../../src/clock.js";
import type { ConsulClientOptions } from "../../../../src/consul/client.js";
import { ConsulClient } from "../../../../src/consul/client.js";
import { applyDefaults } from "../../../../src/crds/defaults.js";
import { API_VERSION, resourceKey } from "../../../../src/crds/meta.js";
import { silentLogger } from "../../../../src/log.js";
import { catalogSyncReconciler } from "../../../../src/reconcilers/catalog-sync/reconciler.js";
import type { SyncEngineDeps, SyncEngineRuntime } from "../../../../src/reconcilers/catalog-sync/run-sync.js";
import type { CatalogSyncReconcilerSettings } from "../../../../src/reconcilers/catalog-sync/steps.js";
import { CONTROLLER_FINALIZER } from "../../../../src/reconcilers/finalizer.js";
import { CreationTimestamps } from "../../../../src/runtime/creation-timestamps.js";
import { PermanentError } from "../../../../src/runtime/errors.js";
import type { ResourceDocument, StoredResource } from "../../../../src/store/types.js";
import type { SyncEngine, SyncEngineConfig, SyncReport } from "../../../../src/sync/types.js";
import { FakeCloudMap } from "../../../support/fake-cloud-map.js";
import { FakeLeases, FakeStore } from "../../../support/fake-store.js";

const SETTINGS: CatalogSyncReconcilerSettings = {
  pollIntervalMs: 5_000,
  consul: {
    defaultAddress: "127.0.0.1:8500",
    hasDefaultToken: true,
    defaultToken: "controller-token",
    tokenEnvAllow: ["CONSUL_TOKEN_DC1"],
    tokenSecretPrefixes: [],
    tokenVariables: new Map([["CONSUL_TOKEN_DC1", "dc1-token"]]),
  },
  syncImage: "ghcr.io/fargate-operator/fargate-operator:0.1.0",
  table: "fargate-operator",
  region: "us-east-1",
  identity: "controller-1",
  lease: { durationMs: 15_000, heartbeatMs: 5_000 },
  statusHeartbeatMs: 30_000,
};

interface FakeEngine {
  config: SyncEngineConfig;
  deps: SyncEngineDeps;
  running: boolean;
}

function fakeRuntime() {
  const engines: FakeEngine[] = [];
  const runtime: SyncEngineRuntime = {
    leaseName: (id) => `catalog-sync/${id}`,
    create(config, deps): SyncEngine {
      const entry: FakeEngine = { config, deps, running: false };
      engines.push(entry);
      return {
        start: async () => {
          entry.running = true;
        },
        stop: async () => {
          entry.running = false;
        },
        report: () => ({
          writer: true,
          toCloudMap: [],
          toConsul: [],
          errors: {},
          writes: { toCloudMap: 0, toConsul: 0 },
        }),
      };
    },
  };
  return { runtime, engines };
}

const REPORT: SyncReport = {
  writer: true,
  toCloudMap: [
    { consulName: "vault", cloudMapName: "vault", cloudMapServiceId: "srv-v", instances: 1, healthy: 1 },
  ],
  toConsul: [],
  lastSyncToCloudMap: "2025-01-01T00:00:01.000Z",
  lastSyncToConsul: "2025-01-01T00:00:01.000Z",
  errors: {},
  writes: { toCloudMap: 3, toConsul: 0 },
};

function catalogSync(name: string, spec: Record<string, unknown> = {}): ResourceDocument {
  return applyDefaults({
    apiVersion: API_VERSION,
    kind: "CatalogSync",
    metadata: { name, namespace: "platform" },
    spec: { cloudMapNamespaceRef: { name: "apps-internal" }, ...spec },
  }) as unknown as ResourceDocument;
}

async function setup() {
  const clock = new ManualClock();
  const store = new FakeStore(() => clock.now());
  const cloudMap = new FakeCloudMap();
  const ns = cloudMap.putNamespace({ name: "apps.internal", vpc: "vpc-1" });
  const namespaceRecord = await store.create({
    apiVersion: API_VERSION,
    kind: "CloudMapNamespace",
    metadata: { name: "apps-internal", namespace: "platform" },
    spec: { dnsName: "apps.internal", vpcId: "vpc-1" },
  });
  await store.updateStatus(
    "CloudMapNamespace",
    "platform",
    "apps-internal",
    {
      namespaceId: ns.id,
      conditions: [
        {
          type: "Ready",
          status: "True",
          reason: "Created",
          message: "",
          lastTransitionTime: "2025-01-01T00:00:00.000Z",
          observedGeneration: 1,
        },
      ],
    },
    namespaceRecord.metadata.resourceVersion,
  );
  const { runtime, engines } = fakeRuntime();
  const consulOptions: ConsulClientOptions[] = [];
  const reconciler = catalogSyncReconciler({
    store,
    cloudMap,
    clock,
    settings: SETTINGS,
    runtime,
    leases: new FakeLeases(),
    createConsul: (options) => {
      consulOptions.push(options);
      return new ConsulClient({ ...options, fetch: async () => new Response("null", { status: 200 }) });
    },
  });
  let passes = 0;
  const creationTimestamps = new CreationTimestamps();
  const pass = (name: string) => {
    passes += 1;
    return reconciler.reconcile(resourceKey("CatalogSync", "platform", name), new AbortController().signal, {
      log: silentLogger(),
      reconcileId: `t-${passes}`,
      cache: { get: () => undefined, list: () => [] },
      retries: 0,
      creationTimestamps,
    });
  };
  const read = (kind: "CatalogSync" | "FargateService", name: string) => store.get(kind, "platform", name);
  return { clock, store, cloudMap, ns, engines, consulOptions, reconciler, pass, read };
}

function condition(record: StoredResource, type: string) {
  return (
    record.status?.conditions as Array<{ type: string; status: string; reason: string }> | undefined
  )?.find((c) => c.type === type);
}

describe("catalogSyncReconciler", () => {
  it("placement controller: adds the finalizer, starts one engine, and reports it onto the status", async () => {
    const t = await setup();
    await t.store.create(catalogSync("apps"));
    expect(await t.pass("apps")).toEqual({ type: "done" });
    let record = await t.read("CatalogSync", "apps");
    expect(record.metadata.finalizers).toContain(CONTROLLER_FINALIZER);
    expect(condition(record, "Ready")).toMatchObject({ status: "False", reason: "Starting" });
    expect(record.status).toMatchObject({ namespaceId: t.ns.id, placement: "controller" });
    expect(t.engines).toHaveLength(1);
    const [engine] = t.engines;
    expect(engine?.running).toBe(true);
    expect(engine?.config).toMatchObject({
      owner: { uid: record.metadata.uid, namespace: "platform", name: "apps" },
      cloudMapNamespace: { id: t.ns.id, dnsName: "apps.internal" },
    });
    expect(engine?.deps.lease).toMatchObject({
      name: `catalog-sync/${t.ns.id}`,
      identity: `controller-1/${record.metadata.uid}`,
    });
    // The controller's own address gets the controller's own token.
    expect(t.consulOptions).toEqual([{ address: "127.0.0.1:8500", token: "controller-token" }]);

    engine?.deps.onReport?.(REPORT);
    await t.clock.advance(0);
    await t.clock.advance(0);
    record = await t.read("CatalogSync", "apps");
    expect(condition(record, "Ready")).toMatchObject({ status: "True", reason: "Syncing" });
    expect(record.status?.sync).toMatchObject({ writer: true, toCloudMap: [{ cloudMapName: "vault" }] });

    // A resync leaves the engine alone and keeps Ready from the report.
    await t.pass("apps");
    expect(t.engines).toHaveLength(1);
    expect(condition(await t.read("CatalogSync", "apps"), "Ready")?.status).toBe("True");
    await t.reconciler.stop?.();
    expect(engine?.running).toBe(false);
  });

  it("restarts the engine when its configuration changes", async () => {
    const t = await setup();
    await t.store.create(catalogSync("apps"));
    await t.pass("apps");
    await t.store.apply(catalogSync("apps", { toConsul: { prefix: "fargate-" } }));
    await t.pass("apps");
    expect(t.engines.map((e) => e.running)).toEqual([false, true]);
    expect(t.engines[1]?.config.toConsul.prefix).toBe("fargate-");
    await t.reconciler.stop?.();
  });

  it("a second CatalogSync on the namespace is NamespaceAlreadySynced and starts nothing", async () => {
    const t = await setup();
    await t.store.create(catalogSync("first"));
    await t.clock.advance(1_000);
    await t.store.create(catalogSync("second"));
    await t.pass("first");
    const result = await t.pass("second");
    expect(result.type).toBe("requeueAfter");
    const second = await t.read("CatalogSync", "second");
    expect(condition(second, "Ready")).toMatchObject({ status: "False", reason: "NamespaceAlreadySynced" });
    expect(second.metadata.finalizers).toEqual([]);
    expect(t.engines).toHaveLength(1);
    expect(t.engines[0]?.config.owner.name).toBe("first");
    await t.reconciler.stop?.();
  });

  it("refuses a token variable the allow-list does not name, and never sends the own token to a spec address", async () => {
    const t = await setup();
    await t.store.create(catalogSync("apps", { consul: { tokenFrom: { env: "HOME" } } }));
    await expect(t.pass("apps")).rejects.toThrow(PermanentError);
    expect(t.engines).toHaveLength(0);

    await t.store.apply(catalogSync("apps", { consul: { address: "http://10.0.0.9:8500" } }));
    await t.pass("apps");
    expect(t.consulOptions).toEqual([{ address: "http://10.0.0.9:8500" }]);

    await t.store.apply(catalogSync("apps", { consul: { tokenFrom: { env: "CONSUL_TOKEN_DC1" } } }));
    await t.pass("apps");
    expect(t.consulOptions[1]).toEqual({ address: "127.0.0.1:8500", token: "dc1-token" });
    await t.reconciler.stop?.();
  });

  it("deletion stops the engine, cleans up and removes the finalizer", async () => {
    const t = await setup();
    await t.store.create(catalogSync("apps"));
    await t.pass("apps");
    await t.store.delete("CatalogSync", "platform", "apps");
    expect(await t.pass("apps")).toEqual({ type: "done" });
    expect(t.engines[0]?.running).toBe(false);
    await expect(t.read("CatalogSync", "apps")).rejects.toThrow(/not found/);
  });

  it("placement task: creates the owned child, and deleting the CatalogSync deletes it first", async () => {
    const t = await setup();
    await t.store.create(
      catalogSync("data", {
        placement: "task",
        task: {
          cluster: "data",
          subnets: ["subnet-1"],
          securityGroups: ["sg-1"],
          taskRoleArn: "arn:aws:iam::123456789012:role/sync",
          executionRoleArn: "arn:aws:iam::123456789012:role/exec",
        },
      }),
    );
    const result = await t.pass("data");
    expect(result).toEqual({ type: "requeueAfter", ms: 5_000 });
    const owner = await t.read("CatalogSync", "data");
    expect(condition(owner, "Ready")).toMatchObject({ status: "False", reason: "SyncTaskNotReady" });
    expect(owner.status?.childServiceName).toBe("data-sync");
    const child = await t.read("FargateService", "data-sync");
    expect(child.metadata.ownerReferences).toEqual([
      { kind: "CatalogSync", name: "data", uid: owner.metadata.uid },
    ]);
    expect(t.engines).toHaveLength(0);

    // The child's own finalizer (its reconciler's) holds it while ECS drains.
    await t.store.addFinalizer(
      "FargateService",
      "platform",
      "data-sync",
      CONTROLLER_FINALIZER,
      child.metadata.resourceVersion,
    );
    await t.store.delete("CatalogSync", "platform", "data");
    expect((await t.pass("data")).type).toBe("requeueAfter");
    const deleting = await t.read("FargateService", "data-sync");
    expect(deleting.metadata.deletionTimestamp).toBeDefined();
    expect((await t.read("CatalogSync", "data")).metadata.finalizers).toContain(CONTROLLER_FINALIZER);
    await t.store.removeFinalizer(
      "FargateService",
      "platform",
      "data-sync",
      CONTROLLER_FINALIZER,
      deleting.metadata.resourceVersion,
    );
    expect(await t.pass("data")).toEqual({ type: "done" });
    await expect(t.read("CatalogSync", "data")).rejects.toThrow(/not found/);
  });
});
