/**
 * spec.autoscaling end to end on the AWS simulator (DESIGN §11 Autoscaling): the scalable target, policies and
 * scheduled actions appear; the scaler's count survives an image rollout and resyncs (no UpdateService carries
 * desiredCount); a spec edit updates the policy in place; removing autoscaling deregisters and returns to
 * desiredCount; deleting the record removes the target. Time is the simulator's ManualClock.
 */
import { DeleteCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApplicationAutoScalingGateway } from "../../../src/aws/application-autoscaling.js";
import type { EcsUpdateServiceInput } from "../../../src/aws/types.js";
import { silentLogger } from "../../../src/log.js";
import { OrphanSweeper } from "../../../src/reconcilers/orphan-sweep/index.js";
import { resourceItemKey } from "../../../src/store/layout.js";
import type { ResourceDocument } from "../../../src/store/types.js";
import { TEST_CREDENTIALS, TEST_REGION } from "../../support/store-fixtures.js";
import {
  exampleDocuments,
  isReady,
  type ReconcileBench,
  setImage,
  startReconcileBench,
} from "./reconcile-harness.js";

const updates: EcsUpdateServiceInput[] = [];
let bench: ReconcileBench;
let storefront: ResourceDocument;

beforeEach(async () => {
  updates.length = 0;
  bench = await startReconcileBench({
    wrap: (aws) => ({
      cloudMap: aws.cloudMap,
      ecs: {
        ...aws.ecs,
        updateService: (input, signal) => {
          updates.push(input);
          return aws.ecs.updateService(input, signal);
        },
      },
    }),
  });
  const [doc] = await exampleDocuments("services/storefront.yaml");
  if (doc === undefined) throw new Error("examples/services/storefront.yaml changed");
  storefront = doc;
});

afterEach(async () => {
  await bench.close();
});

