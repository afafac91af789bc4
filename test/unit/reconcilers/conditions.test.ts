import { describe, expect, it } from "vitest";
import type { Condition } from "../../../src/crds/meta.js";
import {
  ConditionType,
  findCondition,
  KStatus,
  readyConditions,
  reconcilingConditions,
  removeCondition,
  setCondition,
  setConditions,
  stalledConditions,
  summarizeKStatus,
} from "../../../src/reconcilers/conditions.js";
import { mergeStatus } from "../../../src/reconcilers/status.js";

const T1 = new Date("2025-01-01T00:00:00.000Z");
const T2 = new Date("2025-01-01T00:05:00.000Z");

describe("setCondition", () => {
  it("stamps a new condition with now", () => {
    const out = setCondition(
      undefined,
      { type: "Ready", status: "False", reason: "Creating", message: "m", observedGeneration: 1 },
      T1,
    );
    expect(out).toEqual([
      {
        type: "Ready",
        status: "False",
        reason: "Creating",
        message: "m",
        lastTransitionTime: T1.toISOString(),
        observedGeneration: 1,
      },
    ]);
  });

  it("keeps lastTransitionTime when the status does not change, but moves reason, message and generation", () => {
    const first = setCondition(
      [],
      { type: "Ready", status: "False", reason: "Creating", message: "a", observedGeneration: 1 },
      T1,
    );
    const second = setCondition(
      first,
      { type: "Ready", status: "False", reason: "Waiting", message: "b", observedGeneration: 2 },
      T2,
    );
    expect(second[0]).toMatchObject({
      reason: "Waiting",
      message: "b",
      observedGeneration: 2,
      lastTransitionTime: T1.toISOString(),
    });
  });

  it("moves lastTransitionTime when the status changes", () => {
    const first = setCondition(
      [],
      { type: "Ready", status: "False", reason: "Creating", message: "", observedGeneration: 1 },
      T1,
    );
    const second = setCondition(
      first,
      { type: "Ready", status: "True", reason: "Ready", message: "", observedGeneration: 1 },
      T2,
    );
    expect(second[0]?.lastTransitionTime).toBe(T2.toISOString());
  });

  it("does not mutate its input and keeps order", () => {
    const input: Condition[] = setConditions([], readyConditions(1, "Ok", "fine"), T1);
    const snapshot = structuredClone(input);
    const out = setCondition(
      input,
      { type: "Reconciling", status: "True", reason: "Update", message: "", observedGeneration: 2 },
      T2,
    );
    expect(input).toEqual(snapshot);
    expect(out.map((c) => c.type)).toEqual(["Ready", "Reconciling", "Stalled"]);
    expect(removeCondition(out, "Reconciling").map((c) => c.type)).toEqual(["Ready", "Stalled"]);
  });
});

describe("kstatus helpers", () => {
  it("summarizes Current, InProgress and Failed, counting only conditions of the current generation", () => {
    const ready = setConditions([], readyConditions(3, "Ready", "ok"), T1);
    expect(summarizeKStatus(ready, 3)).toBe(KStatus.Current);
    expect(summarizeKStatus(ready, 4)).toBe(KStatus.InProgress);
    const stalled = setConditions(ready, stalledConditions(4, "InvalidSpec", "bad"), T2);
    expect(summarizeKStatus(stalled, 4)).toBe(KStatus.Failed);
    expect(findCondition(stalled, ConditionType.Ready)?.status).toBe("False");
    const progressing = setConditions(stalled, reconcilingConditions(5, "Rollout", "rolling"), T2);
    expect(summarizeKStatus(progressing, 5)).toBe(KStatus.InProgress);
    expect(summarizeKStatus(undefined, 1)).toBe(KStatus.Unknown);
  });
});

describe("mergeStatus", () => {
  it("sets fields, removes undefined ones, raises observedGeneration and merges conditions", () => {
    const current = {
      serviceArn: "arn:1",
      stale: "x",
      conditions: setConditions([], readyConditions(1, "Ready", ""), T1),
    };
    const next = mergeStatus(
      current,
      { fields: { serviceArn: "arn:2", stale: undefined }, observedGeneration: 2 },
      T2,
    );
    expect(next).toEqual({ serviceArn: "arn:2", observedGeneration: 2, conditions: current.conditions });
  });
});
