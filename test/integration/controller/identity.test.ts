/**
 * Identity, ownership and names on DynamoDB Local and the AWS simulator (DESIGN 11, "The table is the API"):
 * a raw item carrying another record's uid changes nothing of that record; a put-item over a Ready record keeps
 * its identity, gets its finalizer and creationTimestamp back and registers nothing; `a-b/c` against `a/b-c` is a
 * NameConflict for the second before any AWS write, re-checked until the first goes; a Cloud Map service name
 * held by another record likewise; a resource an earlier version tagged with the item's legacy uid is re-tagged.
 */
import { DescribeServicesCommand, TagResourceCommand } from "@aws-sdk/client-ecs";
import { PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { derivedUid } from "../../../src/store/layout.js";
import type { ResourceDocument, StoredResource } from "../../../src/store/types.js";
import { clientsFor } from "../aws-sim/support.js";
import {
  applyConsulAwsCatalogSync,
  conditionOf,
  exampleDocuments,
  isReady,
  type ReconcileBench,
  startReconcileBench,
} from "./reconcile-harness.js";

/** ECS and Cloud Map operations that change something. */
const WRITES = [
  "ecs:RegisterTaskDefinition",
  "ecs:DeregisterTaskDefinition",
  "ecs:CreateService",
  "ecs:UpdateService",
  "ecs:DeleteService",
  "ecs:TagResource",
  "servicediscovery:CreateService",
  "servicediscovery:UpdateService",
  "servicediscovery:DeleteService",
  "servicediscovery:TagResource",
];

let bench: ReconcileBench;

beforeEach(async () => {
  bench = await startReconcileBench();
});

afterEach(async () => {
  await bench.close();
});

function writes(): Record<string, number> {
  const counters = bench.sim.control.counters();
  const out: Record<string, number> = {};
  for (const op of WRITES) if ((counters[op]?.calls ?? 0) > 0) out[op] = counters[op]?.calls ?? 0;
  return out;
}

/** examples/services/hello.yaml as `namespace/name`, optionally with another image and count. */
async function hello(
  namespace: string,
  name: string,
  spec: { image?: string; desiredCount?: number } = {},
): Promise<ResourceDocument> {
  const [doc] = await exampleDocuments("services/hello.yaml");
  if (doc === undefined) throw new Error("examples/services/hello.yaml changed");
  const containers = doc.spec.containers as Array<{ image: string }>;
  if (spec.image !== undefined && containers[0] !== undefined) containers[0].image = spec.image;
  if (spec.desiredCount !== undefined) doc.spec.desiredCount = spec.desiredCount;
  return { ...doc, metadata: { ...doc.metadata, namespace, name } };
}

/** A raw put-item, as Terraform's table item or `aws dynamodb put-item` writes it. */
async function putItem(doc: ResourceDocument, extra: Record<string, unknown> = {}): Promise<void> {
  const namespace = doc.metadata.namespace ?? "default";
  await bench.store.clients.documents.send(
    new PutCommand({
      TableName: bench.store.tableName,
      Item: {
        pk: namespace,
        sk: `${doc.kind}#${doc.metadata.name}`,
        kind: doc.kind,
        apiVersion: doc.apiVersion,
        spec: doc.spec,
        ...extra,
      },
    }),
  );
}

/** The ECS service as DescribeServices returns it (with tags). */
async function ecsService(name: string) {
  const { ecs } = clientsFor(bench.sim.endpoint);
  try {
    const out = await ecs.send(
      new DescribeServicesCommand({ cluster: "apps", services: [name], include: ["TAGS"] }),
    );
    return out.services?.[0];
  } finally {
    ecs.destroy();
  }
}

const stalledWith = (reason: string) => (r: StoredResource | undefined) =>
  conditionOf(r, "Stalled")?.status === "True" && conditionOf(r, "Ready")?.reason === reason;

describe("identity and names", () => {
  it("a raw item carrying another record's uid changes nothing of that record, nor does its deletion", async () => {
    await bench.store.apply(await hello("a-b", "c"));
    const victim = await bench.converge("FargateService", "a-b", "c", isReady);
    const victimUid = victim?.metadata.uid ?? "";
    expect(victimUid).toBe(derivedUid({ pk: "a-b", sk: "FargateService#c" }));
    const before = await ecsService("a-b-c");
    bench.sim.control.resetCounters();

    // Namespace `a` writes `b-c` (the same ECS name a-b-c) with the victim's uid, an image and a count.
    await putItem(await hello("a", "b-c", { image: "evil:latest", desiredCount: 5 }), {
      uid: victimUid,
      finalizers: ["fargate-operator/cleanup"],
    });
    const forger = await bench.converge("FargateService", "a", "b-c", stalledWith("NameConflict"));
    expect(forger?.metadata.uid).not.toBe(victimUid);
    expect(conditionOf(forger, "Ready")?.message).toBe(
      "ECS service a-b-c in cluster apps belongs to FargateService a-b/c; rename this record",
    );
    expect(writes()).toEqual({});

    await bench.store.delete("FargateService", "a", "b-c");
    await bench.converge("FargateService", "a", "b-c", (r) => r === undefined);
    expect(writes()).toEqual({});
    const after = await ecsService("a-b-c");
    expect(after?.status).toBe("ACTIVE");
    expect(after?.taskDefinition).toBe(before?.taskDefinition);
    expect(after?.desiredCount).toBe(before?.desiredCount);
    expect(isReady(await bench.read("FargateService", "a-b", "c"))).toBe(true);
  });

  it("a put-item over a Ready record keeps its identity and finalizer and registers nothing", async () => {
    await bench.store.apply(await hello("default", "hello"));
    const ready = await bench.converge("FargateService", "default", "hello", isReady);
    const identity = { uid: ready?.metadata.uid, creationTimestamp: ready?.metadata.creationTimestamp };
    expect(identity.creationTimestamp).toEqual(expect.any(String));
    expect(ready?.metadata.finalizers).toEqual(["fargate-operator/cleanup"]);
    bench.sim.control.resetCounters();

    // Terraform's table item: the whole item replaced, without uid, finalizers, status or creationTimestamp.
    await putItem(await hello("default", "hello"));
    const replaced = await bench.read("FargateService", "default", "hello");
    expect(replaced?.metadata.finalizers).toEqual([]);
    expect(replaced?.metadata.creationTimestamp).toBeUndefined();
    const again = await bench.converge("FargateService", "default", "hello", isReady);
    expect({ uid: again?.metadata.uid, creationTimestamp: again?.metadata.creationTimestamp }).toEqual(
      identity,
    );
    expect(again?.metadata.finalizers).toEqual(["fargate-operator/cleanup"]);
    expect(again?.status?.taskDefinitionArn).toBe(ready?.status?.taskDefinitionArn);
    expect(writes()).toEqual({});

    // A put-item that changes the image rolls out one new revision in the record's own family.
    await putItem(await hello("default", "hello", { image: "public.ecr.aws/nginx/nginx:1.28" }));
    const rolled = await bench.converge(
      "FargateService",
      "default",
      "hello",
      (r) => isReady(r) && r?.status?.taskDefinitionArn !== ready?.status?.taskDefinitionArn,
    );
    expect(rolled?.metadata.uid).toBe(identity.uid);
    expect(rolled?.status?.taskDefinitionArn).toMatch(/task-definition\/default-hello:2$/);
    expect(writes()).toMatchObject({ "ecs:RegisterTaskDefinition": 1, "ecs:UpdateService": 1 });
  });

  it("a/b-c against a-b/c: NameConflict before any AWS write, re-checked until the holder goes", async () => {
    await bench.store.apply(await hello("a-b", "c"));
    await bench.converge("FargateService", "a-b", "c", isReady);
    bench.sim.control.resetCounters();

    await bench.store.apply(await hello("a", "b-c", { image: "public.ecr.aws/nginx/nginx:1.28" }));
    const loser = await bench.converge("FargateService", "a", "b-c", stalledWith("NameConflict"));
    expect(conditionOf(loser, "Ready")?.message).toContain("belongs to FargateService a-b/c");
    expect(bench.sim.control.counters()["ecs:RegisterTaskDefinition"]?.calls ?? 0).toBe(0);
    expect(writes()).toEqual({});
    // Not skipped like other permanent failures: the pass asks to look again.
    expect(await bench.pass("FargateService", "a", "b-c")).toEqual({ type: "requeueAfter", ms: 60_000 });

    await bench.store.delete("FargateService", "a-b", "c");
    await bench.converge("FargateService", "a-b", "c", (r) => r === undefined);
    const winner = await bench.converge("FargateService", "a", "b-c", isReady);
    expect(winner?.status?.taskDefinitionArn).toMatch(/task-definition\/a-b-c:2$/);
  });

  it("re-tags what an earlier version tagged with the item's legacy uid; without it, names the way out", async () => {
    await bench.store.apply(await hello("default", "hello"));
    const ready = await bench.converge("FargateService", "default", "hello", isReady);
    const uid = ready?.metadata.uid ?? "";
    const legacy = "0b7c1f7e-2d7a-4c55-9d43-000000000001";
    const arn = String(ready?.status?.serviceArn);
    const { ecs } = clientsFor(bench.sim.endpoint);
    const tagAs = (value: string) =>
      ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: "fargate-operator:uid", value }] }));
    const uidTag = async () =>
      (await ecsService("default-hello"))?.tags?.find((t) => t.key === "fargate-operator:uid")?.value;
    try {
      // As an earlier version left it: a random uid on the service and in the item.
      await tagAs(legacy);
      await bench.store.clients.documents.send(
        new UpdateCommand({
          TableName: bench.store.tableName,
          Key: { pk: "default", sk: "FargateService#hello" },
          UpdateExpression: "SET #uid = :legacy, #status = :empty",
          ExpressionAttributeNames: { "#uid": "uid", "#status": "status" },
          ExpressionAttributeValues: { ":legacy": legacy, ":empty": {} },
        }),
      );
      expect((await bench.read("FargateService", "default", "hello"))?.legacyUid).toBe(legacy);
      await bench.converge("FargateService", "default", "hello", isReady);
      expect(await uidTag()).toBe(uid);

      // The same service, but the item no longer holds the legacy uid (a put-item replaced it).
      await tagAs(legacy);
      bench.aws.ecs.forgetService("apps", "default-hello");
      await putItem(await hello("default", "hello"));
      const stuck = await bench.converge("FargateService", "default", "hello", stalledWith("NameConflict"));
      expect(conditionOf(stuck, "Ready")?.message).toContain(`set its tag fargate-operator:uid to ${uid}`);
      expect(await uidTag()).toBe(legacy);
    } finally {
      ecs.destroy();
    }
  });
});