/** A plain SDK client on the simulator: what a person with the AWS CLI would see. */
async function describeScaling() {
  const aas = createApplicationAutoScalingGateway({
    region: TEST_REGION,
    endpoints: { applicationAutoScaling: bench.sim.endpoint },
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
  try {
    const ref = { cluster: "apps", service: "default-storefront" };
    return {
      target: await aas.describeTarget(ref),
      policies: await aas.listPolicies(ref),
      scheduled: await aas.listScheduledActions(ref),
    };
  } finally {
    aas.destroy();
  }
}

const ready = (n: string) => bench.converge("FargateService", "default", n, isReady);

async function ecsDesiredCount(): Promise<number | undefined> {
  const service = await bench.aws.ecs.describeService("apps", "default-storefront", { maxAgeMs: 0 });
  return service?.desiredCount;
}

async function apply(mutate: (spec: Record<string, unknown>) => void) {
  const doc = structuredClone(storefront);
  mutate(doc.spec as Record<string, unknown>);
  storefront = doc;
  await bench.store.apply(doc);
}

describe("FargateService autoscaling on the simulator", () => {
  it("registers the target with our policies and scheduled actions, and reports them", async () => {
    await bench.store.apply(storefront);
    const record = await ready("storefront");
    const seen = await describeScaling();
    expect(seen.target).toMatchObject({ minCount: 2, maxCount: 8 });
    expect(seen.policies.map((p) => p.name).sort()).toEqual([
      "fargate-operator-cpu",
      "fargate-operator-memory",
    ]);
    expect(seen.policies.find((p) => p.name === "fargate-operator-cpu")?.targetTracking).toMatchObject({
      metric: "cpu",
      targetValue: 60,
      scaleInCooldownSeconds: 300,
      scaleOutCooldownSeconds: 60,
    });
    expect(seen.scheduled.map((a) => a.name).sort()).toEqual([
      "fargate-operator-weekday-evenings",
      "fargate-operator-weekday-mornings",
    ]);
    expect(record?.status?.autoscaling).toMatchObject({ minCount: 2, maxCount: 8, desiredCount: 2 });
  });

  it("keeps the scaler's count through an image rollout and ten resyncs, never sending desiredCount", async () => {
    await bench.store.apply(storefront);
    await ready("storefront");
    const moved = bench.sim.control.feedMetric({
      cluster: "apps",
      service: "default-storefront",
      metric: "cpu",
      value: 150,
    });
    expect(moved).toBeDefined();
    expect(await ecsDesiredCount()).toBe(5); // ceil(150% × 2 tasks / 60%)
    bench.aws.ecs.forgetService("apps", "default-storefront");
    let record = await bench.converge("FargateService", "default", "storefront", (r) => {
      const replicas = r?.status?.replicas as { desired?: number; running?: number } | undefined;
      return isReady(r) && replicas?.desired === 5 && replicas.running === 5;
    });
    expect(record?.status?.autoscaling).toMatchObject({
      desiredCount: 5,
      lastActivity: { status: "Successful" },
    });

    setImage(storefront, "public.ecr.aws/nginx/nginx:1.28");
    await bench.store.apply(storefront);
    record = await bench.converge(
      "FargateService",
      "default",
      "storefront",
      (r) => isReady(r) && String(r?.status?.taskDefinitionArn).endsWith(":2"),
    );
    bench.sim.control.resetCounters();
    for (let i = 0; i < 10; i += 1) {
      await bench.pass("FargateService", "default", "storefront");
      await bench.clock.advance(60_000);
    }
    expect(await ecsDesiredCount()).toBe(5);
    expect(updates.length).toBeGreaterThan(0); // the rollout's
    expect(updates.filter((u) => u.desiredCount !== undefined)).toEqual([]);
    const counters = bench.sim.control.counters();
    const writes = Object.entries(counters).filter(
      ([op, c]) => c.calls > 0 && !/:(Describe|List|Get|Discover)/.test(op),
    );
    expect(writes).toEqual([]);
    record = await bench.read("FargateService", "default", "storefront");
    expect(record?.status?.replicas).toMatchObject({ desired: 5, running: 5 });
    expect(isReady(record)).toBe(true);
  });

  it("updates a policy in place on a spec change and deletes only our policies the spec dropped", async () => {
    await bench.store.apply(storefront);
    await ready("storefront");
    // Somebody else's policy on the same target: never ours to delete.
    await bench.aws.applicationAutoScaling.putTargetTrackingPolicy(
      { cluster: "apps", service: "default-storefront" },
      { name: "team-extra", metric: "cpu", targetValue: 80 },
    );
    const before = (await describeScaling()).policies.find((p) => p.name === "fargate-operator-cpu");
    await apply((spec) => {
      const autoscaling = spec.autoscaling as {
        targetTracking: Array<Record<string, unknown>>;
        maxCount: number;
      };
      autoscaling.maxCount = 10;
      autoscaling.targetTracking = [{ metric: "cpu", targetValue: 45 }];
    });
    const record = await ready("storefront");
    const seen = await describeScaling();
    expect(seen.target).toMatchObject({ minCount: 2, maxCount: 10 });
    const cpu = seen.policies.find((p) => p.name === "fargate-operator-cpu");
    expect(cpu?.arn).toBe(before?.arn);
    expect(cpu?.targetTracking).toMatchObject({ targetValue: 45 });
    expect(cpu?.targetTracking?.scaleInCooldownSeconds).toBeUndefined();
    expect(seen.policies.map((p) => p.name).sort()).toEqual(["fargate-operator-cpu", "team-extra"]);
    expect(record?.status?.autoscaling).toMatchObject({ maxCount: 10 });
  });

  it("deregisters the target when autoscaling is removed and returns to desiredCount", async () => {
    await bench.store.apply(storefront);
    await ready("storefront");
    bench.sim.control.feedMetric({
      cluster: "apps",
      service: "default-storefront",
      metric: "cpu",
      value: 150,
    });
    expect(await ecsDesiredCount()).toBe(5);
    await apply((spec) => {
      delete spec.autoscaling;
      spec.desiredCount = 3;
    });
    const record = await bench.converge("FargateService", "default", "storefront", (r) => {
      const replicas = r?.status?.replicas as { desired?: number; running?: number } | undefined;
      return isReady(r) && replicas?.desired === 3 && replicas.running === 3;
    });
    expect((await describeScaling()).target).toBeUndefined();
    expect(await ecsDesiredCount()).toBe(3);
    expect(record?.status?.autoscaling).toBeUndefined();
  });

  it("removes the scalable target with the record, before scaling the service to 0", async () => {
    await bench.store.apply(storefront);
    await ready("storefront");
    await bench.store.delete("FargateService", "default", "storefront");
    await bench.converge("FargateService", "default", "storefront", (r) => r === undefined);
    expect((await describeScaling()).target).toBeUndefined();
    expect(bench.sim.control.counters()["application-autoscaling:DeregisterScalableTarget"]?.calls).toBe(1);
  });

  it("the orphan sweep deregisters the target of a record that vanished from the table", async () => {
    await bench.store.apply(storefront);
    await ready("storefront");
    await bench.store.clients.documents.send(
      new DeleteCommand({
        TableName: bench.store.tableName,
        Key: resourceItemKey("FargateService", "default", "storefront"),
      }),
    );
    const swept = await new OrphanSweeper({
      store: bench.store,
      ecs: bench.aws.ecs,
      cloudMap: bench.aws.cloudMap,
      autoscaling: bench.aws.applicationAutoScaling,
      clock: bench.clock,
      log: silentLogger(),
      mode: "delete",
    }).run(new AbortController().signal);
    expect(swept.failed).toEqual([]);
    expect(swept.deleted.some((d) => d.startsWith("ecs_service"))).toBe(true);
    expect((await describeScaling()).target).toBeUndefined();
  });
});
