import { describe, expect, it } from "vitest";
import { transitionEvents } from "../../../src/events/transitions.js";

function status(ready: [string, string, string], stalled?: [string, string, string]) {
  const cond = (type: string, [s, reason, message]: [string, string, string]) => ({
    type,
    status: s,
    reason,
    message,
    lastTransitionTime: "2025-01-01T00:00:00.000Z",
    observedGeneration: 1,
  });
  return {
    conditions: [cond("Ready", ready), ...(stalled === undefined ? [] : [cond("Stalled", stalled)])],
  };
}

describe("transitionEvents", () => {
  it("makes the first Ready reason of a record a Normal event (a rollout started)", () => {
    expect(
      transitionEvents(undefined, status(["False", "RolloutInProgress", "deployment 1/3 running"])),
    ).toEqual([{ type: "Normal", reason: "RolloutInProgress", message: "deployment 1/3 running" }]);
  });

  it("makes RolloutFailed a Warning carrying the condition's message", () => {
    const message =
      "deployment ecs-svc/1 failed (Essential container in task exited: exit code 1); rolled back to web:1";
    expect(
      transitionEvents(
        status(["False", "RolloutInProgress", "1/3"]),
        status(["False", "RolloutFailed", message], ["True", "RolloutFailed", message]),
      ),
    ).toEqual([{ type: "Warning", reason: "RolloutFailed", message }]);
  });

  it("stays quiet while only numbers in the message move, and speaks when the reason changes", () => {
    const before = status(["False", "RolloutInProgress", "deployment 1/3 running"]);
    expect(
      transitionEvents(before, status(["False", "RolloutInProgress", "deployment 2/3 running"])),
    ).toEqual([]);
    expect(transitionEvents(before, status(["True", "RolloutComplete", "3/3 running"]))).toEqual([
      { type: "Normal", reason: "RolloutComplete", message: "3/3 running" },
    ]);
  });

  it("says a Normal reason after a Warning is a recovery (lost Consul, then syncing again)", () => {
    const failing = status(["False", "SyncFailing", "toCloudMap: consul unreachable"]);
    expect(transitionEvents(undefined, failing)[0]?.type).toBe("Warning");
    expect(transitionEvents(failing, status(["True", "Syncing", "2 services mirrored"]))).toEqual([
      { type: "Normal", reason: "Syncing", message: "recovered from SyncFailing: 2 services mirrored" },
    ]);
  });

  it("reports a Warning message that changes in words, and Stalled for a reason Ready does not say", () => {
    const before = status(["False", "SyncFailing", "consul unreachable"]);
    expect(transitionEvents(before, status(["False", "SyncFailing", "403 from consul"]))).toHaveLength(1);
    expect(
      transitionEvents(
        status(["False", "Reconciling", "x"]),
        status(["False", "Reconciling", "x"], ["True", "PolicyViolation", "image not allowed"]),
      ),
    ).toEqual([{ type: "Warning", reason: "PolicyViolation", message: "image not allowed" }]);
  });

  it("ignores statuses without conditions", () => {
    expect(transitionEvents(undefined, {})).toEqual([]);
    expect(transitionEvents({ conditions: "bad" }, { conditions: [{}] })).toEqual([]);
  });
});
