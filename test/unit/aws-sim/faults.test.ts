import { describe, expect, it } from "vitest";
import { FaultInjector } from "../../../src/dev/aws-sim/faults.js";
import { seededRandom } from "../../../src/dev/aws-sim/rng.js";

function tally(injector: FaultInjector, key: string, n: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i += 1) {
    const outcome = injector.decide(key);
    counts[outcome] = (counts[outcome] ?? 0) + 1;
  }
  return counts;
}

describe("FaultInjector", () => {
  it("reproduces the exact same outcomes from the same seed", () => {
    const a = new FaultInjector(seededRandom(42));
    const b = new FaultInjector(seededRandom(42));
    const settings = { throttlePercent: 10, serverErrorPercent: 10, dropPercent: 5 };
    a.set(settings);
    b.set(settings);
    const seqA = Array.from({ length: 200 }, () => a.decide("ecs:CreateService"));
    const seqB = Array.from({ length: 200 }, () => b.decide("ecs:CreateService"));
    expect(seqA).toEqual(seqB);
  });

  it("injects close to the configured percentages", () => {
    const injector = new FaultInjector(seededRandom(7));
    injector.set({ throttlePercent: 20, serverErrorPercent: 10 });
    const counts = tally(injector, "ecs:UpdateService", 10_000);
    expect(counts.throttle).toBeGreaterThan(1_800);
    expect(counts.throttle).toBeLessThan(2_200);
    expect(counts.serverError).toBeGreaterThan(850);
    expect(counts.serverError).toBeLessThan(1_150);
    expect(counts.drop).toBeUndefined();
  });

  it("limits faults to the listed operations and adds their latency only", () => {
    const injector = new FaultInjector(seededRandom(1));
    injector.set({
      serverErrorPercent: 100,
      latencyMs: 30,
      operations: ["servicediscovery:RegisterInstance"],
    });
    expect(tally(injector, "ecs:CreateService", 50)).toEqual({ none: 50 });
    expect(tally(injector, "servicediscovery:RegisterInstance", 50)).toEqual({ serverError: 50 });
    expect(injector.latencyFor("ecs:CreateService")).toBe(0);
    expect(injector.latencyFor("servicediscovery:RegisterInstance")).toBe(30);
  });

  it("clamps percentages to 0..100", () => {
    const injector = new FaultInjector(seededRandom(3));
    injector.set({ dropPercent: 250, throttlePercent: -5 });
    expect(injector.settings.dropPercent).toBe(100);
    expect(injector.settings.throttlePercent).toBe(0);
    expect(tally(injector, "ecs:ListTasks", 20)).toEqual({ drop: 20 });
  });
});
