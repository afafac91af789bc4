import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/clock.js";
import {
  BlockingQueries,
  blockingTimeoutMs,
  DEFAULT_WAIT_MS,
  MAX_WAIT_MS,
} from "../../../src/dev/consul-sim/blocking.js";
import { parseGoDuration } from "../../../src/dev/consul-sim/duration.js";

describe("blockingTimeoutMs", () => {
  it("defaults to 5 minutes, caps at 10, and adds jitter below wait/16", () => {
    expect(blockingTimeoutMs(undefined, () => 0)).toBe(DEFAULT_WAIT_MS);
    expect(blockingTimeoutMs(0, () => 0)).toBe(DEFAULT_WAIT_MS);
    expect(blockingTimeoutMs(-5, () => 0)).toBe(DEFAULT_WAIT_MS);
    expect(blockingTimeoutMs(60 * 60_000, () => 0)).toBe(MAX_WAIT_MS);
    expect(blockingTimeoutMs(16_000, () => 0.5)).toBe(16_500);
    expect(blockingTimeoutMs(16_000, () => 0.999_999)).toBeLessThan(17_000);
  });
});

describe("parseGoDuration", () => {
  it("reads Go durations in milliseconds", () => {
    expect(parseGoDuration("10s")).toBe(10_000);
    expect(parseGoDuration("5m")).toBe(300_000);
    expect(parseGoDuration("1m30s")).toBe(90_000);
    expect(parseGoDuration("1.5h")).toBe(5_400_000);
    expect(parseGoDuration("250ms")).toBe(250);
    expect(parseGoDuration("0")).toBe(0);
    expect(parseGoDuration("-1s")).toBe(-1000);
  });

  it("rejects what Go rejects", () => {
    for (const bad of ["", "10", "soon", "5 m", "1x", "m", "-"]) expect(parseGoDuration(bad)).toBeUndefined();
  });
});

describe("BlockingQueries", () => {
  function setup(startIndex: number) {
    const clock = new ManualClock(0);
    const queries = new BlockingQueries(clock);
    const state = { index: startIndex };
    const read = () => ({ value: `v${state.index}`, index: state.index });
    return { clock, queries, state, read };
  }

  it("answers at once for index 0 and for an index behind the current one", async () => {
    const { queries, read } = setup(20);
    await expect(queries.block(read, 0, 1000)).resolves.toEqual({ value: "v20", index: 20 });
    await expect(queries.block(read, 19, 1000)).resolves.toEqual({ value: "v20", index: 20 });
    expect(queries.count()).toBe(0);
  });

  it("hangs at the current index until a change raises it", async () => {
    const { queries, state, read } = setup(20);
    const pending = queries.block(read, 20, 1000);
    expect(queries.count()).toBe(1);
    queries.recheckAll(); // a write that changed nothing this query reads
    expect(queries.count()).toBe(1);
    state.index = 21;
    queries.recheckAll();
    await expect(pending).resolves.toEqual({ value: "v21", index: 21 });
  });

  it("answers with the same index when the wait runs out", async () => {
    const { clock, queries, read } = setup(20);
    const pending = queries.block(read, 20, 1000);
    clock.advanceSync(999);
    expect(queries.count()).toBe(1);
    clock.advanceSync(1);
    await expect(pending).resolves.toEqual({ value: "v20", index: 20 });
  });

  it("holds an index ahead of the current one for the whole wait, then answers with the lower index", async () => {
    const { clock, queries, state, read } = setup(20);
    const pending = queries.block(read, 500, 1000);
    state.index = 21;
    queries.recheckAll();
    expect(queries.count()).toBe(1);
    clock.advanceSync(1000);
    await expect(pending).resolves.toEqual({ value: "v21", index: 21 });
  });

  it("ends hanging queries with the given error, and lets go when the client aborts", async () => {
    const { clock, queries, read } = setup(20);
    const ended = queries.block(read, 20, 1000);
    const controller = new AbortController();
    const aborted = queries.block(read, 20, 1000, controller.signal);
    await queries.whenBlocked(2);
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: "AbortError" });
    queries.endAll(new Error("outage"));
    await expect(ended).rejects.toThrow("outage");
    expect(queries.count()).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });
});
