import { describe, expect, it } from "vitest";
import { formatDuration, nextDelay, WAIT_BACKOFF } from "../../../src/cli/backoff.js";
import { describeWaitTarget, judgeRecord, parseWaitFor } from "../../../src/cli/wait-condition.js";
import { specHash } from "../../../src/crds/index.js";
import { condition, record } from "./records.js";

const READY = { type: "condition", condition: "Ready", status: "True" } as const;

describe("parseWaitFor", () => {
  it("reads condition=Type, condition=Type=Status (any case) and delete", () => {
    expect(parseWaitFor("condition=Ready")).toEqual(READY);
    expect(parseWaitFor("condition=Stalled=false")).toEqual({
      type: "condition",
      condition: "Stalled",
      status: "False",
    });
    expect(parseWaitFor("condition=ServiceStable=Unknown")).toMatchObject({ status: "Unknown" });
    expect(parseWaitFor("delete")).toEqual({ type: "delete" });
    expect(describeWaitTarget(READY)).toBe("Ready=True");
  });

  it("rejects anything else with the accepted forms", () => {
    expect(() => parseWaitFor("Ready")).toThrow(/condition=Ready/);
    expect(() => parseWaitFor("condition=")).toThrow(/condition=<Type>/);
    expect(() => parseWaitFor("condition=Ready=Yes")).toThrow(/True, False or Unknown/);
    expect(() => parseWaitFor("jsonpath={.status}")).toThrow();
  });
});

describe("judgeRecord", () => {
  it("is met when Ready=True is for the current generation on both counts", () => {
    const r = record("web", {
      generation: 2,
      status: { observedGeneration: 2, conditions: [condition("Ready", "True", 2, "RolloutCompleted")] },
    });
    expect(judgeRecord(r, READY)).toEqual({ state: "met", detail: "Ready=True, generation 2" });
  });

  it("does not count the previous generation's Ready, and says why", () => {
    const r = record("web", {
      generation: 2,
      status: { observedGeneration: 1, conditions: [condition("Ready", "True", 1, "RolloutCompleted")] },
    });
    const verdict = judgeRecord(r, READY);
    expect(verdict.state).toBe("pending");
    expect(verdict).toMatchObject({
      lastSeen: expect.stringMatching(
        /^Ready=True reason=RolloutCompleted, but that is for generation 1 \(status.observedGeneration 1, metadata.generation 2\)/,
      ),
    });
  });

  it("does not count Ready=True for an earlier spec after a hand edit that kept the generation", () => {
    const r = record("web", {
      generation: 2,
      spec: { cluster: "apps", desiredCount: 5 },
      status: {
        observedGeneration: 2,
        observedSpecHash: specHash({ cluster: "apps", desiredCount: 1 }),
        conditions: [condition("Ready", "True", 2, "RolloutComplete")],
      },
    });
    const verdict = judgeRecord(r, READY);
    expect(verdict.state).toBe("pending");
    expect(verdict).toMatchObject({
      lastSeen: expect.stringMatching(
        /^Ready=True reason=RolloutComplete, but the controller has not acted on the current spec yet \(status.observedSpecHash [0-9a-f]{12}, spec hash [0-9a-f]{12}\)$/,
      ),
    });
  });

  it("does not count a status without observedSpecHash (not yet observed by a controller that records it)", () => {
    const r = record("web", {
      generation: 1,
      status: {
        observedGeneration: 1,
        observedSpecHash: undefined,
        conditions: [condition("Ready", "True", 1)],
      },
    });
    expect(judgeRecord(r, READY)).toMatchObject({
      state: "pending",
      lastSeen: expect.stringContaining("status.observedSpecHash none"),
    });
  });

  it("ignores a Stalled=True for an earlier spec after a hand edit (the new spec may fix it)", () => {
    const r = record("web", {
      generation: 1,
      status: {
        observedGeneration: 1,
        observedSpecHash: "0".repeat(64),
        conditions: [condition("Stalled", "True", 1, "InvalidSpec")],
      },
    });
    expect(judgeRecord(r, READY).state).toBe("pending");
  });

  it("needs status.observedGeneration too, not only the condition's own", () => {
    const r = record("web", {
      generation: 2,
      status: { observedGeneration: 1, conditions: [condition("Ready", "True", 2)] },
    });
    expect(judgeRecord(r, READY).state).toBe("pending");
  });

  it("fails at once on Stalled=True for the current generation, with its reason and message", () => {
    const r = record("web", {
      generation: 3,
      status: {
        observedGeneration: 3,
        conditions: [
          condition("Ready", "False", 3, "RolloutFailed", "circuit breaker rolled back"),
          condition("Stalled", "True", 3, "RolloutFailed", "circuit breaker rolled back"),
        ],
      },
    });
    expect(judgeRecord(r, READY)).toEqual({
      state: "failed",
      reason: 'Stalled=True for generation 3 reason=RolloutFailed message="circuit breaker rolled back"',
    });
  });

  it("ignores a Stalled=True left from an older generation (the new spec may fix it)", () => {
    const r = record("web", {
      generation: 4,
      status: { observedGeneration: 3, conditions: [condition("Stalled", "True", 3, "InvalidSpec")] },
    });
    expect(judgeRecord(r, READY).state).toBe("pending");
  });

  it("lets a wait for Stalled itself, or for Ready=False, succeed", () => {
    const r = record("web", {
      status: {
        observedGeneration: 1,
        conditions: [condition("Ready", "False", 1, "InvalidSpec"), condition("Stalled", "True", 1)],
      },
    });
    expect(judgeRecord(r, { type: "condition", condition: "Stalled", status: "True" }).state).toBe("met");
    expect(judgeRecord(r, { type: "condition", condition: "Ready", status: "False" }).state).toBe("met");
  });

  it("describes a record with no status, no such condition, or a suspended spec", () => {
    expect(judgeRecord(record("web"), READY)).toEqual({
      state: "pending",
      lastSeen: "no status yet (the controller has not reported) at generation 1",
    });
    const noCondition = record("web", { status: { observedGeneration: 1, conditions: [] } });
    expect(judgeRecord(noCondition, READY)).toMatchObject({
      lastSeen: "no Ready condition yet at generation 1",
    });
    const suspended = record("web", {
      spec: { suspend: true },
      status: {
        observedGeneration: 1,
        conditions: [
          condition("Ready", "False", 1, "Suspended"),
          condition("Reconciling", "False", 1, "Suspended"),
        ],
      },
    });
    expect(judgeRecord(suspended, READY)).toMatchObject({ lastSeen: expect.stringContaining("suspended") });
  });
});

describe("backoff", () => {
  it("grows by the factor up to the cap and formats durations as people write them", () => {
    const delays = [WAIT_BACKOFF.initialMs];
    for (let i = 0; i < 8; i++) delays.push(nextDelay(delays[delays.length - 1] ?? 0, WAIT_BACKOFF));
    expect(delays.slice(0, 3)).toEqual([200, 300, 450]);
    expect(Math.max(...delays)).toBe(2_000);
    expect([600_000, 300_000, 90_000, 1_000, 250].map(formatDuration)).toEqual([
      "10m",
      "5m",
      "1m30s",
      "1s",
      "250ms",
    ]);
  });
});