describe("Cloud Map service names", () => {
  beforeEach(async () => {
    const [namespace] = await exampleDocuments("namespaces.yaml");
    if (namespace === undefined) throw new Error("examples/namespaces.yaml changed");
    await bench.store.apply(namespace);
    await bench.converge("CloudMapNamespace", "platform", "apps-internal", isReady);
    await applyConsulAwsCatalogSync(bench.store);
  });

  it("a name another record holds is NameConflict before any AWS write", async () => {
    const [payments] = await exampleDocuments("services/payments-api.yaml");
    if (payments === undefined) throw new Error("examples/services/payments-api.yaml changed");
    await bench.store.apply(payments);
    await bench.converge("FargateService", "team-payments", "payments-api", isReady);
    bench.sim.control.resetCounters();

    const intruder = await hello("team-x", "api");
    intruder.spec.discovery = {
      cloudMap: {
        namespaceRef: { name: "apps-internal", namespace: "platform" },
        serviceName: "payments-api",
      },
    };
    await bench.store.apply(intruder);
    const stuck = await bench.converge("FargateService", "team-x", "api", stalledWith("NameConflict"));
    // The name claim (DESIGN 11) refuses it first, without even an AWS read.
    expect(conditionOf(stuck, "Ready")?.message).toMatch(
      /^Cloud Map service name payments-api in CloudMapNamespace platform\/apps-internal is claimed by FargateService team-payments\/payments-api \(since [^)]+\); set spec\.discovery\.cloudMap\.serviceName to another name$/,
    );
    expect(writes()).toEqual({});
  });
});
