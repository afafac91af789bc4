/**
 * The autoscaling step against a fake Application Auto Scaling: what it writes on a new or changed spec, that a
 * steady pass reads one target and writes nothing, that only our names are deleted, removal and deletion.
 */
import { describe, expect, it } from "vitest";
import type {
  ApplicationAutoScalingGateway,
  ScalableTargetView,
  ScalingPolicyView,
  ScheduledActionSpec,
} from "../../../../src/aws/application-autoscaling-shapes.js";
import type { EcsGateway, EcsService } from "../../../../src/aws/types.js";
import { applyDefaults } from "../../../../src/crds/defaults.js";
import type { AutoscalingStatus, FargateServiceSpec } from "../../../../src/crds/index.js";
import {
  deregisterAutoscaling,
  ensureAutoscaling,
} from "../../../../src/reconcilers/fargate-service/autoscaling.js";
import type { FargateServiceRecord } from "../../../../src/reconcilers/fargate-service/context.js";
import type { FargateServiceStepDeps } from "../../../../src/reconcilers/fargate-service/steps.js";
import { renderAutoscaling } from "../../../../src/render/index.js";

const signal = new AbortController().signal;

/** An in-memory target that records every call by name. */
function fakeScaling(start: { target?: ScalableTargetView; policies?: ScalingPolicyView[] } = {}) {
  const calls: string[] = [];
  let target = start.target;
  let policies = [...(start.policies ?? [])];
  let actions: ScheduledActionSpec[] = [];
  const gateway: ApplicationAutoScalingGateway = {
    async registerTarget(_ref, bounds) {
      calls.push("registerTarget");
      target = {
        arn: "arn:t",
        ...bounds,
        roleArn: "",
        suspended: { scaleIn: false, scaleOut: false, scheduled: false },
      };
      return "arn:t";
    },
    async describeTarget() {
      calls.push("describeTarget");
      return target;
    },
    async deregisterTarget() {
      calls.push("deregisterTarget");
      const had = target !== undefined;
      target = undefined;
      return had;
    },
    async putTargetTrackingPolicy(_ref, policy) {
      calls.push(`putPolicy ${policy.name}`);
      policies = [
        ...policies.filter((p) => p.name !== policy.name),
        {
          name: policy.name,
          arn: `arn:${policy.name}`,
          policyType: "TargetTrackingScaling",
          targetTracking: policy,
        },
      ];
      return `arn:${policy.name}`;
    },
    async deletePolicy(_ref, name) {
      calls.push(`deletePolicy ${name}`);
      policies = policies.filter((p) => p.name !== name);
      return true;
    },
    async listPolicies() {
      calls.push("listPolicies");
      return policies;
    },
    async putScheduledAction(_ref, action) {
      calls.push(`putScheduled ${action.name}`);
      actions = [...actions.filter((a) => a.name !== action.name), action];
    },
    async deleteScheduledAction(_ref, name) {
      calls.push(`deleteScheduled ${name}`);
      return true;
    },
    async listScheduledActions() {
      calls.push("listScheduledActions");
      return actions;
    },
    async lastActivity() {
      calls.push("lastActivity");
      return {
        id: "a1",
        description: "Setting desired count to 5.",
        cause: "monitor alarm",
        statusCode: "Successful",
        startedAt: new Date("2026-12-01T10:00:00Z"),
      };
    },
  };
  return { gateway, calls, policies: () => policies };
}

function spec(autoscaling?: Record<string, unknown>): FargateServiceSpec {
  const doc = applyDefaults({
    apiVersion: "fargate-operator/v1alpha1",
    kind: "FargateService",
    metadata: { name: "web" },
    spec: {
      cluster: "apps",
      cpu: 256,
      memory: 512,
      containers: [{ name: "web", image: "nginx:1.27" }],
      network: { subnets: ["subnet-1"], securityGroups: ["sg-1"] },
      ...(autoscaling === undefined ? {} : { autoscaling }),
    },
  }) as unknown as { spec: FargateServiceSpec };
  return doc.spec;
}

function record(
  s: FargateServiceSpec,
  status: AutoscalingStatus | undefined,
  deleting = false,
): FargateServiceRecord {
  return {
    metadata: {
      name: "web",
      namespace: "default",
      uid: "uid-1",
      generation: 1,
      resourceVersion: "1",
      finalizers: [],
      labels: {},
      annotations: {},
      ownerReferences: [],
      ...(deleting ? { deletionTimestamp: "2026-12-01T10:00:00Z" } : {}),
    },
    spec: s,
    status: status === undefined ? {} : { autoscaling: status },
    specHash: "h",
  };
}

const SCALING = { minCount: 1, maxCount: 6, targetTracking: [{ metric: "cpu", targetValue: 60 }] };
const service = (desiredCount: number): EcsService => ({ serviceName: "default-web", desiredCount });

function deps(gateway: ApplicationAutoScalingGateway, ecs: Partial<EcsGateway> = {}): FargateServiceStepDeps {
  return {
    autoscaling: gateway,
    ecs: ecs as EcsGateway,
    cloudMap: {} as FargateServiceStepDeps["cloudMap"],
    cloudMapCache: {} as FargateServiceStepDeps["cloudMapCache"],
    store: {} as FargateServiceStepDeps["store"],
    settings: { region: "us-east-1", keepRevisions: 5, pollIntervalMs: 5000, steadyStateMaxAgeMs: 60000 },
  };
}

