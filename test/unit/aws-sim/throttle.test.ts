import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/clock.js";
import { DEFAULT_ECS_BUCKETS, EcsThrottler, TokenBucket } from "../../../src/dev/aws-sim/throttle.js";

const takeAll = (n: number, take: () => boolean) => Array.from({ length: n }, take).filter(Boolean).length;

describe("TokenBucket", () => {
  it("allows exactly the burst with the clock frozen, then the refill rate per second", () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(clock, { burst: 20, refillPerSecond: 1 });
    expect(takeAll(25, () => bucket.tryTake())).toBe(20);
    clock.advanceSync(999);
    expect(bucket.tryTake()).toBe(false);
    clock.advanceSync(1);
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
    clock.advanceSync(5_000);
    expect(takeAll(10, () => bucket.tryTake())).toBe(5);
  });

  it("never holds more than the burst however long it rests", () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(clock, { burst: 50, refillPerSecond: 5 });
    clock.advanceSync(3_600_000);
    expect(takeAll(60, () => bucket.tryTake())).toBe(50);
  });

  it("refills timeScale times faster per clock second", () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(clock, { burst: 20, refillPerSecond: 1 }, 10);
    expect(takeAll(20, () => bucket.tryTake())).toBe(20);
    clock.advanceSync(1_000);
    expect(takeAll(20, () => bucket.tryTake())).toBe(10);
  });
});

describe("EcsThrottler", () => {
  it("keeps one bucket per category: service writes do not drain RegisterTaskDefinition", () => {
    const clock = new ManualClock();
    const throttler = new EcsThrottler(clock, { enabled: true, timeScale: 1 });
    expect(takeAll(60, () => throttler.admit("CreateService"))).toBe(DEFAULT_ECS_BUCKETS.serviceWrite.burst);
    expect(throttler.admit("UpdateService")).toBe(false);
    expect(throttler.admit("RegisterTaskDefinition")).toBe(true);
    clock.advanceSync(1_000);
    expect(takeAll(10, () => throttler.admit("DeleteService"))).toBe(
      DEFAULT_ECS_BUCKETS.serviceWrite.refillPerSecond,
    );
  });

  it("admits everything when disabled and starts from full buckets when enabled again", () => {
    const clock = new ManualClock();
    const throttler = new EcsThrottler(clock, { enabled: false, timeScale: 1 });
    expect(takeAll(500, () => throttler.admit("RegisterTaskDefinition"))).toBe(500);
    throttler.setEnabled(true);
    expect(takeAll(25, () => throttler.admit("RegisterTaskDefinition"))).toBe(20);
    expect(throttler.settings().buckets.taskDefinitionRegister).toEqual({ burst: 20, refillPerSecond: 1 });
  });

  it("applies bucket overrides and never throttles operations outside the table", () => {
    const clock = new ManualClock();
    const throttler = new EcsThrottler(clock, {
      enabled: true,
      timeScale: 1,
      buckets: { serviceRead: { burst: 2, refillPerSecond: 1 } },
    });
    expect(takeAll(5, () => throttler.admit("DescribeServices"))).toBe(2);
    expect(takeAll(500, () => throttler.admit("SomethingElse"))).toBe(500);
  });
});
