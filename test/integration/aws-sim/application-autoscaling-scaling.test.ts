import {
  type ApplicationAutoScalingClient,
  DescribeScalingActivitiesCommand,
  PutScalingPolicyCommand,
  PutScheduledActionCommand,
  RegisterScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { DescribeServicesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { autoScalingClientFor, createEcsService, ecsTarget, tracking } from "./autoscaling-support.js";
import { type SimHarness, startHarness } from "./support.js";

let h: SimHarness;
let aas: ApplicationAutoScalingClient;
beforeEach(async () => {
  h = await startHarness({ mode: "strict", rolloutSeconds: 2 });
  aas = autoScalingClientFor(h.sim.endpoint);
});
afterEach(async () => {
  aas.destroy();
  await h.close();
});

const web = ecsTarget("apps", "web");

async function ecsCounts(): Promise<{ desired: number; running: number }> {
  const out = await h.ecs.send(new DescribeServicesCommand({ cluster: "apps", services: ["web"] }));
  return { desired: out.services?.[0]?.desiredCount ?? -1, running: out.services?.[0]?.runningCount ?? -1 };
}

/** Feeds a metric through the HTTP control endpoint, as a test or script outside the process would. */
async function feed(metric: string, value: number): Promise<Record<string, unknown>> {
  const res = await fetch(`${h.sim.endpoint}/_sim/autoscaling/metrics`, {
    method: "POST",
    body: JSON.stringify({ cluster: "apps", service: "web", metric, value }),
  });
  const body = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`control answered ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

async function activities(includeNotScaled = false) {
  const out = await aas.send(
    new DescribeScalingActivitiesCommand({
      ServiceNamespace: "ecs",
      ResourceId: web.ResourceId,
      IncludeNotScaledActivities: includeNotScaled,
    }),
  );
  return out.ScalingActivities ?? [];
}

describe("Application Auto Scaling simulator: scaling the ECS service", () => {
  it("registration brings desiredCount into [min, max], as AWS does", async () => {
    await createEcsService(h.ecs, "apps", "web", 1);
    await aas.send(new RegisterScalableTargetCommand({ ...web, MinCapacity: 3, MaxCapacity: 5 }));
    expect((await ecsCounts()).desired).toBe(3);
    await aas.send(new RegisterScalableTargetCommand({ ...web, MinCapacity: 1, MaxCapacity: 2 }));
    expect((await ecsCounts()).desired).toBe(2);
    expect((await activities()).map((a) => [a.Description, a.Cause, a.StatusCode])).toEqual([
      ["Setting desired count to 2.", "maximum capacity was set to 2", "Successful"],
      ["Setting desired count to 3.", "minimum capacity was set to 3", "Successful"],
    ]);
  });

  it("a fed CPU metric moves desiredCount proportionally within [min, max], and ECS runs the tasks", async () => {
    await createEcsService(h.ecs, "apps", "web", 2);
    await aas.send(new RegisterScalableTargetCommand({ ...web, MinCapacity: 1, MaxCapacity: 6 }));
    await aas.send(
      new PutScalingPolicyCommand({
        ...web,
        PolicyName: "cpu",
        ...tracking("ECSServiceAverageCPUUtilization", 50),
      }),
    );
    // 2 tasks at 90% against a 50% target: ceil(2 × 90 / 50) = 4.
    expect(await feed("cpu", 90)).toMatchObject({ previousDesiredCount: 2, desiredCount: 4 });
    h.clock.advanceSync(2_000);
    expect(await ecsCounts()).toEqual({ desired: 4, running: 4 });
    // 4 × 100 / 50 = 8, clamped to the maximum 6.
    expect(await feed("cpu", 100)).toMatchObject({ desiredCount: 6 });
    // Already at the maximum: nothing changes; the activity is a "not scaled" one.
    expect(await feed("cpu", 100)).toMatchObject({ previousDesiredCount: 6, desiredCount: 6 });
    // A memory reading moves nothing: no policy tracks memory (the CPU alarm, still high, is evaluated again).
    expect(await feed("memory", 99)).toMatchObject({ desiredCount: 6 });
    // Low load scales in: ceil(6 × 10 / 50) = 2.
    expect(await feed("cpu", 10)).toMatchObject({ desiredCount: 2 });
    // Scale-in stops at the minimum.
    expect(await feed("cpu", 1)).toMatchObject({ desiredCount: 1 });
    expect((await ecsCounts()).desired).toBe(1);
    const scaled = await activities();
    expect(scaled.map((a) => a.Description)).toEqual([
      "Setting desired count to 1.",
      "Setting desired count to 2.",
      "Setting desired count to 6.",
      "Setting desired count to 4.",
    ]);
    expect(scaled[3]?.Cause).toMatch(
      /^monitor alarm TargetTracking-service\/apps\/web-AlarmHigh-\S+ in state ALARM triggered policy cpu$/,
    );
    expect(scaled[0]?.Cause).toMatch(/AlarmLow-\S+ in state ALARM triggered policy cpu$/);
    const notScaled = (await activities(true)).filter((a) => a.NotScaledReasons !== undefined);
    const atMax = [{ Code: "AlreadyAtMaxCapacity", MaxCapacity: 6, CurrentCapacity: 6 }];
    expect(notScaled.map((a) => a.NotScaledReasons)).toEqual([atMax, atMax]);
  });

  it("DisableScaleIn keeps the count when load falls; the largest wish of several policies wins", async () => {
    await createEcsService(h.ecs, "apps", "web", 2);
    await aas.send(new RegisterScalableTargetCommand({ ...web, MinCapacity: 1, MaxCapacity: 10 }));
    await aas.send(
      new PutScalingPolicyCommand({
        ...web,
        PolicyName: "memory",
        ...tracking("ECSServiceAverageMemoryUtilization", 50, { DisableScaleIn: true }),
      }),
    );
    expect(await feed("memory", 100)).toMatchObject({ desiredCount: 4 });
    expect(await feed("memory", 5)).toMatchObject({ desiredCount: 4 });
    expect((await ecsCounts()).desired).toBe(4);
    await aas.send(
      new PutScalingPolicyCommand({
        ...web,
        PolicyName: "cpu",
        ...tracking("ECSServiceAverageCPUUtilization", 50),
      }),
    );
    // CPU alone would scale in to 1, but the memory policy (no scale-in) holds 4.
    expect(await feed("cpu", 5)).toMatchObject({ desiredCount: 4 });
    await aas.send(
      new RegisterScalableTargetCommand({ ...web, SuspendedState: { DynamicScalingOutSuspended: true } }),
    );
    expect(await feed("cpu", 100)).toMatchObject({ desiredCount: 4 });
  });

  it("an at() scheduled action takes effect when the simulator clock passes its time (in its time zone)", async () => {
    await createEcsService(h.ecs, "apps", "web", 1);
    await aas.send(new RegisterScalableTargetCommand({ ...web, MinCapacity: 1, MaxCapacity: 4 }));
    // The ManualClock starts at 2025-01-01T00:00:00Z; 02:00 in Berlin (UTC+1 in winter) is 01:00Z.
    await aas.send(
      new PutScheduledActionCommand({
        ...web,
        ScheduledActionName: "morning",
        Schedule: "at(2025-01-01T02:00:00)",
        Timezone: "Europe/Berlin",
        ScalableTargetAction: { MinCapacity: 3, MaxCapacity: 8 },
      }),
    );
    h.clock.advanceSync(59 * 60_000);
    expect((await ecsCounts()).desired).toBe(1);
    h.clock.advanceSync(60_000);
    expect((await ecsCounts()).desired).toBe(3);
    expect((await activities()).map((a) => [a.Description, a.Cause])).toEqual([
      ["Setting desired count to 3.", "minimum capacity was set to 3"],
      ["Setting min capacity to 3 and max capacity to 8", "scheduled action name morning was triggered"],
    ]);
  });

  it("a rate() scheduled action fires every period from its start time", async () => {
    await createEcsService(h.ecs, "apps", "web", 1);
    await aas.send(new RegisterScalableTargetCommand({ ...web, MinCapacity: 1, MaxCapacity: 4 }));
    await aas.send(
      new PutScheduledActionCommand({
        ...web,
        ScheduledActionName: "pin",
        Schedule: "rate(1 hour)",
        StartTime: new Date(h.clock.now() + 30 * 60_000),
        ScalableTargetAction: { MinCapacity: 2 },
      }),
    );
    h.clock.advanceSync(30 * 60_000);
    expect((await ecsCounts()).desired).toBe(2);
    // Someone lowers the minimum and the count; the next run an hour later puts the minimum back.
    await aas.send(new RegisterScalableTargetCommand({ ...web, MinCapacity: 1 }));
    await h.ecs.send(
      new UpdateServiceCommand({
        cluster: "apps",
        service: "web",
        desiredCount: 1,
      }),
    );
    h.clock.advanceSync(60 * 60_000);
    expect((await ecsCounts()).desired).toBe(2);
  });

  it("the control endpoint refuses malformed samples and targets it does not know", async () => {
    await createEcsService(h.ecs, "apps", "web", 1);
    await expect(feed("cpu", 50)).rejects.toThrow(/400.*no scalable target/);
    await aas.send(new RegisterScalableTargetCommand({ ...web, MinCapacity: 1, MaxCapacity: 4 }));
    await expect(feed("disk", 50)).rejects.toThrow(/400.*metric must be one of cpu, memory/);
    expect(h.sim.control.feedMetric({ cluster: "apps", service: "web", metric: "cpu", value: 50 })).toEqual({
      resourceId: "service/apps/web",
      previousDesiredCount: 1,
      desiredCount: 1,
    });
  });
});
