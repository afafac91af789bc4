/**
 * A live service's Application Auto Scaling becomes spec.autoscaling; what the spec cannot say is a loss at the
 * input path `autoscaling.…`; names are not compared but the controller's own names are noted.
 */
import { describe, expect, it } from "vitest";
import { importFargateService } from "../../../src/import/index.js";
import { roundTripLosses } from "../../../src/import/round-trip.js";
import type { EcsInput, LiveAutoscaling } from "../../../src/import/types.js";
import { createServiceInput, registerInput } from "./inputs.js";

type Json = Record<string, unknown>;

const TG = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders/0123456789abcdef";
const LB = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop/fedcba9876543210";
const LABEL = "app/shop/fedcba9876543210/targetgroup/orders/0123456789abcdef";

function service(): Json {
  return {
    ...createServiceInput(),
    serviceName: "shop-orders",
    serviceArn: "arn:aws:ecs:eu-west-1:123456789012:service/apps/shop-orders",
    loadBalancers: [{ targetGroupArn: TG, containerName: "app", containerPort: 8080 }],
    healthCheckGracePeriodSeconds: 30,
  };
}

const tracking = (name: string, type: string, extra: Json = {}): Json => ({
  PolicyName: name,
  PolicyARN: `arn:aws:autoscaling:eu-west-1:123456789012:scalingPolicy:x:resource/ecs/service/apps/shop-orders:policyName/${name}`,
  ServiceNamespace: "ecs",
  ResourceId: "service/apps/shop-orders",
  ScalableDimension: "ecs:service:DesiredCount",
  PolicyType: "TargetTrackingScaling",
  TargetTrackingScalingPolicyConfiguration: {
    TargetValue: 60,
    PredefinedMetricSpecification: { PredefinedMetricType: type },
    ...extra,
  },
  Alarms: [{ AlarmName: "TargetTracking-high", AlarmARN: "arn:aws:cloudwatch:…" }],
  CreationTime: "2026-01-01T00:00:00.000Z",
});

function scaling(): LiveAutoscaling {
  return {
    scalableTarget: {
      ServiceNamespace: "ecs",
      ResourceId: "service/apps/shop-orders",
      ScalableDimension: "ecs:service:DesiredCount",
      MinCapacity: 2,
      MaxCapacity: 10,
      RoleARN: "arn:aws:iam::123456789012:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/x",
      SuspendedState: {
        DynamicScalingInSuspended: false,
        DynamicScalingOutSuspended: false,
        ScheduledScalingSuspended: false,
      },
    },
    scalingPolicies: [
      tracking("cpu75", "ECSServiceAverageCPUUtilization", { ScaleInCooldown: 120, DisableScaleIn: false }),
      tracking("requests", "ALBRequestCountPerTarget", {
        TargetValue: 1000,
        PredefinedMetricSpecification: {
          PredefinedMetricType: "ALBRequestCountPerTarget",
          ResourceLabel: LABEL,
        },
      }),
    ],
    scheduledActions: [
      {
        ScheduledActionName: "business hours",
        Schedule: "cron(0 8 ? * MON-FRI *)",
        Timezone: "Europe/Berlin",
        ScalableTargetAction: { MinCapacity: 4 },
        ServiceNamespace: "ecs",
        ResourceId: "service/apps/shop-orders",
      },
      {
        ScheduledActionName: "fargate-operator-night",
        Schedule: "cron(0 20 ? * * *)",
        ScalableTargetAction: { MinCapacity: 1, MaxCapacity: 4 },
      },
    ],
  };
}

function imported(autoscaling: LiveAutoscaling, svc: Json = service()) {
  const input: EcsInput = { taskDefinition: registerInput(), service: svc, autoscaling };
  return importFargateService(input, { live: true, namespace: "shop", name: "orders", region: "eu-west-1" });
}

