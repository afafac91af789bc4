/**
 * A bench for the CatalogSync reconciler with the real engine: DynamoDB Local, the AWS and Consul simulators on
 * one ManualClock, real gateways and a real ConsulClient, and the three reconcilers wired as the controller wires
 * them (the namespace's sync lease in the table). Passes are run by hand; engines run between them on the clock.
 */
import { inject } from "vitest";
import { createAwsGateways } from "../../../src/aws/index.js";
import { SecretReadError } from "../../../src/aws/secrets.js";
import type { AwsGateways } from "../../../src/aws/types.js";
import { ManualClock } from "../../../src/clock.js";
import { applyDefaults } from "../../../src/crds/defaults.js";
import { API_VERSION, type Kind, resourceKey } from "../../../src/crds/meta.js";
import { type AwsSimulator, startAwsSimulator } from "../../../src/dev/aws-sim/index.js";
import {
  type ConsulSimulator,
  type ConsulSimulatorTls,
  startConsulSimulator,
} from "../../../src/dev/consul-sim/index.js";
import type { EventSink } from "../../../src/events/recorder.js";
import { withEvents } from "../../../src/events/scope.js";
import { silentLogger } from "../../../src/log.js";
import { catalogSyncReconciler } from "../../../src/reconcilers/catalog-sync/reconciler.js";
import type { CatalogSyncReconcilerSettings } from "../../../src/reconcilers/catalog-sync/steps.js";
import { cloudMapNamespaceReconciler } from "../../../src/reconcilers/cloud-map-namespace/reconciler.js";
import { fargateServiceReconciler } from "../../../src/reconcilers/fargate-service/reconciler.js";
import type { PolicyLookup } from "../../../src/reconcilers/policy/lookup.js";
import { CreationTimestamps } from "../../../src/runtime/creation-timestamps.js";
import { PermanentError } from "../../../src/runtime/errors.js";
import type { KindReconciler } from "../../../src/runtime/reconciler.js";
import type { ReconcileResult } from "../../../src/runtime/result.js";
import { ConflictError, NotFoundError } from "../../../src/store/errors.js";
import type { DynamoResourceStore } from "../../../src/store/index.js";
import type { ResourceDocument, StoredResource } from "../../../src/store/types.js";
import { createSyncEngine, syncLeaseName } from "../../../src/sync/index.js";
import { freshStore, TEST_CREDENTIALS, TEST_REGION } from "../../support/store-fixtures.js";
import { TEST_FARGATE_SETTINGS } from "./reconcile-harness.js";

/** Kinds the bench reconciles. */
export type BenchKind = "FargateService" | "CloudMapNamespace" | "CatalogSync";

/** Everything a CatalogSync suite needs. */
export interface CatalogSyncBench {
  clock: ManualClock;
  awsSim: AwsSimulator;
  consulSim: ConsulSimulator;
  store: DynamoResourceStore;
  aws: AwsGateways;
  reconcilers: Record<BenchKind, KindReconciler>;
  /**
   * A controller restart: the CatalogSync reconciler stops its engines, and a new one (with a fresh memory of
   * creation timestamps) takes over; what the table holds (records, leases, namespace owners) stays.
   */
  restartController(): Promise<void>;
  /** One pass; a PermanentError is returned (as the runtime would record it), anything else thrown. */
  pass(kind: BenchKind, namespace: string, name: string): Promise<ReconcileResult | PermanentError>;
  read(kind: Kind, namespace: string, name: string): Promise<StoredResource | undefined>;
  /** Validated document with defaults, applied. */
  apply(doc: ResourceDocument): Promise<StoredResource>;
  /**
   * Runs passes of the given keys, letting simulated time pass in small steps (real I/O in between) until
   * `until` holds; throws a pass's PermanentError at once, and after `limitMs` of simulated time.
   */
  converge(
    keys: ReadonlyArray<readonly [BenchKind, string, string]>,
    until: () => Promise<boolean>,
    limitMs?: number,
  ): Promise<void>;
  close(): Promise<void>;
}