describe("ensureAutoscaling", () => {
  it("registers the target and puts the policy on first sight, then reports the status", async () => {
    const fake = fakeScaling();
    const out = await ensureAutoscaling(
      deps(fake.gateway),
      record(spec(SCALING), undefined),
      service(2),
      signal,
    );
    expect(fake.calls).toEqual([
      "describeTarget",
      "registerTarget",
      "listPolicies",
      "putPolicy fargate-operator-cpu",
      "listScheduledActions",
      "lastActivity",
    ]);
    expect(out.status).toMatchObject({
      minCount: 1,
      maxCount: 6,
      desiredCount: 2,
      lastActivity: { status: "Successful", description: "Setting desired count to 5." },
    });
  });

  it("in steady state reads the target once and writes nothing, even when a schedule moved the bounds", async () => {
    const s = spec(SCALING);
    const hash = renderAutoscaling(s)?.hash ?? "";
    const fake = fakeScaling({
      target: {
        arn: "t",
        minCount: 3,
        maxCount: 6,
        roleArn: "",
        suspended: { scaleIn: false, scaleOut: false, scheduled: false },
      },
    });
    const status = { minCount: 3, maxCount: 6, desiredCount: 4, appliedHash: hash };
    const out = await ensureAutoscaling(deps(fake.gateway), record(s, status), service(4), signal);
    expect(fake.calls).toEqual(["describeTarget"]);
    expect(out.status).toMatchObject({ minCount: 3, desiredCount: 4 });
    // The scaler moved the count: its activity is read once, still nothing written.
    const moved = await ensureAutoscaling(deps(fake.gateway), record(s, status), service(6), signal);
    expect(fake.calls).toEqual(["describeTarget", "describeTarget", "lastActivity"]);
    expect(moved.status?.desiredCount).toBe(6);
  });

  it("on a spec change puts what differs and deletes only our own names", async () => {
    const theirs: ScalingPolicyView = { name: "team-extra", arn: "arn:x", policyType: "StepScaling" };
    const fake = fakeScaling({ policies: [theirs] });
    const d = deps(fake.gateway);
    const first = await ensureAutoscaling(d, record(spec(SCALING), undefined), service(2), signal);
    fake.calls.length = 0;
    const changed = spec({
      minCount: 1,
      maxCount: 6,
      targetTracking: [{ metric: "memory", targetValue: 70 }],
    });
    await ensureAutoscaling(d, record(changed, first.status), service(2), signal);
    expect(fake.calls).toContain("putPolicy fargate-operator-memory");
    expect(fake.calls).toContain("deletePolicy fargate-operator-cpu");
    expect(fake.calls).not.toContain("deletePolicy team-extra");
    expect(
      fake
        .policies()
        .map((p) => p.name)
        .sort(),
    ).toEqual(["fargate-operator-memory", "team-extra"]);
  });

  it("deregisters a target the status records once spec.autoscaling is gone", async () => {
    const fake = fakeScaling();
    const d = deps(fake.gateway);
    const first = await ensureAutoscaling(d, record(spec(SCALING), undefined), service(2), signal);
    fake.calls.length = 0;
    const out = await ensureAutoscaling(d, record(spec(), first.status), service(2), signal);
    expect(fake.calls).toEqual(["deregisterTarget"]);
    expect(out.status).toBeUndefined();
  });
});

describe("deregisterAutoscaling", () => {
  const ours = {
    serviceName: "default-web",
    tags: [
      { key: "fargate-operator:uid", value: "uid-1" },
      { key: "fargate-operator:namespace", value: "default" },
      { key: "fargate-operator:name", value: "web" },
    ],
  };

  it("deregisters the target of our service, and only reads when there is none", async () => {
    const fake = fakeScaling();
    const ecs = { describeService: async () => ours as EcsService };
    await ensureAutoscaling(deps(fake.gateway), record(spec(SCALING), undefined), service(2), signal);
    fake.calls.length = 0;
    const progress = await deregisterAutoscaling(
      deps(fake.gateway, ecs),
      record(spec(SCALING), undefined, true),
      signal,
    );
    expect(progress.complete).toBe(true);
    expect(fake.calls).toEqual(["describeTarget", "deregisterTarget"]);
    fake.calls.length = 0;
    await deregisterAutoscaling(deps(fake.gateway, ecs), record(spec(SCALING), undefined, true), signal);
    expect(fake.calls).toEqual(["describeTarget"]);
  });

  it("leaves the target of a service that is not ours", async () => {
    const fake = fakeScaling();
    await ensureAutoscaling(deps(fake.gateway), record(spec(SCALING), undefined), service(2), signal);
    fake.calls.length = 0;
    const ecs = { describeService: async () => ({ serviceName: "default-web", tags: [] }) as EcsService };
    const progress = await deregisterAutoscaling(
      deps(fake.gateway, ecs),
      record(spec(SCALING), undefined, true),
      signal,
    );
    expect(progress.message).toContain("not ours");
    expect(fake.calls).toEqual(["describeTarget"]);
  });
});
