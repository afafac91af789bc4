import {
  type ApplicationAutoScalingClient,
  DeleteScalingPolicyCommand,
  DeleteScheduledActionCommand,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  DescribeScheduledActionsCommand,
  ListTagsForResourceCommand,
  PutScalingPolicyCommand,
  PutScheduledActionCommand,
  RegisterScalableTargetCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { autoScalingClientFor, createEcsService, ecsTarget, tracking } from "./autoscaling-support.js";
import { rejectionOf, type SimHarness, startHarness } from "./support.js";

let h: SimHarness;
let aas: ApplicationAutoScalingClient;
beforeEach(async () => {
  h = await startHarness({ mode: "strict" });
  aas = autoScalingClientFor(h.sim.endpoint);
});
afterEach(async () => {
  aas.destroy();
  await h.close();
});

const web = ecsTarget("apps", "web");
const register = (min: number, max: number, target = web) =>
  aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: min, MaxCapacity: max }));
const errorName = async (call: Promise<unknown>) => (await rejectionOf(call)).name;

describe("Application Auto Scaling simulator: scalable targets", () => {
  it("registers, updates min/max in place, describes and deregisters a target", async () => {
    await createEcsService(h.ecs, "apps", "web", 2);
    const created = await register(1, 4);
    expect(created.ScalableTargetARN).toMatch(
      /^arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target\/[a-z0-9]+$/,
    );
    const updated = await aas.send(new RegisterScalableTargetCommand({ ...web, MaxCapacity: 6 }));
    expect(updated.ScalableTargetARN).toBe(created.ScalableTargetARN);
    const out = await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs" }));
    expect(out.ScalableTargets).toEqual([
      expect.objectContaining({
        ...web,
        MinCapacity: 1,
        MaxCapacity: 6,
        ScalableTargetARN: created.ScalableTargetARN,
        RoleARN: expect.stringContaining("AWSServiceRoleForApplicationAutoScaling_ECSService"),
        CreationTime: new Date(h.clock.now()),
      }),
    ]);
    await aas.send(new DeregisterScalableTargetCommand(web));
    const after = await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs" }));
    expect(after.ScalableTargets).toEqual([]);
    expect(await errorName(aas.send(new DeregisterScalableTargetCommand(web)))).toBe(
      "ObjectNotFoundException",
    );
  });

  it("refuses what AWS refuses, by error name", async () => {
    await createEcsService(h.ecs, "apps", "web", 1);
    const bad = (over: Record<string, unknown>) =>
      errorName(
        aas.send(new RegisterScalableTargetCommand({ ...web, MinCapacity: 1, MaxCapacity: 2, ...over })),
      );
    expect(await bad({ ServiceNamespace: "nope" })).toBe("ValidationException");
    expect(await bad({ ServiceNamespace: "dynamodb" })).toBe("ValidationException");
    expect(await bad({ ScalableDimension: "ecs:service:Nope" })).toBe("ValidationException");
    expect(await bad({ ResourceId: "apps/web" })).toBe("ValidationException");
    expect(await bad({ ResourceId: "service/web" })).toBe("ValidationException");
    expect(await bad({ MinCapacity: 3, MaxCapacity: 2 })).toBe("ValidationException");
    expect(await bad({ MinCapacity: -1 })).toBe("ValidationException");
    // A new target needs both bounds; strict mode asks ECS whether the service exists (AWS: ValidationException).
    expect(await errorName(aas.send(new RegisterScalableTargetCommand({ ...web, MinCapacity: 1 })))).toBe(
      "ValidationException",
    );
    const ghost = await rejectionOf(register(1, 2, ecsTarget("apps", "ghost")));
    expect([ghost.name, ghost.message]).toEqual([
      "ValidationException",
      "ECS service doesn't exist: service/apps/ghost",
    ]);
    await register(2, 4);
    // Updating only one bound is checked against the other.
    expect(await errorName(aas.send(new RegisterScalableTargetCommand({ ...web, MinCapacity: 5 })))).toBe(
      "ValidationException",
    );
  });

  it("pages targets with NextToken and MaxResults, and refuses tokens and sizes it never gave", async () => {
    for (const name of ["a", "b", "c"]) {
      await createEcsService(h.ecs, "apps", name, 1);
      await register(1, 2, ecsTarget("apps", name));
    }
    const first = await aas.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", MaxResults: 2 }),
    );
    expect(first.ScalableTargets?.map((t) => t.ResourceId)).toEqual(["service/apps/a", "service/apps/b"]);
    expect(first.NextToken).toBeTruthy();
    const second = await aas.send(
      new DescribeScalableTargetsCommand({
        ServiceNamespace: "ecs",
        MaxResults: 2,
        NextToken: first.NextToken,
      }),
    );
    expect(second.ScalableTargets?.map((t) => t.ResourceId)).toEqual(["service/apps/c"]);
    expect(second.NextToken).toBeUndefined();
    const filtered = await aas.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", ResourceIds: ["service/apps/b"] }),
    );
    expect(filtered.ScalableTargets?.map((t) => t.ResourceId)).toEqual(["service/apps/b"]);
    expect(
      await errorName(
        aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", NextToken: "bogus" })),
      ),
    ).toBe("InvalidNextTokenException");
    expect(
      await errorName(
        aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", MaxResults: 51 })),
      ),
    ).toBe("ValidationException");
  });

  it("tags a target: at registration, TagResource, UntagResource, and ResourceNotFoundException", async () => {
    await createEcsService(h.ecs, "apps", "web", 1);
    const { ScalableTargetARN: arn } = await aas.send(
      new RegisterScalableTargetCommand({ ...web, MinCapacity: 1, MaxCapacity: 2, Tags: { team: "a" } }),
    );
    await aas.send(new TagResourceCommand({ ResourceARN: arn, Tags: { env: "dev" } }));
    await aas.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ["team"] }));
    expect((await aas.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags).toEqual({
      env: "dev",
    });
    const missing = `${arn?.slice(0, -4)}0000`;
    expect(await errorName(aas.send(new ListTagsForResourceCommand({ ResourceARN: missing })))).toBe(
      "ResourceNotFoundException",
    );
  });
});