const realDelay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Settings of the CatalogSync reconciler on the bench (the Consul simulator is the controller's default). */
export function benchSyncSettings(consulAddress: string): CatalogSyncReconcilerSettings {
  return {
    pollIntervalMs: 1_000,
    consul: {
      defaultAddress: consulAddress,
      hasDefaultToken: false,
      tokenEnvAllow: [],
      tokenSecretPrefixes: [],
      tokenVariables: new Map(),
    },
    syncImage: "ghcr.io/fargate-operator/fargate-operator:test",
    table: "unused",
    region: TEST_REGION,
    identity: "bench",
    lease: { durationMs: 3_000, heartbeatMs: 1_000 },
    statusHeartbeatMs: 5_000,
  };
}

/** What a suite may change on the bench. */
export interface CatalogSyncBenchOptions {
  /** The NamespacePolicy lookup (none governs anything by default). */
  policies?: PolicyLookup;
  /** Token variables the controller allows and has (name → value). */
  tokenVariables?: Record<string, string>;
  /** Runs every pass in an event scope with this sink (as the controller does). */
  events?: EventSink;
  /** Serve the Consul simulator over https (then the controller's default address is its https URL). */
  consulTls?: ConsulSimulatorTls;
  /** Secrets Manager as the controller reads it (ARN → value; read live, so a test can rotate one). */
  secrets?: Map<string, string>;
  /** The controller's --consul-token-secret-prefixes. */
  tokenSecretPrefixes?: string[];
}

/** Starts the bench. */
export async function startCatalogSyncBench(
  options: CatalogSyncBenchOptions = {},
): Promise<CatalogSyncBench> {
  const clock = new ManualClock();
  const awsSim = await startAwsSimulator({ clock, throttling: false });
  const consulSim = await startConsulSimulator({
    clock,
    random: () => 0,
    ...(options.consulTls === undefined ? {} : { tls: options.consulTls }),
  });
  const store = await freshStore(inject("dynamodbLocalEndpoint"));
  const aws = createAwsGateways({
    region: TEST_REGION,
    endpoints: { ecs: awsSim.endpoint, serviceDiscovery: awsSim.endpoint },
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
    clock,
    ecsBuckets: false,
  });
  const settings = { ...TEST_FARGATE_SETTINGS, pollIntervalMs: 1_000 };
  const base = benchSyncSettings(options.consulTls === undefined ? consulSim.address : consulSim.url);
  const variables = Object.entries(options.tokenVariables ?? {});
  const syncSettings: CatalogSyncReconcilerSettings = {
    ...base,
    consul: {
      ...base.consul,
      tokenEnvAllow: variables.map(([name]) => name),
      tokenVariables: new Map(variables),
      tokenSecretPrefixes: options.tokenSecretPrefixes ?? [],
    },
  };
  const secretValues = options.secrets;
  const secrets =
    secretValues === undefined
      ? undefined
      : {
          async readSecretString(arn: string) {
            const value = secretValues.get(arn);
            if (value === undefined)
              throw new SecretReadError(`cannot read secret ${arn}: ResourceNotFoundException`, {
                code: "ResourceNotFoundException",
                retryable: false,
              });
            return value;
          },
        };
  const newCatalogSync = () =>
    catalogSyncReconciler({
      store,
      cloudMap: aws.cloudMap,
      clock,
      settings: syncSettings,
      runtime: { create: createSyncEngine, leaseName: syncLeaseName },
      leases: store.leases,
      owners: store.syncOwners,
      ...(options.policies === undefined ? {} : { policies: options.policies }),
      ...(secrets === undefined ? {} : { secrets }),
    });
  let catalogSync = newCatalogSync();
  const reconcilers: Record<BenchKind, KindReconciler> = {
    FargateService: fargateServiceReconciler({
      store,
      ecs: aws.ecs,
      cloudMap: aws.cloudMap,
      clock,
      settings,
    }),
    CloudMapNamespace: cloudMapNamespaceReconciler({ store, cloudMap: aws.cloudMap, clock }),
    CatalogSync: catalogSync,
  };
  let passes = 0;
  let creationTimestamps = new CreationTimestamps();
  const pass = async (kind: BenchKind, namespace: string, name: string) => {
    passes += 1;
    try {
      const reconciler =
        options.events === undefined ? reconcilers[kind] : withEvents(reconcilers[kind], options.events);
      return await reconciler.reconcile(resourceKey(kind, namespace, name), new AbortController().signal, {
        log: silentLogger(),
        reconcileId: `bench-${passes}`,
        cache: { get: () => undefined, list: () => [] },
        retries: 0,
        creationTimestamps,
      });
    } catch (error) {
      if (error instanceof PermanentError) return error;
      if (error instanceof ConflictError) return { type: "requeueAfter", ms: 0 } as const;
      throw error;
    }
  };
  const read = async (kind: Kind, namespace: string, name: string) => {
    try {
      return await store.get(kind, namespace, name);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  };
  return {
    clock,
    awsSim,
    consulSim,
    store,
    aws,
    reconcilers,
    async restartController() {
      await catalogSync.stop?.();
      catalogSync = newCatalogSync();
      reconcilers.CatalogSync = catalogSync;
      creationTimestamps = new CreationTimestamps();
    },
    pass,
    read,
    async apply(doc) {
      return (await store.apply(applyDefaults(doc))).resource;
    },
    async converge(keys, until, limitMs = 60_000) {
      const start = clock.now();
      for (;;) {
        for (const [kind, namespace, name] of keys) {
          const result = await pass(kind, namespace, name);
          if (result instanceof PermanentError) throw result;
        }
        for (let i = 0; i < 4; i += 1) {
          if (await until()) return;
          await realDelay(15);
        }
        if (clock.now() - start > limitMs)
          throw new Error(`not converged within ${limitMs} ms of simulated time`);
        await clock.advance(250);
      }
    },
    async close() {
      await catalogSync.stop?.();
      aws.destroy();
      store.destroy();
      await consulSim.stop();
      await awsSim.stop();
    },
  };
}

/** A CloudMapNamespace document. */
export function namespaceDoc(name: string, namespace: string, dnsName: string): ResourceDocument {
  return {
    apiVersion: API_VERSION,
    kind: "CloudMapNamespace",
    metadata: { name, namespace },
    spec: { dnsName, vpcId: "vpc-0a1b2c3d4e5f60718" },
  };
}

/** A CatalogSync document on CloudMapNamespace `ref` of the same metadata.namespace. */
export function catalogSyncDoc(
  name: string,
  namespace: string,
  ref: string,
  spec: Record<string, unknown> = {},
): ResourceDocument {
  return {
    apiVersion: API_VERSION,
    kind: "CatalogSync",
    metadata: { name, namespace },
    spec: { cloudMapNamespaceRef: { name: ref }, pollIntervalSeconds: 1, ...spec },
  };
}

/** The condition of `type` on a record. */
export function conditionOf(record: StoredResource | undefined, type: string) {
  const conditions = (record?.status?.conditions ?? []) as Array<{
    type: string;
    status: string;
    reason: string;
    message: string;
    observedGeneration: number;
  }>;
  return conditions.find((c) => c.type === type);
}