describe("import of Application Auto Scaling", () => {
  it("carries the target, target-tracking policies and scheduled actions losslessly", () => {
    const result = imported(scaling());
    expect(result.losses).toEqual([]);
    expect((result.document.spec as Json).autoscaling).toEqual({
      minCount: 2,
      maxCount: 10,
      targetTracking: [
        { metric: "cpu", targetValue: 60, scaleInCooldownSeconds: 120, disableScaleIn: false },
        { metric: "albRequestCountPerTarget", targetValue: 1000, loadBalancerArn: LB },
      ],
      scheduled: [
        {
          name: "business-hours",
          schedule: "cron(0 8 ? * MON-FRI *)",
          timezone: "Europe/Berlin",
          minCount: 4,
        },
        { name: "night", schedule: "cron(0 20 ? * * *)", minCount: 1, maxCount: 4 },
      ],
    });
    const note = result.notes.find((n) => n.startsWith("spec.autoscaling:"));
    expect(note).toMatch(/policy cpu75 → fargate-operator-cpu/);
    expect(note).toMatch(/policy requests → fargate-operator-albRequestCountPerTarget/);
    expect(note).toMatch(/scheduled action business hours → fargate-operator-business-hours/);
    // Already the controller's own name: nothing to say about it.
    expect(note).not.toMatch(/night/);
  });

  it("says nothing about names when every policy and action already has the controller's", () => {
    const live = scaling();
    live.scalingPolicies = [tracking("fargate-operator-memory", "ECSServiceAverageMemoryUtilization")];
    live.scheduledActions = [];
    const result = imported(live);
    expect(result.losses).toEqual([]);
    expect(result.notes.filter((n) => n.startsWith("spec.autoscaling:"))).toEqual([]);
  });

  it("writes the target group of an ALB policy when spec.loadBalancers does not name it alone", () => {
    const svc = service();
    const other = TG.replace("orders/0123456789abcdef", "admin/1111111111111111");
    svc.loadBalancers = [
      { targetGroupArn: other, containerName: "app", containerPort: 8080 },
      { targetGroupArn: TG, containerName: "app", containerPort: 8080 },
    ];
    const result = imported(scaling(), svc);
    expect(result.losses).toEqual([]);
    const policies = ((result.document.spec as Json).autoscaling as Json).targetTracking as Json[];
    expect(policies[1]).toEqual({
      metric: "albRequestCountPerTarget",
      targetValue: 1000,
      targetGroupArn: TG,
      loadBalancerArn: LB,
    });
  });

  it("names what spec.autoscaling cannot say by its input path", () => {
    const live = scaling();
    (live.scalableTarget.SuspendedState as Json).ScheduledScalingSuspended = true;
    live.scalingPolicies = [
      tracking("cpu", "ECSServiceAverageCPUUtilization"),
      tracking("cpu-again", "ECSServiceAverageCPUUtilization", { TargetValue: 80 }),
      { PolicyName: "steps", PolicyType: "StepScaling", StepScalingPolicyConfiguration: {} },
      { PolicyName: "forecast", PolicyType: "PredictiveScaling" },
      {
        PolicyName: "queue",
        PolicyType: "TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 5,
          CustomizedMetricSpecification: { MetricName: "Backlog", Namespace: "Shop", Statistic: "Average" },
        },
      },
    ];
    live.scheduledActions = [
      {
        ScheduledActionName: "sale",
        Schedule: "rate(1 day)",
        StartTime: "2026-11-27T00:00:00.000Z",
        ScalableTargetAction: { MinCapacity: 8 },
      },
      { ScheduledActionName: "noop", Schedule: "rate(1 day)", ScalableTargetAction: {} },
    ];
    const result = imported(live);
    expect(result.losses.map((l) => l.path)).toEqual([
      "autoscaling.scalableTarget.SuspendedState.ScheduledScalingSuspended",
      "autoscaling.scalingPolicies[cpu-again].TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType",
      "autoscaling.scalingPolicies[steps].PolicyType",
      "autoscaling.scalingPolicies[forecast].PolicyType",
      "autoscaling.scalingPolicies[queue].TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification",
      "autoscaling.scheduledActions[sale].StartTime",
      "autoscaling.scheduledActions[noop].ScalableTargetAction",
    ]);
    expect(result.losses[1]?.why).toMatch(/a second policy on cpu/);
    expect(result.losses[2]?.why).toMatch(/StepScaling policies cannot be said in spec.autoscaling/);
    expect((result.document.spec as Json).autoscaling).toEqual({
      minCount: 2,
      maxCount: 10,
      targetTracking: [{ metric: "cpu", targetValue: 60 }],
    });
  });

  it("an ALB policy whose load balancer cannot be named is a loss", () => {
    const live = scaling();
    const svc = service();
    delete svc.serviceArn;
    delete svc.loadBalancers;
    delete svc.healthCheckGracePeriodSeconds;
    const td = registerInput();
    for (const key of ["taskRoleArn", "executionRoleArn"]) delete td[key];
    td.containerDefinitions = [{ name: "app", image: "nginx", essential: true }];
    const result = importFargateService(
      { taskDefinition: td, service: svc, autoscaling: live },
      { live: true, namespace: "shop", name: "orders" },
    );
    expect(result.losses).toContainEqual({
      path: "autoscaling.scalingPolicies[requests].TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.ResourceLabel",
      why: expect.stringMatching(/account and region .* not known/),
    });
  });

  it("the round trip compares what the controller would put with what was read, defaults filled", () => {
    const live = scaling();
    const input: EcsInput = { taskDefinition: registerInput(), service: service(), autoscaling: live };
    const { document } = imported(live);
    const roles = { accountId: "123456789012", partition: "aws", region: "eu-west-1" };
    const context = { input, roles, region: "eu-west-1" };
    expect(roundTripLosses(document, context)).toEqual([]);
    // ECS's default cooldown (300 s) written out is the same scaling.
    const spec = structuredClone(document.spec) as Json;
    const autoscaling = spec.autoscaling as { targetTracking: Json[]; scheduled: Json[] };
    Object.assign(autoscaling.targetTracking[1] as Json, { scaleOutCooldownSeconds: 300 });
    (autoscaling.scheduled[1] as Json).timezone = "UTC";
    expect(roundTripLosses({ ...document, spec }, context)).toEqual([]);
    // A changed value is named at the input's path.
    (autoscaling.targetTracking[0] as Json).targetValue = 70;
    (autoscaling.scheduled[0] as Json).minCount = 5;
    expect(roundTripLosses({ ...document, spec }, context)).toEqual([
      {
        path: "autoscaling.scalingPolicies[cpu75].TargetTrackingScalingPolicyConfiguration.TargetValue",
        why: "differs after render (input 60, rendered 70)",
      },
      {
        path: "autoscaling.scheduledActions[business hours].ScalableTargetAction.MinCapacity",
        why: "differs after render (input 4, rendered 5)",
      },
    ]);
  });
});