describe("Application Auto Scaling simulator: policies and scheduled actions", () => {
  it("puts, updates by name, describes, pages and deletes scaling policies", async () => {
    await createEcsService(h.ecs, "apps", "web", 1);
    const put = (name: string, over: object) =>
      aas.send(new PutScalingPolicyCommand({ ...web, PolicyName: name, ...over }));
    expect(await errorName(put("cpu", tracking("ECSServiceAverageCPUUtilization", 50)))).toBe(
      "ObjectNotFoundException",
    );
    await register(1, 10);
    const cpu = await put("cpu", tracking("ECSServiceAverageCPUUtilization", 50));
    expect(cpu.PolicyARN).toMatch(
      /^arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:[0-9a-f-]+:resource\/ecs\/service\/apps\/web:policyName\/cpu$/,
    );
    expect(cpu.Alarms?.map((a) => a.AlarmName)).toEqual([
      expect.stringMatching(/^TargetTracking-service\/apps\/web-AlarmHigh-/),
      expect.stringMatching(/^TargetTracking-service\/apps\/web-AlarmLow-/),
    ]);
    // The same name updates the policy (same ARN), as AWS does.
    const again = await put("cpu", tracking("ECSServiceAverageCPUUtilization", 70));
    expect(again.PolicyARN).toBe(cpu.PolicyARN);
    await put("memory", tracking("ECSServiceAverageMemoryUtilization", 80, { DisableScaleIn: true }));
    const alb = {
      PolicyType: "TargetTrackingScaling" as const,
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 100,
        PredefinedMetricSpecification: { PredefinedMetricType: "ALBRequestCountPerTarget" as const },
      },
    };
    expect(await errorName(put("alb", alb))).toBe("ValidationException");
    const label = "app/web/0123456789abcdef/targetgroup/web/0123456789abcdef";
    alb.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification = {
      PredefinedMetricType: "ALBRequestCountPerTarget",
      ResourceLabel: label,
    } as typeof alb.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification;
    await put("alb", alb);
    await put("steps", {
      PolicyType: "StepScaling",
      StepScalingPolicyConfiguration: {
        AdjustmentType: "ChangeInCapacity",
        StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }],
      },
    });
    expect(await errorName(put("bad", tracking("ECSServiceAverageCPUUtilization", 0)))).toBe(
      "ValidationException",
    );
    expect(await errorName(put("bad", { PolicyType: "TargetTrackingScaling" }))).toBe("ValidationException");
    const all = await aas.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs", ResourceId: web.ResourceId }),
    );
    expect(all.ScalingPolicies?.map((p) => [p.PolicyName, p.PolicyType])).toEqual([
      ["cpu", "TargetTrackingScaling"],
      ["memory", "TargetTrackingScaling"],
      ["alb", "TargetTrackingScaling"],
      ["steps", "StepScaling"],
    ]);
    expect(all.ScalingPolicies?.[0]?.TargetTrackingScalingPolicyConfiguration?.TargetValue).toBe(70);
    expect(all.ScalingPolicies?.[1]?.Alarms).toHaveLength(1);
    const paged = await aas.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs", MaxResults: 3 }),
    );
    expect(paged.ScalingPolicies).toHaveLength(3);
    const rest = await aas.send(
      new DescribeScalingPoliciesCommand({
        ServiceNamespace: "ecs",
        MaxResults: 3,
        NextToken: paged.NextToken,
      }),
    );
    expect(rest.ScalingPolicies?.map((p) => p.PolicyName)).toEqual(["steps"]);
    expect(
      await errorName(
        aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs", MaxResults: 11 })),
      ),
    ).toBe("ValidationException");
    await aas.send(new DeleteScalingPolicyCommand({ ...web, PolicyName: "alb" }));
    const named = await aas.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs", PolicyNames: ["alb", "cpu"] }),
    );
    expect(named.ScalingPolicies?.map((p) => p.PolicyName)).toEqual(["cpu"]);
    expect(await errorName(aas.send(new DeleteScalingPolicyCommand({ ...web, PolicyName: "alb" })))).toBe(
      "ObjectNotFoundException",
    );
  });

  it("puts, describes and deletes scheduled actions, checking schedule and bounds", async () => {
    await createEcsService(h.ecs, "apps", "web", 1);
    const put = (name: string, over: object) =>
      aas.send(new PutScheduledActionCommand({ ...web, ScheduledActionName: name, ...over }));
    expect(await errorName(put("night", { Schedule: "cron(0 22 * * ? *)" }))).toBe("ObjectNotFoundException");
    await register(1, 10);
    await put("night", {
      Schedule: "cron(0 22 * * ? *)",
      ScalableTargetAction: { MinCapacity: 0, MaxCapacity: 2 },
    });
    await put("once", {
      Schedule: "at(2025-06-01T08:00:00)",
      Timezone: "Europe/Berlin",
      ScalableTargetAction: { MinCapacity: 4 },
    });
    for (const schedule of ["every day", "rate(0 minutes)", "at(2025-13-45T99:00:00)", "cron(0 22 * *)"])
      expect(await errorName(put("bad", { Schedule: schedule, Timezone: "Europe/Berlin" })), schedule).toBe(
        "ValidationException",
      );
    expect(
      await errorName(
        put("bad", { Schedule: "rate(5 minutes)", ScalableTargetAction: { MinCapacity: 3, MaxCapacity: 2 } }),
      ),
    ).toBe("ValidationException");
    expect(await errorName(put("a/b", { Schedule: "rate(5 minutes)" }))).toBe("ValidationException");
    expect(await errorName(put("new", {}))).toBe("ValidationException");
    const out = await aas.send(
      new DescribeScheduledActionsCommand({ ServiceNamespace: "ecs", ResourceId: web.ResourceId }),
    );
    expect(
      out.ScheduledActions?.map((a) => [a.ScheduledActionName, a.Schedule, a.ScalableTargetAction]),
    ).toEqual([
      ["night", "cron(0 22 * * ? *)", { MinCapacity: 0, MaxCapacity: 2 }],
      ["once", "at(2025-06-01T08:00:00)", { MinCapacity: 4 }],
    ]);
    expect(out.ScheduledActions?.[1]?.ScheduledActionARN).toMatch(
      /^arn:aws:autoscaling:us-east-1:123456789012:scheduledAction:[0-9a-f-]+:resource\/ecs\/service\/apps\/web:scheduledActionName\/once$/,
    );
    await aas.send(new DeleteScheduledActionCommand({ ...web, ScheduledActionName: "night" }));
    expect(
      await errorName(aas.send(new DeleteScheduledActionCommand({ ...web, ScheduledActionName: "night" }))),
    ).toBe("ObjectNotFoundException");
  });

  it("deregistering a target removes its policies and scheduled actions", async () => {
    await createEcsService(h.ecs, "apps", "web", 1);
    await register(1, 3);
    await aas.send(
      new PutScalingPolicyCommand({
        ...web,
        PolicyName: "cpu",
        ...tracking("ECSServiceAverageCPUUtilization", 50),
      }),
    );
    await aas.send(
      new PutScheduledActionCommand({ ...web, ScheduledActionName: "s", Schedule: "rate(1 hour)" }),
    );
    await aas.send(new DeregisterScalableTargetCommand(web));
    await register(1, 3);
    const policies = await aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs" }));
    const actions = await aas.send(new DescribeScheduledActionsCommand({ ServiceNamespace: "ecs" }));
    expect([policies.ScalingPolicies, actions.ScheduledActions]).toEqual([[], []]);
  });
});
