/**
 * The reliability suites' test bed: a fresh table on DynamoDB Local, the AWS simulator on the wall clock (10×
 * speed, ECS token buckets on, faults seeded), the records they apply (one CloudMapNamespace and small
 * FargateServices registering in it), and waiting until the table and AWS say the same as the specs.
 */

import { API_VERSION, type Condition } from "../../../../src/crds/meta.js";
import { type AwsSimulator, startAwsSimulator } from "../../../../src/dev/aws-sim/index.js";
import { findCondition } from "../../../../src/reconcilers/conditions.js";
import type { DynamoResourceStore } from "../../../../src/store/dynamo-store.js";
import { NotFoundError } from "../../../../src/store/errors.js";
import type { ResourceDocument, StoredResource } from "../../../../src/store/types.js";
import { freshStore } from "../../../support/store-fixtures.js";

/** Tenancy namespace of every reliability record. */
export const REL_NAMESPACE = "rel";
/** The CloudMapNamespace record (private DNS namespace `rel.internal`). */
export const REL_CLOUD_MAP = "rel-internal";
/** Its DNS name. */
export const REL_DNS_NAME = "rel.internal";
/** The ECS cluster (the lenient simulator creates it on first use). */
export const REL_CLUSTER = "rel";

/** What one FargateService should look like: the part of its spec the suites change. */
export interface ServiceWant {
  image: string;
  desiredCount: number;
}

/** The CloudMapNamespace document. */
export function namespaceDocument(): ResourceDocument {
  return {
    apiVersion: API_VERSION,
    kind: "CloudMapNamespace",
    metadata: { name: REL_CLOUD_MAP, namespace: REL_NAMESPACE },
    spec: { dnsName: REL_DNS_NAME, vpcId: "vpc-0a1b2c3d4e5f60718" },
  };
}

/** A small FargateService (one nginx container) registering an A record in the namespace. */
export function serviceDocument(name: string, want: ServiceWant): ResourceDocument {
  return {
    apiVersion: API_VERSION,
    kind: "FargateService",
    metadata: { name, namespace: REL_NAMESPACE },
    spec: {
      cluster: REL_CLUSTER,
      cpu: 256,
      memory: 512,
      desiredCount: want.desiredCount,
      containers: [{ name: "web", image: want.image, ports: [{ containerPort: 80 }] }],
      network: { subnets: ["subnet-0a1b2c3d4e5f60718"], securityGroups: ["sg-0123456789abcdef0"] },
      discovery: { cloudMap: { namespaceRef: { name: REL_CLOUD_MAP } } },
    },
  };
}

/** The image and desired count a stored FargateService asks for. */
export function wantOf(record: StoredResource): ServiceWant {
  const [first] = (record.spec.containers ?? []) as Array<{ image?: string }>;
  return { image: first?.image ?? "", desiredCount: Number(record.spec.desiredCount ?? 1) };
}

/** True when the record's Ready condition is True for its current spec (hand edits leave generation alone). */
export function isReadyNow(record: StoredResource): boolean {
  const ready = findCondition(record.status?.conditions as Condition[] | undefined, "Ready");
  return (
    ready?.status === "True" &&
    ready.observedGeneration === record.metadata.generation &&
    record.status?.observedSpecHash === record.specHash
  );
}

/** A fresh table and a wall-clock simulator; `close` stops both. */
export interface ReliabilityStack {
  store: DynamoResourceStore;
  sim: AwsSimulator;
  close(): Promise<void>;
}

/** Starts the bed: the simulator at `timeScale` (default 10) with its fault RNG seeded. */
export async function startStack(
  dynamodbEndpoint: string,
  options: { timeScale?: number; seed?: number } = {},
): Promise<ReliabilityStack> {
  const store = await freshStore(dynamodbEndpoint);
  const sim = await startAwsSimulator({ timeScale: options.timeScale ?? 10, seed: options.seed ?? 1 });
  let closed = false;
  return {
    store,
    sim,
    async close() {
      if (closed) return;
      closed = true;
      store.destroy();
      await sim.stop();
    },
  };
}

/** The record, or undefined when it is gone. */
export async function readRecord(
  store: DynamoResourceStore,
  kind: "FargateService" | "CloudMapNamespace",
  name: string,
): Promise<StoredResource | undefined> {
  try {
    return await store.get(kind, REL_NAMESPACE, name);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** What is still not as wanted (empty when converged). */
export async function pendingWork(
  store: DynamoResourceStore,
  wanted: ReadonlyMap<string, ServiceWant>,
): Promise<string[]> {
  const pending: string[] = [];
  const namespace = await readRecord(store, "CloudMapNamespace", REL_CLOUD_MAP);
  if (namespace === undefined || !isReadyNow(namespace)) pending.push(`CloudMapNamespace ${REL_CLOUD_MAP}`);
  const records = await store.list("FargateService", { namespace: REL_NAMESPACE });
  for (const record of records) {
    const want = wanted.get(record.metadata.name);
    if (want === undefined) pending.push(`${record.metadata.name}: deleted but still stored`);
    else if (JSON.stringify(wantOf(record)) !== JSON.stringify(want))
      pending.push(`${record.metadata.name}: spec is not the last one applied`);
    else if (!isReadyNow(record)) {
      const ready = findCondition(record.status?.conditions as Condition[] | undefined, "Ready");
      pending.push(`${record.metadata.name}: ${ready?.reason ?? "no status"} ${ready?.message ?? ""}`.trim());
    }
  }
  const stored = new Set(records.map((r) => r.metadata.name));
  for (const name of wanted.keys()) if (!stored.has(name)) pending.push(`${name}: missing from the table`);
  return pending;
}

/** Polls until nothing is pending; returns the wait in ms or throws listing what is not converged. */
export async function waitConverged(
  store: DynamoResourceStore,
  wanted: ReadonlyMap<string, ServiceWant>,
  timeoutMs: number,
): Promise<number> {
  const started = Date.now();
  let pending: string[] = [];
  while (Date.now() - started < timeoutMs) {
    pending = await pendingWork(store, wanted);
    if (pending.length === 0) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not converged after ${timeoutMs} ms:\n${pending.join("\n")}`);
}

/** Sleeps `ms` of wall time. */
export function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
