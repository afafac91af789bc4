import { describe, expect, it } from "vitest";
import { ManualClock, settle } from "../../../src/clock.js";
import { DEDUPE_WINDOW_MS, type EventMetrics, EventRecorder } from "../../../src/events/recorder.js";
import { silentLogger } from "../../../src/log.js";
import { EventType, type InvolvedObject } from "../../../src/store/events.js";
import { MemoryEvents } from "../../support/memory-events.js";

const WEB: InvolvedObject = { kind: "FargateService", namespace: "team-a", name: "web" };

function setup(options: { flushAtSeries?: number; maxPendingSeries?: number } = {}) {
  const clock = new ManualClock();
  const events = new MemoryEvents();
  const counted: Record<string, number> = {};
  const metrics: EventMetrics = {
    recorded: (type, reason) => {
      counted[`${type}/${reason}`] = (counted[`${type}/${reason}`] ?? 0) + 1;
    },
    written: (result, count = 1) => {
      counted[result] = (counted[result] ?? 0) + count;
    },
  };
  const recorder = new EventRecorder({ events, clock, log: silentLogger(), metrics, ...options });
  return { clock, events, counted, recorder };
}

describe("EventRecorder", () => {
  it("writes nothing during the pass and one series per repeat after the flush interval", async () => {
    const { clock, events, recorder, counted } = setup();
    for (let i = 0; i < 3; i += 1) recorder.record(WEB, EventType.Warning, "RolloutFailed", "exit code 1");
    recorder.record(WEB, EventType.Normal, "ServiceUpdated", "updated");
    expect(events.writes).toBe(0);
    await clock.advance(1000);
    const listed = await events.list({ namespace: "team-a" });
    expect(listed.map((e) => [e.reason, e.count])).toEqual(
      expect.arrayContaining([
        ["RolloutFailed", 3],
        ["ServiceUpdated", 1],
      ]),
    );
    expect(events.writes).toBe(2);
    expect(counted).toMatchObject({ "Warning/RolloutFailed": 3, created: 2 });
  });

  it("bumps count and lastTimestamp of a series repeated within 10 minutes, and starts a new one after", async () => {
    const { clock, events, recorder, counted } = setup();
    recorder.record(WEB, EventType.Warning, "AwsThrottled", "slow down");
    await recorder.flush();
    await clock.advance(5 * 60_000);
    recorder.record(WEB, EventType.Warning, "AwsThrottled", "slow down");
    await recorder.flush();
    let listed = await events.list({ namespace: "team-a" });
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      count: 2,
      firstTimestamp: "2025-01-01T00:00:00.000Z",
      lastTimestamp: "2025-01-01T00:05:00.000Z",
    });
    expect(counted.updated).toBe(1);
    await clock.advance(DEDUPE_WINDOW_MS + 1);
    recorder.record(WEB, EventType.Warning, "AwsThrottled", "slow down");
    await recorder.flush();
    listed = await events.list({ namespace: "team-a" });
    expect(listed.map((e) => e.count)).toEqual([2, 1]);
  });

  it("starts a new series when the one it would bump is gone (expired)", async () => {
    const { events, recorder } = setup();
    recorder.record(WEB, EventType.Normal, "Scaled", "min 1, max 3");
    await recorder.flush();
    events.items.clear();
    recorder.record(WEB, EventType.Normal, "Scaled", "min 1, max 3");
    await recorder.flush();
    expect((await events.list({})).map((e) => e.count)).toEqual([1]);
  });

  it("never throws into the caller and counts failed writes", async () => {
    const { events, recorder, counted } = setup();
    events.failWith = new Error("table unavailable");
    expect(() => recorder.record(WEB, EventType.Normal, "ServiceCreated", "created")).not.toThrow();
    await expect(recorder.flush()).resolves.toBeUndefined();
    expect(counted.failed).toBe(1);
    // A malformed involved object is refused inside, not in the pass.
    expect(() =>
      recorder.record(undefined as unknown as InvolvedObject, EventType.Normal, "X", "y"),
    ).not.toThrow();
    events.failWith = undefined;
    recorder.record(WEB, EventType.Normal, "ServiceCreated", "created");
    await recorder.flush();
    expect(await events.list({ namespace: "team-a" })).toHaveLength(1);
  });

  it("flushes at once when enough series wait, and drops (counted) beyond its buffer", async () => {
    const { events, recorder, counted } = setup({ flushAtSeries: 2, maxPendingSeries: 2 });
    recorder.record(WEB, EventType.Normal, "A", "a");
    recorder.record(WEB, EventType.Normal, "B", "b");
    // The size flush runs without waiting for the timer.
    await settle();
    expect(recorder.pendingCount()).toBe(0);
    expect(events.items.size).toBe(2);

    const full = setup({ flushAtSeries: 100, maxPendingSeries: 2 });
    for (const reason of ["A", "B", "C", "D"]) full.recorder.record(WEB, EventType.Normal, reason, reason);
    await full.recorder.flush();
    expect(full.events.items.size).toBe(2);
    expect(full.counted.dropped).toBe(2);
    expect(counted.dropped).toBeUndefined();
  });

  it("writes what waits when stopped, and records nothing after", async () => {
    const { events, recorder } = setup();
    recorder.record(WEB, EventType.Normal, "Deleted", "gone");
    await recorder.stop();
    expect(events.items.size).toBe(1);
    recorder.record(WEB, EventType.Normal, "Late", "after stop");
    await recorder.flush();
    expect(events.items.size).toBe(1);
  });

  it("keeps secrets out of messages", async () => {
    const { events, recorder } = setup();
    recorder.record(WEB, EventType.Warning, "SyncFailing", "consul said: X-Consul-Token: abc-123 refused");
    await recorder.flush();
    const [event] = await events.list({});
    expect(event?.message).not.toContain("abc-123");
  });
});
