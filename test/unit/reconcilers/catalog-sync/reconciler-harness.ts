/** The CatalogSync reconciler's unit bench: the in-memory store and Cloud Map, a fake engine runtime. */
import { ManualClock } from "../../../../src/clock.js";
import type { ConsulClient, ConsulClientOptions } from "../../../../src/consul/client.js";
import { applyDefaults } from "../../../../src/crds/defaults.js";
import { API_VERSION, resourceKey } from "../../../../src/crds/meta.js";
import { silentLogger } from "../../../../src/log.js";
import type { SyncOwnerBackend } from "../../../../src/reconcilers/catalog-sync/namespace-owner.js";
import { catalogSyncReconciler } from "../../../../src/reconcilers/catalog-sync/reconciler.js";
import type { SyncEngineDeps, SyncEngineRuntime } from "../../../../src/reconcilers/catalog-sync/run-sync.js";
import type { CatalogSyncReconcilerSettings } from "../../../../src/reconcilers/catalog-sync/steps.js";
import type { PolicyLookup } from "../../../../src/reconcilers/policy/lookup.js";
import { CreationTimestamps } from "../../../../src/runtime/creation-timestamps.js";
import type { ResourceDocument, StoredResource } from "../../../../src/store/types.js";
import type { SyncEngine, SyncEngineConfig, SyncReport } from "../../../../src/sync/types.js";
import { FakeCloudMap } from "../../../support/fake-cloud-map.js";
import { FakeLeases, FakeStore } from "../../../support/fake-store.js";

/** The reconciler's settings: the controller has its own address and token, and one allowed token variable. */
export const SETTINGS: CatalogSyncReconcilerSettings = {
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

/** One engine the fake runtime made. */
export interface FakeEngine {
  config: SyncEngineConfig;
  deps: SyncEngineDeps;
  running: boolean;
}

/** A runtime whose engines only record their config and whether they run. */
export function fakeRuntime() {
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

/** An engine report with one service mirrored into Cloud Map. */
export const REPORT: SyncReport = {
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

/** A CatalogSync document (defaults applied) on CloudMapNamespace apps-internal of its own namespace. */
export function catalogSync(
  name: string,
  spec: Record<string, unknown> = {},
  namespace = "platform",
): ResourceDocument {
  return applyDefaults({
    apiVersion: API_VERSION,
    kind: "CatalogSync",
    metadata: { name, namespace },
    spec: { cloudMapNamespaceRef: { name: "apps-internal" }, ...spec },
  }) as unknown as ResourceDocument;
}

/** What a test may replace. */
export interface SetupOptions {
  policies?: PolicyLookup;
  owners?: SyncOwnerBackend;
  settings?: CatalogSyncReconcilerSettings;
}

/** The reconciler on the fake store and Cloud Map, with CloudMapNamespace platform/apps-internal Ready. */
export async function setup(options: SetupOptions = {}) {
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
    settings: options.settings ?? SETTINGS,
    runtime,
    leases: new FakeLeases(),
    ...(options.policies === undefined ? {} : { policies: options.policies }),
    ...(options.owners === undefined ? {} : { owners: options.owners }),
    createConsul: (options) => {
      consulOptions.push(options);
      // A Consul with nothing registered: cleanup finds no node of the sync's.
      return {
        address: options.address,
        nodeServices: async () => undefined,
        close: () => undefined,
      } as unknown as ConsulClient;
    },
  });
  let passes = 0;
  const creationTimestamps = new CreationTimestamps();
  const pass = (name: string, namespace = "platform") => {
    passes += 1;
    return reconciler.reconcile(resourceKey("CatalogSync", namespace, name), new AbortController().signal, {
      log: silentLogger(),
      reconcileId: `t-${passes}`,
      cache: { get: () => undefined, list: () => [] },
      retries: 0,
      creationTimestamps,
    });
  };
  const read = (kind: "CatalogSync" | "FargateService", name: string, namespace = "platform") =>
    store.get(kind, namespace, name);
  return { clock, store, cloudMap, ns, engines, consulOptions, reconciler, pass, read };
}

/** The condition of `type` on a record. */
export function condition(record: StoredResource, type: string) {
  return (
    record.status?.conditions as Array<{ type: string; status: string; reason: string }> | undefined
  )?.find((c) => c.type === type);
}
