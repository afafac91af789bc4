/**
 * A bench for the reconcilers on the AWS simulator: a fresh table on DynamoDB Local, the simulator on a
 * ManualClock (throttling off unless asked), real gateways, and a driver that runs passes of one key the way
 * the runtime would (requeueAfter advances the clock; a conflict retries at once).
 */
import { readFile } from "node:fs/promises";
import { inject } from "vitest";
import { createAwsGateways } from "../../../src/aws/index.js";
import type { AwsGateways } from "../../../src/aws/types.js";
import { loadDocuments } from "../../../src/cli/input.js";
import { ManualClock } from "../../../src/clock.js";
import { type Kind, resourceKey } from "../../../src/crds/meta.js";
import {
  type AwsSimulator,
  type AwsSimulatorOptions,
  startAwsSimulator,
} from "../../../src/dev/aws-sim/index.js";
import { eventingGateways } from "../../../src/events/aws-events.js";
import type { EventSink } from "../../../src/events/recorder.js";
import { withEvents } from "../../../src/events/scope.js";
import { silentLogger } from "../../../src/log.js";
import { cloudMapNamespaceReconciler } from "../../../src/reconcilers/cloud-map-namespace/reconciler.js";
import type { FargateServiceSettings } from "../../../src/reconcilers/fargate-service/context.js";
import { fargateServiceReconciler } from "../../../src/reconcilers/fargate-service/reconciler.js";
import { CreationTimestamps } from "../../../src/runtime/creation-timestamps.js";
import { PermanentError } from "../../../src/runtime/errors.js";
import { PermanentFailures } from "../../../src/runtime/permanent-failures.js";
import type { KindReconciler } from "../../../src/runtime/reconciler.js";
import type { ReconcileResult } from "../../../src/runtime/result.js";
import { ConflictError, NotFoundError } from "../../../src/store/errors.js";
import type { DynamoResourceStore } from "../../../src/store/index.js";
import type { ResourceDocument, StoredResource } from "../../../src/store/types.js";
import { freshStore, TEST_CREDENTIALS, TEST_REGION } from "../../support/store-fixtures.js";

/** Reconciler settings used by the suites: 5 s polls like production, 5 revisions kept. */
export const TEST_FARGATE_SETTINGS: FargateServiceSettings = {
  region: TEST_REGION,
  keepRevisions: 5,
  pollIntervalMs: 5_000,
  steadyStateMaxAgeMs: 60_000,
};

/** Everything a reconciler suite needs. */
export interface ReconcileBench {
  clock: ManualClock;
  sim: AwsSimulator;
  store: DynamoResourceStore;
  aws: AwsGateways;
  reconcilers: Record<"FargateService" | "CloudMapNamespace", KindReconciler>;
  /** One pass of `kind/namespace/name`. */
  pass(kind: Kind, namespace: string, name: string): Promise<ReconcileResult>;
  /**
   * Runs passes until `until` holds for the record (undefined = the record is gone), advancing the clock by each
   * requeueAfter (or 1 s after a failure). Throws after `maxPasses`.
   */
  converge(
    kind: Kind,
    namespace: string,
    name: string,
    until: (record: StoredResource | undefined) => boolean,
    maxPasses?: number,
  ): Promise<StoredResource | undefined>;
  /** The record, or undefined when it is gone. */
  read(kind: Kind, namespace: string, name: string): Promise<StoredResource | undefined>;
  close(): Promise<void>;
}

/** Validated documents (defaults applied) from example files under `examples/`. */
export async function exampleDocuments(...paths: string[]): Promise<ResourceDocument[]> {
  const sources = await Promise.all(
    paths.map(async (p) => ({
      source: p,
      text: await readFile(new URL(`../../../examples/${p}`, import.meta.url), "utf8"),
    })),
  );
  const loaded = loadDocuments(sources);
  if (loaded.errors.length > 0) throw new Error(loaded.errors.join("\n"));
  return loaded.documents.map((d) => d.document);
}

