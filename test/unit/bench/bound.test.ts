/** The bench's pure parts: the DESIGN.md §10 bound, percentiles, budget verdicts, the scaled clock. */
import { describe, expect, it } from "vitest";
import {
  convergenceBound,
  isWriteOperation,
  minimumBoundSeconds,
  type ThrottlingSettings,
} from "../../../bench/lib/bound.js";
import { shippedNodeFlags } from "../../../bench/lib/memory.js";
import { type BenchResults, reportRows } from "../../../bench/lib/report.js";
import { ScaledClock } from "../../../bench/lib/scaled-clock.js";
import { percentile } from "../../../bench/lib/stats.js";
import type { OperationCounters } from "../../../src/dev/aws-sim/index.js";

const THROTTLING: ThrottlingSettings = {
  enabled: true,
  timeScale: 1,
  buckets: {
    taskDefinitionRegister: { burst: 20, refillPerSecond: 1 },
    serviceWrite: { burst: 50, refillPerSecond: 5 },
    serviceRead: { burst: 100, refillPerSecond: 20 },
  },
  operations: {
    RegisterTaskDefinition: "taskDefinitionRegister",
    CreateService: "serviceWrite",
    DescribeServices: "serviceRead",
  },
};

function counter(calls: number, throttled = 0): OperationCounters {
  return {
    calls,
    succeeded: calls - throttled,
    failed: 0,
    throttled,
    injectedThrottles: 0,
    injectedServerErrors: 0,
    dropped: 0,
  };
}

describe("convergenceBound", () => {
  it("takes the slowest category's (admitted − burst) / refill plus the rollout time", () => {
    const bound = convergenceBound(
      {
        "ecs:RegisterTaskDefinition": counter(110, 10),
        "ecs:CreateService": counter(100),
        "ecs:DescribeServices": counter(931, 17),
        "servicediscovery:CreateService": counter(100),
      },
      THROTTLING,
      2,
    );
    expect(bound.limitingCategory).toBe("taskDefinitionRegister");
    expect(bound.byCategory.taskDefinitionRegister?.admitted).toBe(100);
    expect(bound.byCategory.serviceWrite?.seconds).toBe(10);
    expect(bound.byCategory.serviceRead?.seconds).toBeCloseTo(40.7, 5);
    expect(bound.boundSeconds).toBe(82);
  });

  it("moves to the read bucket when describes outgrow the registrations", () => {
    const bound = convergenceBound(
      { "ecs:RegisterTaskDefinition": counter(100), "ecs:DescribeServices": counter(3100) },
      THROTTLING,
      2,
    );
    expect(bound.limitingCategory).toBe("serviceRead");
    expect(bound.boundSeconds).toBe(152);
  });

  it("is only the rollout time when every category stays within its burst", () => {
    expect(convergenceBound({ "ecs:CreateService": counter(10) }, THROTTLING, 2).boundSeconds).toBe(2);
  });
});

describe("minimumBoundSeconds", () => {
  it("is N registrations at 20 + 1/s, or N creates at 50 + 5/s, plus the rollout", () => {
    expect(minimumBoundSeconds(100, THROTTLING, 2)).toBe(82);
    expect(minimumBoundSeconds(500, THROTTLING, 2)).toBe(482);
    expect(minimumBoundSeconds(10, THROTTLING, 2)).toBe(2);
  });
});

describe("isWriteOperation", () => {
  it("counts state-changing ECS and Cloud Map operations only", () => {
    expect(
      ["ecs:UpdateService", "servicediscovery:RegisterInstance", "ecs:TagResource"].map(isWriteOperation),
    ).toEqual([true, true, true]);
    expect(
      ["ecs:DescribeServices", "servicediscovery:GetService", "ecs:ListTaskDefinitions"].map(
        isWriteOperation,
      ),
    ).toEqual([false, false, false]);
  });
});

describe("percentile", () => {
  it("uses the nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeUndefined();
  });
});

describe("reportRows", () => {
  const results: BenchResults = {
    convergence: { services: 100, seconds: 92.7, boundSeconds: 82, ratioToBound: 1.13 },
    steadyState: {
      resyncs: 3,
      awsWriteCalls: 1,
      describeCallsPer10Services: 1,
      cloudMapCallsPer10Services: 20,
    },
    watchLatencyMs: { p50: 126, p99: 1000 },
    consulToCloudMapMs: null,
    cloudMapToConsulMs: null,
    memory: { rssMbAt10k: 290 },
    import: { perDefinitionMs: { p50: 500, p99: 900, max: 950 }, definitions: 40, runs: 3 },
    ui: { pageLoadMsAt1k: { p50: 180, p99: 420, max: 430 }, records: 1000, samples: 30 },
  };
  const verdicts = Object.fromEntries(reportRows(results).map((r) => [r.figure.split(" ")[0], r.verdict]));

  it("applies the DESIGN.md budgets (≤ 1.2, 0 writes, ≤ 1 describe, p99 < 1 s, < 256 MB, import < 500 ms)", () => {
    expect(verdicts["convergence.ratioToBound"]).toBe("pass");
    expect(verdicts["steadyState.awsWriteCalls"]).toBe("FAIL");
    expect(verdicts["steadyState.describeCallsPer10Services"]).toBe("pass");
    expect(verdicts["steadyState.cloudMapCallsPer10Services"]).toBe("FAIL");
    expect(verdicts["watchLatencyMs.p99"]).toBe("FAIL");
    expect(verdicts["memory.rssMbAt10k"]).toBe("FAIL");
    expect(verdicts["consulToCloudMapMs.p99"]).toBe("n/a");
    expect(verdicts["import.perDefinitionMs.p50"]).toBe("FAIL"); // the budget is strictly under 500 ms
    expect(verdicts["ui.pageLoadMsAt1k.p50"]).toBe("pass"); // the median of the loads is what the budget bounds
  });
});

describe("ScaledClock", () => {
  it("runs `scale` times faster than the wall and stays continuous when the scale changes", async () => {
    const clock = new ScaledClock(10);
    const s0 = clock.now();
    const w0 = performance.now();
    await new Promise((r) => setTimeout(r, 20));
    const w1 = performance.now();
    const s1 = clock.now();
    const w2 = performance.now();
    // Simulated time elapsed between two wall readings taken inside / outside it, times the scale.
    expect(s1 - s0).toBeGreaterThanOrEqual((w1 - w0) * 10);
    clock.setScale(1);
    const s2 = clock.now();
    expect(s2).toBeGreaterThanOrEqual(s1);
    await new Promise((r) => setTimeout(r, 20));
    const w3 = performance.now();
    const s3 = clock.now();
    expect(s3 - s2).toBeLessThanOrEqual(performance.now() - w2 + 1e-6);
    expect(s3 - s2).toBeGreaterThan(0);
    expect(w3).toBeGreaterThan(w2);
  });
});

describe("shippedNodeFlags", () => {
  it("reads the image's NODE_OPTIONS from the Dockerfile, so the memory figure is the controller's as shipped", () => {
    expect(shippedNodeFlags()).toEqual(["--max-old-space-size=256"]);
    expect(shippedNodeFlags('FROM node:22-slim\nENV NODE_OPTIONS="--a=1  --b"\n')).toEqual(["--a=1", "--b"]);
  });

  it("refuses a Dockerfile without the line rather than measuring something else", () => {
    expect(() => shippedNodeFlags("FROM node:22-slim\nENV NODE_ENV=production\n")).toThrow(/NODE_OPTIONS/);
  });
});
