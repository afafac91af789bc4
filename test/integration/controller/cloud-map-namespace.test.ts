/**
 * The CloudMapNamespace reconciler against the real gateway, the AWS simulator (lenient, on a ManualClock) and a
 * DynamoDB Local store: passes run one at a time the way the runtime would, the clock advanced by each
 * requeueAfter.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsNotFoundError } from "../../../src/aws/errors.js";
import { createAwsGateways } from "../../../src/aws/index.js";
import type { AwsGateways } from "../../../src/aws/types.js";
import { ManualClock } from "../../../src/clock.js";
import { applyDefaults } from "../../../src/crds/defaults.js";
import { API_VERSION, type Condition, resourceKey } from "../../../src/crds/meta.js";
import { type AwsSimulator, startAwsSimulator } from "../../../src/dev/aws-sim/index.js";
import { silentLogger } from "../../../src/log.js";
import { cloudMapNamespaceReconciler } from "../../../src/reconcilers/cloud-map-namespace/reconciler.js";
import { findCondition } from "../../../src/reconcilers/conditions.js";
import { CONTROLLER_FINALIZER } from "../../../src/reconcilers/finalizer.js";
import { CreationTimestamps } from "../../../src/runtime/creation-timestamps.js";
import { PermanentError } from "../../../src/runtime/errors.js";
import type { KindReconciler } from "../../../src/runtime/reconciler.js";
import type { ReconcileResult } from "../../../src/runtime/result.js";
import { ConflictError, NotFoundError } from "../../../src/store/errors.js";
import type { DynamoResourceStore } from "../../../src/store/index.js";
import type { ResourceDocument, StoredResource } from "../../../src/store/types.js";
import { endpointOf, freshStore, TEST_CREDENTIALS, TEST_REGION } from "../../support/store-fixtures.js";

const KIND = "CloudMapNamespace";
const NS = "default";

let clock: ManualClock;
let sim: AwsSimulator;
let store: DynamoResourceStore;
let aws: AwsGateways;
let reconciler: KindReconciler;

beforeAll(async () => {
  clock = new ManualClock();
  sim = await startAwsSimulator({ mode: "lenient", throttling: false, clock });
  store = await freshStore(endpointOf("dynamodbLocalEndpoint"));
  aws = createAwsGateways({
    region: TEST_REGION,
    endpoints: { ecs: sim.endpoint, serviceDiscovery: sim.endpoint },
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
    clock,
  });
  reconciler = cloudMapNamespaceReconciler({ store, cloudMap: aws.cloudMap, clock });
});

afterAll(async () => {
  aws?.destroy();
  store?.destroy();
  await sim?.stop();
});

function namespaceDocument(name: string, dnsName: string): ResourceDocument {
  return applyDefaults({
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name, namespace: NS },
    spec: { dnsName, vpcId: "vpc-0a1b2c3d4e5f60718", description: "integration test" },
  });
}

async function read(name: string): Promise<StoredResource | undefined> {
  try {
    return await store.get(KIND, NS, name);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

function condition(record: StoredResource | undefined, type: string): Condition | undefined {
  return findCondition(record?.status?.conditions as Condition[] | undefined, type);
}

const creationTimestamps = new CreationTimestamps();

function pass(name: string): Promise<ReconcileResult> {
  return reconciler.reconcile(resourceKey(KIND, NS, name), new AbortController().signal, {
    log: silentLogger(),
    reconcileId: "it",
    cache: { get: () => undefined, list: () => [] },
    retries: 0,
    creationTimestamps,
  });
}

/** Runs passes until `until` holds (undefined = gone), advancing the clock by each requeueAfter. */
async function converge(
  name: string,
  until: (record: StoredResource | undefined, result: ReconcileResult | undefined) => boolean,
  maxPasses = 20,
): Promise<{ record: StoredResource | undefined; result: ReconcileResult | undefined }> {
  for (let i = 0; i < maxPasses; i += 1) {
    let result: ReconcileResult | undefined;
    try {
      result = await pass(name);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
    const record = await read(name);
    if (until(record, result)) return { record, result };
    await clock.advance(result?.type === "requeueAfter" ? result.ms : 1_000);
  }
  throw new Error(`${name} did not converge in ${maxPasses} passes`);
}

const isReady = (r: StoredResource | undefined): boolean => condition(r, "Ready")?.status === "True";

describe("CloudMapNamespace reconciler on the AWS simulator", () => {
  it("creates the namespace and reports Ready with its ids", async () => {
    const created = await store.create(namespaceDocument("apps", "apps.internal"));
    const { record } = await converge("apps", isReady);

    expect(record?.metadata.finalizers).toEqual([CONTROLLER_FINALIZER]);
    expect(condition(record, "Ready")).toMatchObject({ reason: "NamespaceReady", observedGeneration: 1 });
    const namespaceId = String(record?.status?.namespaceId);
    const live = await aws.cloudMap.getNamespace(namespaceId);
    expect(live).toMatchObject({ name: "apps.internal", creatorRequestId: created.metadata.uid });
    expect(record?.status).toMatchObject({ namespaceArn: live.arn, hostedZoneId: live.hostedZoneId });
    expect(record?.status?.operationId).toBeUndefined();
    expect(await aws.cloudMap.listTags(live.arn)).toMatchObject({
      "fargate-operator:uid": created.metadata.uid,
    });

    // Steady state: nothing to write.
    const version = record?.metadata.resourceVersion;
    expect(await pass("apps")).toEqual({ type: "done" });
    expect((await read("apps"))?.metadata.resourceVersion).toBe(version);
  });

  it("waits for the namespace's services on delete, then deletes it and releases the record", async () => {
    await store.create(namespaceDocument("data", "data.internal"));
    const { record } = await converge("data", isReady);
    const namespaceId = String(record?.status?.namespaceId);
    const service = await aws.cloudMap.createService({
      Name: "payments",
      NamespaceId: namespaceId,
      DnsConfig: { DnsRecords: [{ Type: "A", TTL: 10 }] },
    });

    await store.delete(KIND, NS, "data");
    const blocked = await converge("data", (r) => condition(r, "Ready")?.reason === "NamespaceInUse");
    expect(blocked.result).toEqual({ type: "requeueAfter", ms: 10_000 });
    expect(condition(blocked.record, "Ready")?.message).toContain("payments");
    expect(condition(blocked.record, "Reconciling")?.status).toBe("True");
    expect(await aws.cloudMap.getNamespace(namespaceId)).toMatchObject({ id: namespaceId });

    await aws.cloudMap.deleteService(service.id);
    await converge("data", (r) => r === undefined);
    await expect(aws.cloudMap.getNamespace(namespaceId)).rejects.toBeInstanceOf(AwsNotFoundError);
  });

  it("refuses a namespace made outside the operator until adopt is set, then adopts and tags it", async () => {
    await aws.cloudMap.createPrivateDnsNamespace({
      name: "legacy.internal",
      vpc: "vpc-0a1b2c3d4e5f60718",
      creatorRequestId: "terraform-run-1",
      tags: { owner: "terraform" },
    });
    await clock.advance(2_000);
    const created = await store.create(namespaceDocument("legacy", "legacy.internal"));

    const refused = await pass("legacy").then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(PermanentError);
    expect((refused as PermanentError).reason).toBe("AlreadyExists");
    expect((refused as PermanentError).message).toContain("set spec.adopt: true");

    await store.apply({
      ...namespaceDocument("legacy", "legacy.internal"),
      spec: { ...created.spec, adopt: true },
    });
    const { record } = await converge("legacy", isReady);
    expect(condition(record, "Ready")?.reason).toBe("NamespaceAdopted");
    const live = await aws.cloudMap.getNamespace(String(record?.status?.namespaceId));
    expect(live.creatorRequestId).toBe("terraform-run-1");
    expect(await aws.cloudMap.listTags(live.arn)).toMatchObject({
      owner: "terraform",
      "fargate-operator:uid": created.metadata.uid,
    });
  });
});
