import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type ApplicationAutoScalingGateway,
  createApplicationAutoScalingGateway,
} from "../../../src/aws/application-autoscaling.js";
import { AwsInvalidRequestError, AwsNotFoundError, AwsUnavailableError } from "../../../src/aws/errors.js";
import { ManualClock } from "../../../src/clock.js";
import { type AwsSimulator, startAwsSimulator } from "../../../src/dev/aws-sim/index.js";
import { AwsCallOutcome } from "../../../src/metrics.js";
import { createEcsService } from "../aws-sim/autoscaling-support.js";
import { clientsFor } from "../aws-sim/support.js";
import { type RecordedCall, TEST_CREDENTIALS } from "./support.js";

let sim: AwsSimulator;
let gateway: ApplicationAutoScalingGateway & { destroy(): void };
let calls: RecordedCall[];
const web = { cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/apps", service: "web" };

beforeEach(async () => {
  sim = await startAwsSimulator({ mode: "strict", clock: new ManualClock(), throttling: false });
  calls = [];
  gateway = createApplicationAutoScalingGateway({
    region: "us-east-1",
    endpoints: { applicationAutoScaling: sim.endpoint },
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
    recordCall: (service, operation, outcome) => calls.push({ service, operation, outcome }),
  });
  const { ecs } = clientsFor(sim.endpoint);
  await createEcsService(ecs, "apps", "web", 1);
  ecs.destroy();
});
afterEach(async () => {
  gateway.destroy();
  await sim.stop();
});

describe("Application Auto Scaling gateway against the simulator", () => {
  it("registers, updates and describes the target of an ECS service named by cluster ARN", async () => {
    expect(await gateway.describeTarget(web)).toBeUndefined();
    const arn = await gateway.registerTarget(web, { minCount: 1, maxCount: 3 }, { team: "a" });
    expect(await gateway.registerTarget(web, { minCount: 2, maxCount: 4 })).toBe(arn);
    expect(await gateway.describeTarget(web)).toEqual({
      arn,
      minCount: 2,
      maxCount: 4,
      roleArn: expect.stringContaining("AWSServiceRoleForApplicationAutoScaling_ECSService"),
      suspended: { scaleIn: false, scaleOut: false, scheduled: false },
    });
    expect(calls).toContainEqual({
      service: "application-autoscaling",
      operation: "RegisterScalableTarget",
      outcome: AwsCallOutcome.Success,
    });
  });

  it("puts and lists target-tracking policies and scheduled actions; reports the last activity", async () => {
    await gateway.registerTarget(web, { minCount: 1, maxCount: 6 });
    const cpu = { name: "cpu", metric: "cpu" as const, targetValue: 50, scaleInCooldownSeconds: 120 };
    const alb = {
      name: "alb",
      metric: "albRequestCountPerTarget" as const,
      targetValue: 100,
      resourceLabel: "app/web/0123456789abcdef/targetgroup/web/0123456789abcdef",
      disableScaleIn: true,
    };
    const arn = await gateway.putTargetTrackingPolicy(web, cpu);
    expect(await gateway.putTargetTrackingPolicy(web, { ...cpu, targetValue: 60 })).toBe(arn);
    await gateway.putTargetTrackingPolicy(web, alb);
    expect(await gateway.listPolicies(web)).toEqual([
      { name: "cpu", arn, policyType: "TargetTrackingScaling", targetTracking: { ...cpu, targetValue: 60 } },
      { name: "alb", arn: expect.any(String), policyType: "TargetTrackingScaling", targetTracking: alb },
    ]);
    await gateway.putScheduledAction(web, { name: "night", schedule: "cron(0 22 * * ? *)", maxCount: 2 });
    expect(await gateway.listScheduledActions(web)).toEqual([
      { name: "night", schedule: "cron(0 22 * * ? *)", maxCount: 2 },
    ]);
    sim.control.feedMetric({ cluster: "apps", service: "web", metric: "cpu", value: 180 });
    expect(await gateway.lastActivity(web)).toMatchObject({
      description: "Setting desired count to 3.",
      cause: expect.stringContaining("triggered policy cpu"),
      statusCode: "Successful",
    });
    expect(await gateway.deleteScheduledAction(web, "night")).toBe(true);
    expect(await gateway.deleteScheduledAction(web, "night")).toBe(false);
    expect(await gateway.deletePolicy(web, "alb")).toBe(true);
    expect(await gateway.deletePolicy(web, "alb")).toBe(false);
    expect(await gateway.deregisterTarget(web)).toBe(true);
    expect(await gateway.deregisterTarget(web)).toBe(false);
    expect(await gateway.listPolicies(web)).toEqual([]);
  });

  it("translates AWS's errors into the adapters' typed errors", async () => {
    const ghost = { cluster: "apps", service: "ghost" };
    const put = gateway.putTargetTrackingPolicy(ghost, { name: "cpu", metric: "cpu", targetValue: 50 });
    await expect(put).rejects.toBeInstanceOf(AwsNotFoundError);
    await expect(gateway.registerTarget(web, { minCount: 3, maxCount: 1 })).rejects.toBeInstanceOf(
      AwsInvalidRequestError,
    );
    sim.control.setFaults({
      serverErrorPercent: 100,
      operations: ["application-autoscaling:DescribeScalableTargets"],
    });
    const failure = await gateway.describeTarget(web).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AwsUnavailableError);
    expect((failure as AwsUnavailableError).retryable).toBe(true);
    expect((failure as AwsUnavailableError).code).toBe("InternalServiceException");
  });
});
