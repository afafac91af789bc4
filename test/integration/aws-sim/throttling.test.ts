import {
  CreateServiceCommand,
  DescribeServicesCommand,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import { fargateTaskDefinition, network, rejectionOf, type SimHarness, startHarness } from "./support.js";

let h: SimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function outcomes(calls: Promise<unknown>[]): Promise<{ ok: number; throttled: number }> {
  const settled = await Promise.allSettled(calls);
  let ok = 0;
  let throttled = 0;
  for (const r of settled) {
    if (r.status === "fulfilled") ok += 1;
    else if (r.reason instanceof Error && r.reason.name === "ThrottlingException") throttled += 1;
    else throw r.reason;
  }
  return { ok, throttled };
}

describe("ECS throttling (published token buckets, frozen ManualClock)", () => {
  it("lets exactly 20 of 25 RegisterTaskDefinition calls through, then one per second", async () => {
    h = await startHarness({ throttling: true });
    const s = h;
    const register = () =>
      s.ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition("web", "web:1")));
    expect(await outcomes(Array.from({ length: 25 }, register))).toEqual({ ok: 20, throttled: 5 });
    const error = await rejectionOf(register());
    expect(error.name).toBe("ThrottlingException");
    expect(error.message).toBe("Rate exceeded");
    expect(error.$metadata?.httpStatusCode).toBe(400);
    s.clock.advanceSync(1_000);
    expect(await outcomes([register(), register()])).toEqual({ ok: 1, throttled: 1 });
    expect(s.sim.control.counters()["ecs:RegisterTaskDefinition"]).toMatchObject({
      calls: 28,
      succeeded: 21,
      throttled: 7,
    });
  });

  it("gives service writes 50 burst and 5 per second, independently of DescribeServices", async () => {
    h = await startHarness({ throttling: true });
    const s = h;
    await s.ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition("web", "web:1")));
    let n = 0;
    const create = () =>
      s.ecs.send(
        new CreateServiceCommand({
          cluster: "apps",
          serviceName: `svc-${n++}`,
          taskDefinition: "web",
          desiredCount: 0,
          networkConfiguration: network,
        }),
      );
    expect(await outcomes(Array.from({ length: 55 }, create))).toEqual({ ok: 50, throttled: 5 });
    const describe = () => s.ecs.send(new DescribeServicesCommand({ cluster: "apps", services: ["svc-0"] }));
    expect(await outcomes(Array.from({ length: 101 }, describe))).toEqual({ ok: 100, throttled: 1 });
    s.clock.advanceSync(1_000);
    expect(await outcomes(Array.from({ length: 7 }, create))).toEqual({ ok: 5, throttled: 2 });
  });

  it("can be switched off and on at run time, and honours the time scale", async () => {
    h = await startHarness({ throttling: true, timeScale: 10 });
    const s = h;
    const register = () =>
      s.ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition("web", "web:1")));
    expect(await outcomes(Array.from({ length: 21 }, register))).toEqual({ ok: 20, throttled: 1 });
    s.clock.advanceSync(1_000);
    expect(await outcomes(Array.from({ length: 12 }, register))).toEqual({ ok: 10, throttled: 2 });
    s.sim.control.setThrottling(false);
    expect(await outcomes(Array.from({ length: 30 }, register))).toEqual({ ok: 30, throttled: 0 });
    expect(s.sim.control.throttling()).toMatchObject({ enabled: false, timeScale: 10 });
  });
});
