import { RegisterTaskDefinitionCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import {
  ECS_API_BUCKETS,
  ECS_OPERATION_CATEGORY,
  EcsRateLimiter,
  TIMER_MARGIN_MS,
} from "../../../src/aws/throttle.js";
import { ManualClock } from "../../../src/clock.js";
import { ecsService, type MockedGateways, mockedGateways, rejectionOf } from "./support.js";

const taskDefinition = (family: string) => ({
  family,
  containerDefinitions: [{ name: "app", image: "nginx" }],
});

describe("EcsRateLimiter", () => {
  it("uses AWS's published buckets for the calls the controller makes", () => {
    expect(ECS_API_BUCKETS.taskDefinitionRegister).toEqual({ burst: 20, refillPerSecond: 1 });
    expect(ECS_API_BUCKETS.serviceWrite).toEqual({ burst: 50, refillPerSecond: 5 });
    expect(ECS_API_BUCKETS.serviceRead).toEqual({ burst: 100, refillPerSecond: 20 });
    expect(ECS_OPERATION_CATEGORY.RegisterTaskDefinition).toBe("taskDefinitionRegister");
    expect(ECS_OPERATION_CATEGORY.CreateService).toBe("serviceWrite");
    expect(ECS_OPERATION_CATEGORY.UpdateService).toBe("serviceWrite");
    expect(ECS_OPERATION_CATEGORY.DeleteService).toBe("serviceWrite");
    expect(ECS_OPERATION_CATEGORY.DescribeServices).toBe("serviceRead");
  });

  it("returns the wait for each reservation: 20 at once, then one per second (plus the timer margin)", async () => {
    const clock = new ManualClock();
    const limiter = new EcsRateLimiter(clock);
    const waits: number[] = [];
    const done: number[] = [];
    for (let i = 0; i < 22; i += 1)
      void limiter.acquire("RegisterTaskDefinition").then((w) => {
        waits.push(w);
        done.push(i);
      });
    await clock.advance(0);
    expect(done).toHaveLength(20);
    await clock.advance(999 + TIMER_MARGIN_MS);
    expect(done).toHaveLength(20);
    await clock.advance(1);
    expect(done).toHaveLength(21);
    await clock.advance(1_000);
    expect(done).toHaveLength(22);
    expect(waits.slice(20)).toEqual([1_000 + TIMER_MARGIN_MS, 2_000 + TIMER_MARGIN_MS]);
  });

  it("keeps categories apart and lets unknown operations through", async () => {
    const clock = new ManualClock();
    const limiter = new EcsRateLimiter(clock, { serviceWrite: { burst: 1, refillPerSecond: 1 } });
    expect(await limiter.acquire("UpdateService")).toBe(0);
    expect(await limiter.acquire("RegisterTaskDefinition")).toBe(0);
    expect(await limiter.acquire("SomethingElse")).toBe(0);
    const second = limiter.acquire("CreateService");
    await clock.advance(1_000 + TIMER_MARGIN_MS);
    expect(await second).toBe(1_000 + TIMER_MARGIN_MS);
  });

  it("rejects with the signal's reason when aborted while waiting, and at once when already aborted", async () => {
    const clock = new ManualClock();
    const limiter = new EcsRateLimiter(clock, { serviceWrite: { burst: 1, refillPerSecond: 1 } });
    await limiter.acquire("UpdateService");
    const controller = new AbortController();
    const waiting = rejectionOf(limiter.acquire("UpdateService", controller.signal));
    const reason = new Error("shutting down");
    controller.abort(reason);
    expect(await waiting).toBe(reason);
    expect(clock.pendingTimers()).toBe(0);
    expect(await rejectionOf(limiter.acquire("UpdateService", controller.signal))).toBe(reason);
  });
});

describe("the ECS gateway's pacing", () => {
  let m: MockedGateways;
  afterEach(() => m.close());

  it("sends 20 RegisterTaskDefinition calls at once; the 21st waits one second of clock time", async () => {
    m = mockedGateways({ ecsBuckets: {} });
    m.ecs.on(RegisterTaskDefinitionCommand).callsFake((input: { family: string }) => ({
      taskDefinition: {
        taskDefinitionArn: `arn:aws:ecs:us-east-1:123456789012:task-definition/${input.family}:1`,
        family: input.family,
        revision: 1,
        status: "ACTIVE",
      },
    }));
    const results = Array.from({ length: 25 }, (_, i) =>
      m.aws.ecs.registerTaskDefinition(taskDefinition(`f${i}`)),
    );
    await m.clock.advance(0);
    expect(m.ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(20);
    await m.clock.advance(999 + TIMER_MARGIN_MS);
    expect(m.ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(20);
    await m.clock.advance(1);
    expect(m.ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(21);
    await m.clock.advance(4_000);
    expect(m.ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(25);
    expect((await Promise.all(results)).map((r) => r.family)).toEqual(
      Array.from({ length: 25 }, (_, i) => `f${i}`),
    );
  });

  it("sends nothing when aborted while waiting for a token", async () => {
    m = mockedGateways({ ecsBuckets: { serviceWrite: { burst: 1, refillPerSecond: 1 } } });
    m.ecs.on(UpdateServiceCommand).resolves({ service: ecsService("c", "web") });
    await m.aws.ecs.updateService({ cluster: "c", service: "web", desiredCount: 2 });
    const controller = new AbortController();
    const pending = rejectionOf(m.aws.ecs.updateService({ cluster: "c", service: "web" }, controller.signal));
    controller.abort(new Error("stop"));
    expect(await pending).toEqual(new Error("stop"));
    await m.clock.advance(5_000);
    expect(m.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(m.calls).toHaveLength(1);
  });

  it("does not pace at all with ecsBuckets: false", async () => {
    m = mockedGateways({ ecsBuckets: false });
    m.ecs.on(RegisterTaskDefinitionCommand).resolves({
      taskDefinition: {
        taskDefinitionArn: "arn:aws:ecs:us-east-1:1:task-definition/f:1",
        family: "f",
        revision: 1,
      },
    });
    await Promise.all(
      Array.from({ length: 30 }, () => m.aws.ecs.registerTaskDefinition(taskDefinition("f"))),
    );
    expect(m.ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(30);
  });
});
