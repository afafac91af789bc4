/**
 * Deployment strategies as the controller reports them: ECS's service deployment → the rollout observation →
 * conditions and `status.rollout`. Pure; no I/O.
 */
import type { ServiceDeployment } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { applyDefaults } from "../../../../src/crds/defaults.js";
import type { FargateServiceSpec } from "../../../../src/crds/index.js";
import type { FargateServiceRecord } from "../../../../src/reconcilers/fargate-service/context.js";
import {
  needsServiceDeployment,
  progressOf,
  rolloutProgress,
} from "../../../../src/reconcilers/fargate-service/deployment-progress.js";
import { convergedOutput } from "../../../../src/reconcilers/fargate-service/output.js";
import { evaluateRollout } from "../../../../src/reconcilers/fargate-service/rollout.js";
import { deployment, service, T0, tdArn } from "./ecs-fixtures.js";

const OURS = tdArn(2);
const OLD = tdArn(1);
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const canary = {
  strategy: "CANARY",
  canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 2 },
  bakeTimeInMinutes: 5,
  alarms: { alarmNames: ["web-5xx"], enable: true, rollback: true },
};

function record(deployment: Record<string, unknown>, status: FargateServiceRecord["status"] = {}) {
  const doc = applyDefaults({
    apiVersion: "fargate-operator/v1alpha1",
    kind: "FargateService",
    metadata: { name: "web" },
    spec: {
      cluster: "apps",
      cpu: 256,
      memory: 512,
      containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 80 }] }],
      network: { subnets: ["subnet-1"], securityGroups: ["sg-1"] },
      desiredCount: 3,
      deployment,
    },
  }) as unknown as { spec: FargateServiceSpec };
  const out: FargateServiceRecord = {
    metadata: {
      name: "web",
      namespace: "default",
      uid: "uid-1",
      generation: 2,
      resourceVersion: "7",
      creationTimestamp: iso(T0),
      finalizers: [],
      labels: {},
      annotations: {},
      ownerReferences: [],
    },
    spec: doc.spec,
    status,
    specHash: "hash",
  };
  return out;
}

function serviceDeployment(over: Partial<ServiceDeployment>): ServiceDeployment {
  return {
    serviceDeploymentArn: "arn:aws:ecs:eu-west-1:000000000000:service-deployment/apps/default-web/abc",
    status: "IN_PROGRESS",
    deploymentConfiguration: { strategy: "CANARY", bakeTimeInMinutes: 5 },
    ...over,
  };
}

const CURRENT = {
  currentServiceDeployment: "arn:aws:ecs:eu-west-1:000000000000:service-deployment/apps/x/abc",
};

describe("when the controller reads the service deployment", () => {
  it("only for a traffic-shifting or alarm-watched spec, while a deployment runs", () => {
    const running = service([deployment()], CURRENT);
    const done = service([deployment({ rolloutState: "COMPLETED" })], CURRENT);
    expect(needsServiceDeployment(record({}), running)).toBe(false);
    expect(needsServiceDeployment(record({ strategy: "CANARY" }), running)).toBe(true);
    expect(needsServiceDeployment(record({ alarms: canary.alarms }), running)).toBe(true);
    expect(needsServiceDeployment(record({ strategy: "CANARY" }), done)).toBe(false);
    // The pass that sees the end of a deployment it followed still reads it (to name the alarm).
    const followed = { rollout: { state: "IN_PROGRESS" as const, deploymentId: "d", startedAt: iso(T0) } };
    expect(needsServiceDeployment(record({ strategy: "CANARY" }, followed), done)).toBe(true);
  });
});