/** Starts the bench; `gateways` may wrap the real gateways (fault injection). */
export async function startReconcileBench(
  options: {
    sim?: AwsSimulatorOptions;
    settings?: Partial<FargateServiceSettings>;
    wrap?: (aws: AwsGateways) => Pick<AwsGateways, "ecs" | "cloudMap">;
    /** Runs every pass in an event scope with this sink and AWS writes recorded (as the controller does). */
    events?: EventSink;
  } = {},
): Promise<ReconcileBench> {
  const clock = new ManualClock();
  const sim = await startAwsSimulator({ throttling: false, ...options.sim, clock });
  const store = await freshStore(inject("dynamodbLocalEndpoint"));
  const aws = createAwsGateways({
    region: TEST_REGION,
    endpoints: { ecs: sim.endpoint, serviceDiscovery: sim.endpoint, applicationAutoScaling: sim.endpoint },
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
    clock,
    ecsBuckets: false,
  });
  const wrapped = options.wrap?.(aws) ?? aws;
  const used = options.events === undefined ? wrapped : eventingGateways(wrapped);
  const settings = { ...TEST_FARGATE_SETTINGS, ...options.settings };
  const reconcilers = {
    FargateService: fargateServiceReconciler({
      store,
      ecs: used.ecs,
      cloudMap: used.cloudMap,
      autoscaling: aws.applicationAutoScaling,
      clock,
      settings,
    }),
    CloudMapNamespace: cloudMapNamespaceReconciler({ store, cloudMap: used.cloudMap, clock }),
  };
  let passes = 0;
  const failures = new PermanentFailures(store, clock);
  const creationTimestamps = new CreationTimestamps();
  const pass = (kind: Kind, namespace: string, name: string): Promise<ReconcileResult> => {
    const found = reconcilers[kind as keyof typeof reconcilers];
    if (found === undefined) throw new Error(`no reconciler for ${kind}`);
    const reconciler = options.events === undefined ? found : withEvents(found, options.events);
    passes += 1;
    return reconciler.reconcile(resourceKey(kind, namespace, name), new AbortController().signal, {
      log: silentLogger(),
      reconcileId: `test-${passes}`,
      cache: { get: () => undefined, list: () => [] },
      retries: 0,
      creationTimestamps,
    });
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
    sim,
    store,
    aws,
    reconcilers,
    pass,
    read,
    async converge(kind, namespace, name, until, maxPasses = 60) {
      for (let i = 0; i < maxPasses; i += 1) {
        let result: ReconcileResult | undefined;
        try {
          result = await pass(kind, namespace, name);
        } catch (error) {
          // As the runtime does: a permanent failure is written on the status, anything else is retried.
          if (error instanceof PermanentError) {
            const current = await read(kind, namespace, name);
            if (current !== undefined)
              await failures.record(resourceKey(kind, namespace, name), current, error);
          }
          if (!(error instanceof ConflictError)) await clock.advance(1_000);
        }
        const record = await read(kind, namespace, name);
        if (until(record)) return record;
        if (result?.type === "requeueAfter") await clock.advance(result.ms);
        else if (result?.type === "done") await clock.advance(1_000);
      }
      throw new Error(`${kind} ${namespace}/${name} did not converge in ${maxPasses} passes`);
    },
    async close() {
      aws.destroy();
      store.destroy();
      await sim.stop();
    },
  };
}

/**
 * A CatalogSync on CloudMapNamespace platform/apps-internal that runs consul-aws as a task: it reports nothing,
 * so a FargateService's ConsulRegistered is Unknown and does not hold Ready back (suites about the AWS side
 * use it; the Consul mirror itself is covered by catalog-sync.test.ts). No reconciler runs it here.
 */
export async function applyConsulAwsCatalogSync(store: DynamoResourceStore): Promise<void> {
  await store.apply({
    apiVersion: "fargate-operator/v1alpha1",
    kind: "CatalogSync",
    metadata: { name: "apps-internal", namespace: "platform" },
    spec: {
      cloudMapNamespaceRef: { name: "apps-internal" },
      toCloudMap: { enabled: true, include: [], exclude: [], prefix: "" },
      toConsul: { enabled: true, include: [], exclude: [], prefix: "" },
      pollIntervalSeconds: 5,
      deleteGraceSeconds: 30,
      placement: "task",
      task: {
        cluster: "apps",
        subnets: ["subnet-1"],
        securityGroups: ["sg-1"],
        taskRoleArn: "arn:aws:iam::123456789012:role/sync",
        executionRoleArn: "arn:aws:iam::123456789012:role/exec",
        cpu: 256,
        memory: 512,
        engine: "consul-aws",
      },
    },
  });
}

/** The condition of `type` on a record. */
export function conditionOf(record: StoredResource | undefined, type: string) {
  const conditions = (record?.status?.conditions ?? []) as Array<{
    type: string;
    status: string;
    reason: string;
    message: string;
  }>;
  return conditions.find((c) => c.type === type);
}

/** True when the record's Ready condition is True for its current generation. */
export function isReady(record: StoredResource | undefined): boolean {
  const ready = conditionOf(record, "Ready") as { status: string; observedGeneration?: number } | undefined;
  return ready?.status === "True" && ready.observedGeneration === record?.metadata.generation;
}

/** Sets the first container's image of a FargateService document. */
export function setImage(document: ResourceDocument, image: string): void {
  const [first] = document.spec.containers as Array<{ image: string }>;
  if (first === undefined) throw new Error("the document has no container");
  first.image = image;
}
