import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/clock.js";
import {
  DEFAULT_FAILURE_RATE_LIMITS,
  ExponentialBackoff,
  FailureRateLimiter,
  TokenBucket,
} from "../../../src/runtime/rate-limit.js";
import { Priority, WorkQueue } from "../../../src/runtime/workqueue.js";

function makeQueue(clock = new ManualClock()) {
  const depths: number[] = [];
  const latencies: number[] = [];
  const queue = new WorkQueue<string>({
    clock,
    rateLimiter: new FailureRateLimiter<string>(DEFAULT_FAILURE_RATE_LIMITS, clock),
    observer: { depth: (n) => depths.push(n), latency: (s) => latencies.push(s) },
  });
  return { queue, clock, depths, latencies };
}

/** Resolves the promise's value if it settled within one macrotask turn, else "pending". */
async function peek<T>(promise: Promise<T>): Promise<T | "pending"> {
  return Promise.race([promise, new Promise<"pending">((r) => setImmediate(() => r("pending")))]);
}

describe("WorkQueue", () => {
  it("queues a waiting key once", async () => {
    const { queue } = makeQueue();
    queue.add("a");
    queue.add("a");
    queue.add("b");
    queue.add("a");
    expect(queue.length).toBe(2);
    expect(await queue.get()).toBe("a");
    expect(await queue.get()).toBe("b");
    expect(queue.length).toBe(0);
  });

  it("never hands a key to two workers; a key added while handled comes back after done", async () => {
    const { queue } = makeQueue();
    queue.add("a");
    expect(await queue.get()).toBe("a");
    queue.add("a");
    queue.add("a");
    expect(queue.length).toBe(0);
    const second = queue.get();
    expect(await peek(second)).toBe("pending");
    queue.done("a");
    expect(await peek(second)).toBe("a");
    queue.done("a");
    expect(queue.length).toBe(0);
    expect(queue.inFlight).toBe(0);
  });

  it("hands out a key not re-added after done only once", async () => {
    const { queue } = makeQueue();
    queue.add("a");
    await queue.get();
    queue.done("a");
    expect(await peek(queue.get())).toBe("pending");
  });

  it("gives changed records (high) before resync work (low), and raises a waiting low key to high", async () => {
    const { queue } = makeQueue();
    queue.add("r1", Priority.Low);
    queue.add("r2", Priority.Low);
    queue.add("c1", Priority.High);
    queue.add("r2", Priority.High);
    queue.add("c1", Priority.Low); // never lowers
    expect(queue.length).toBe(3);
    expect([await queue.get(), await queue.get(), await queue.get()]).toEqual(["c1", "r2", "r1"]);
  });

  it("gives a pass's own requeue (a rollout being followed) before changed records and resync work", async () => {
    const { queue, clock } = makeQueue();
    queue.add("new-1", Priority.High);
    queue.add("new-2", Priority.High);
    queue.add("resync", Priority.Low);
    queue.addAfter("rolling", 5_000, Priority.Requeued);
    await clock.advance(5_000);
    queue.add("new-3", Priority.High);
    queue.add("new-2", Priority.Requeued); // raised past the other new records
    queue.add("rolling", Priority.Low); // never lowered
    const order = [];
    for (let i = 0; i < 5; i += 1) order.push(await queue.get());
    expect(order).toEqual(["rolling", "new-2", "new-1", "new-3", "resync"]);
  });

  it("keeps the raised priority of a key re-added while it is handled", async () => {
    const { queue } = makeQueue();
    queue.add("a", Priority.Low);
    expect(await queue.get()).toBe("a");
    queue.add("a", Priority.Low);
    queue.add("a", Priority.High);
    queue.add("b", Priority.Low);
    queue.done("a");
    expect(await queue.get()).toBe("a");
  });

  it("delays addAfter and keeps the earliest time per key", async () => {
    const { queue, clock } = makeQueue();
    queue.addAfter("a", 5000);
    queue.addAfter("a", 1000);
    queue.addAfter("a", 9000);
    expect(queue.delayedCount).toBe(1);
    await clock.advance(999);
    expect(queue.length).toBe(0);
    await clock.advance(1);
    expect(queue.length).toBe(1);
    await clock.advance(10_000);
    expect(queue.length).toBe(1);
  });

  it("backs off failures per key exponentially, capped, and forget resets", () => {
    const { queue } = makeQueue();
    const delays = Array.from({ length: 12 }, () => queue.addRateLimited("a"));
    expect(delays.slice(0, 5)).toEqual([1000, 2000, 4000, 8000, 16000]);
    expect(delays.at(-1)).toBe(300_000);
    expect(queue.retries("a")).toBe(12);
    expect(queue.addRateLimited("b")).toBe(1000);
    queue.forget("a");
    expect(queue.retries("a")).toBe(0);
    expect(queue.addRateLimited("a")).toBe(1000);
  });

  it("uses a TemporaryError's minimum delay when it is longer than the backoff", () => {
    const { queue } = makeQueue();
    expect(queue.addRateLimited("a", 30_000)).toBe(30_000);
    expect(queue.addRateLimited("a", 10)).toBe(2000);
  });

  it("drops waiting and delayed keys on shutdown and releases blocked getters", async () => {
    const { queue, clock } = makeQueue();
    const blocked = queue.get();
    queue.shutDown();
    expect(await blocked).toBeUndefined();
    queue.add("a");
    queue.addAfter("b", 10);
    await clock.advance(100);
    expect(queue.length).toBe(0);
    expect(await queue.get()).toBeUndefined();
  });

  it("reports depth and latency", async () => {
    const { queue, clock, depths, latencies } = makeQueue();
    queue.add("a");
    queue.add("b");
    await clock.advance(250);
    await queue.get();
    expect(depths).toEqual([1, 2, 1]);
    expect(latencies).toEqual([0.25]);
  });
});

describe("failure rate limits", () => {
  it("the token bucket allows the burst at once, then paces at the rate", () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(10, 100, clock);
    const delays = Array.from({ length: 103 }, () => bucket.reserve());
    expect(delays.slice(0, 100).every((d) => d === 0)).toBe(true);
    expect(delays.slice(100)).toEqual([100, 200, 300]);
  });

  it("the bucket refills with time", async () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(10, 2, clock);
    bucket.reserve();
    bucket.reserve();
    expect(bucket.reserve()).toBe(100);
    await clock.advance(1000);
    expect(bucket.reserve()).toBe(0);
  });

  it("a failure waits for the larger of its backoff and the global bucket", () => {
    const clock = new ManualClock();
    const limiter = new FailureRateLimiter<string>(
      { baseDelayMs: 10, maxDelayMs: 1000, ratePerSecond: 1, burst: 1 },
      clock,
    );
    expect(limiter.when("a")).toBe(10);
    expect(limiter.when("b")).toBe(1000);
    expect(limiter.when("c")).toBe(2000);
  });

  it("exponential backoff never overflows", () => {
    const backoff = new ExponentialBackoff<string>(1000, 60_000);
    let last = 0;
    for (let i = 0; i < 2000; i++) last = backoff.when("k");
    expect(last).toBe(60_000);
  });
});