describe("rollout observation of a CANARY deployment", () => {
  it("shows the stage and the traffic share while traffic shifts", () => {
    const progress = progressOf(
      serviceDeployment({
        lifecycleStage: "PRODUCTION_TRAFFIC_SHIFT",
        targetServiceRevision: { requestedProductionTrafficWeight: 10 },
      }),
      "CANARY",
    );
    expect(progress).toEqual({
      strategy: "CANARY",
      stage: "PRODUCTION_TRAFFIC_SHIFT",
      trafficPercent: 10,
      status: "IN_PROGRESS",
    });
    const observed = evaluateRollout({
      service: service([
        deployment({ runningCount: 3 }),
        deployment({ id: "old", status: "ACTIVE", taskDefinition: OLD }),
      ]),
      taskDefinitionArn: OURS,
      timeoutSeconds: 3600,
      now: T0 + MINUTE,
      progress,
    });
    expect(observed.state).toBe("IN_PROGRESS");
    expect(observed.message).toContain("in progress (CANARY, PRODUCTION_TRAFFIC_SHIFT, 10% of traffic)");
  });

  it("is not complete while ECS bakes, even if a deployment already says COMPLETED", () => {
    const progress = progressOf(
      serviceDeployment({
        lifecycleStage: "BAKE_TIME",
        updatedAt: new Date(T0 + 3 * MINUTE),
        targetServiceRevision: { requestedProductionTrafficWeight: 100 },
      }),
      "CANARY",
    );
    expect(progress.bakeEndsAt).toBe(iso(T0 + 8 * MINUTE));
    const observed = evaluateRollout({
      service: service([deployment({ rolloutState: "COMPLETED", runningCount: 3 })], {
        runningCount: 3,
        pendingCount: 0,
      }),
      taskDefinitionArn: OURS,
      timeoutSeconds: 3600,
      now: T0 + 4 * MINUTE,
      progress,
    });
    expect(observed.state).toBe("IN_PROGRESS");
    expect(observed.message).toContain(`BAKE_TIME, 100% of traffic, bake ends ${iso(T0 + 8 * MINUTE)}`);
  });

  it("reports the rollback as RolloutFailed naming the alarm, and the status keeps the strategy fields", () => {
    const rec = record(canary, {
      rollout: { state: "IN_PROGRESS", deploymentId: "ecs-svc/1000000000000000002", startedAt: iso(T0) },
      taskDefinitionArn: OURS,
    });
    const sd = serviceDeployment({
      status: "ROLLBACK_IN_PROGRESS",
      statusReason: "CloudWatch alarm(s) in ALARM state: web-5xx.",
      lifecycleStage: "BAKE_TIME",
      targetServiceRevision: { requestedProductionTrafficWeight: 0 },
      alarms: { status: "TRIGGERED", alarmNames: ["web-5xx"], triggeredAlarmNames: ["web-5xx"] },
    });
    const svc = service([
      deployment({ id: "blue", taskDefinition: OLD, rolloutState: "COMPLETED", runningCount: 3 }),
      deployment({ status: "ACTIVE", rolloutState: "FAILED", rolloutStateReason: "failed" }),
    ]);
    const progress = rolloutProgress(rec, sd, rec.status.rollout);
    const rollout = evaluateRollout({
      service: svc,
      taskDefinitionArn: OURS,
      timeoutSeconds: 3600,
      now: T0 + 5 * MINUTE,
      ...(rec.status.rollout === undefined ? {} : { previous: rec.status.rollout }),
      ...(progress === undefined ? {} : { progress }),
    });
    const out = convergedOutput({
      record: rec,
      settings: { region: "eu-west-1", keepRevisions: 5, pollIntervalMs: 5000, steadyStateMaxAgeMs: 60_000 },
      now: T0 + 5 * MINUTE,
      taskDefinition: { arn: OURS, hash: "h", registered: false },
      ecs: { service: svc, action: "unchanged", changed: [], serviceDeployment: sd },
      rollout,
    });
    const ready = out.conditions.find((c) => c.type === "Ready");
    const stalled = out.conditions.find((c) => c.type === "Stalled");
    expect(ready).toMatchObject({ status: "False", reason: "RolloutFailed" });
    expect(ready?.message).toContain("alarm web-5xx in ALARM during BAKE_TIME");
    expect(ready?.message).toContain(`rolled back to ${OLD}`);
    expect(stalled).toMatchObject({ status: "True", reason: "RolloutFailed" });
    expect(out.status.rollout).toMatchObject({
      state: "FAILED",
      strategy: "CANARY",
      stage: "BAKE_TIME",
      trafficPercent: 0,
    });
  });

  it("names a failing lifecycle hook and its stage", () => {
    const progress = progressOf(
      serviceDeployment({
        status: "ROLLBACK_IN_PROGRESS",
        lifecycleStage: "POST_SCALE_UP",
        lifecycleHookDetails: [
          { targetArn: "arn:aws:lambda:eu-west-1:000000000000:function:smoke", status: "FAILED" },
        ],
      }),
      "BLUE_GREEN",
    );
    const observed = evaluateRollout({
      service: service([
        deployment({ id: "blue", taskDefinition: OLD, rolloutState: "COMPLETED" }),
        deployment({ status: "ACTIVE", rolloutState: "FAILED" }),
      ]),
      taskDefinitionArn: OURS,
      timeoutSeconds: 3600,
      now: T0,
      progress,
    });
    expect(observed.state).toBe("FAILED");
    expect(observed.message).toContain(
      "lifecycle hook arn:aws:lambda:eu-west-1:000000000000:function:smoke failed at POST_SCALE_UP",
    );
  });

  it("keeps the last recorded stage without another read once nothing runs", () => {
    const previous = {
      state: "COMPLETED" as const,
      deploymentId: "d",
      startedAt: iso(T0),
      strategy: "CANARY",
      stage: "CLEAN_UP",
      trafficPercent: 100,
    };
    expect(rolloutProgress(record(canary), undefined, previous)).toEqual({
      strategy: "CANARY",
      stage: "CLEAN_UP",
      trafficPercent: 100,
    });
    expect(rolloutProgress(record({}), undefined, previous)).toBeUndefined();
  });
});
