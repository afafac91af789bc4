import { describe, expect, it } from "vitest";
import {
  changesBetween,
  emptyTerminalView,
  redraw,
  renderPlain,
  renderTerminal,
  rowOf,
  snapshotOf,
} from "../../../src/cli/watch-render.js";
import { condition, record } from "./records.js";

const rollingOut = record("web", {
  generation: 2,
  status: {
    observedGeneration: 2,
    conditions: [condition("Ready", "False", 2, "RolloutInProgress", "deployment\n  1 of 2 tasks running")],
    replicas: { desired: 2, running: 1, pending: 1 },
    rollout: { state: "IN_PROGRESS", deploymentId: "ecs-svc/1", startedAt: "2024-01-01T00:00:00Z" },
  },
});
const ready = record("web", {
  generation: 2,
  status: {
    observedGeneration: 2,
    conditions: [condition("Ready", "True", 2, "RolloutCompleted", "2 of 2 tasks running")],
    replicas: { desired: 2, running: 2, pending: 0 },
    rollout: { state: "COMPLETED", deploymentId: "ecs-svc/1", startedAt: "2024-01-01T00:00:00Z" },
  },
});
const namespaceRecord = record("apps", { kind: "CloudMapNamespace", namespace: "platform", spec: {} });

describe("rowOf", () => {
  it("shows Ready, its reason and one-line message, replicas running/desired and the rollout state", () => {
    expect(rowOf(rollingOut)).toEqual({
      key: "FargateService/default/web",
      ref: "fargateservice/web",
      namespace: "default",
      ready: "False",
      reason: "RolloutInProgress",
      message: "deployment 1 of 2 tasks running",
      replicas: "1/2",
      rollout: "IN_PROGRESS",
      generation: "2/2",
    });
  });

  it("shows the stage and traffic share of a canary deployment beside its state", () => {
    const canary = record("web", {
      generation: 2,
      status: {
        rollout: {
          state: "IN_PROGRESS",
          deploymentId: "ecs-svc/1",
          startedAt: "2024-01-01T00:00:00Z",
          strategy: "CANARY",
          stage: "PRODUCTION_TRAFFIC_SHIFT",
          trafficPercent: 20,
        },
      },
    });
    expect(rowOf(canary).rollout).toBe("IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT 20%");
  });

  it("shows a record before the controller reports, one being deleted, and kinds without replicas", () => {
    expect(rowOf(record("new", { generation: 1 }))).toMatchObject({
      ready: "-",
      replicas: "0/2",
      rollout: "-",
      generation: "-/1",
    });
    expect(rowOf(record("old", { deletionTimestamp: "2024-01-02T00:00:00Z" })).ready).toBe("Terminating");
    expect(rowOf(namespaceRecord)).toMatchObject({
      replicas: "-",
      rollout: "-",
      ref: "cloudmapnamespace/apps",
    });
  });
});

describe("changesBetween", () => {
  it("reports added, modified and deleted records, and nothing for an unchanged poll", () => {
    const first = snapshotOf([rollingOut]);
    expect(changesBetween(new Map(), first).map((c) => c.type)).toEqual(["added"]);
    expect(changesBetween(first, snapshotOf([rollingOut]))).toEqual([]);
    expect(changesBetween(first, snapshotOf([ready, namespaceRecord])).map((c) => c.type)).toEqual([
      "modified",
      "added",
    ]);
    const gone = changesBetween(first, new Map());
    expect(gone).toMatchObject([{ type: "deleted", row: { ready: "Deleted", ref: "fargateservice/web" } }]);
  });

  it("ignores writes that change nothing shown (a resourceVersion bump alone)", () => {
    const bumped = { ...rollingOut, metadata: { ...rollingOut.metadata, resourceVersion: "9" } };
    expect(changesBetween(snapshotOf([rollingOut]), snapshotOf([bumped]))).toEqual([]);
  });
});

describe("renderPlain", () => {
  it("prints a header and every record first, then one line per change lined up with them", () => {
    const layout = { showNamespace: false };
    const first = renderPlain(undefined, new Map(), snapshotOf([rollingOut]), layout);
    expect(first.lines).toEqual([
      "NAME                 READY   REASON              REPLICAS   ROLLOUT       OBSERVED/GEN   MESSAGE",
      "fargateservice/web   False   RolloutInProgress   1/2        IN_PROGRESS   2/2            deployment 1 of 2 tasks running",
    ]);
    const next = renderPlain(first.view, snapshotOf([rollingOut]), snapshotOf([ready]), layout);
    expect(next.lines).toEqual([
      "fargateservice/web   True    RolloutCompleted    2/2        COMPLETED     2/2            2 of 2 tasks running",
    ]);
    expect(renderPlain(next.view, snapshotOf([ready]), snapshotOf([ready]), layout).lines).toEqual([]);
  });

  it("adds a namespace column with -A", () => {
    const [header, line] = renderPlain(undefined, new Map(), snapshotOf([namespaceRecord]), {
      showNamespace: true,
    }).lines;
    expect(header).toMatch(/^NAMESPACE\s+NAME\s+READY/);
    expect(line).toMatch(/^platform\s+cloudmapnamespace\/apps\s+-/);
  });
});

describe("terminal rendering", () => {
  it("draws a block, then rewrites only from the first changed line, keeping first-seen order", () => {
    const layout = { showNamespace: false, width: 200 };
    const other = record("api", {
      status: { observedGeneration: 1, conditions: [condition("Ready", "True", 1)] },
    });
    const first = renderTerminal(emptyTerminalView(), snapshotOf([rollingOut, other]), layout);
    expect(first.view.lines).toHaveLength(3);
    expect(first.output).toBe(first.view.lines.map((l) => `\r\u001b[2K${l}\n`).join(""));

    const second = renderTerminal(first.view, snapshotOf([ready, other]), layout);
    expect(second.view.order).toEqual(first.view.order);
    // web is line 1 of 3: move up 2 lines and redraw web and the line after it.
    expect(second.output.startsWith("\u001b[2A\r\u001b[2K")).toBe(true);
    expect(second.output.split("\n").filter(Boolean)).toHaveLength(2);
    expect(renderTerminal(second.view, snapshotOf([ready, other]), layout).output).toBe("");
  });

  it("keeps a vanished record's line marked Deleted and clips lines to the width", () => {
    const layout = { showNamespace: false, width: 40 };
    const first = renderTerminal(emptyTerminalView(), snapshotOf([rollingOut]), layout);
    const after = renderTerminal(first.view, new Map(), layout);
    expect(after.view.lines[1]).toContain("Deleted");
    for (const line of after.view.lines) expect(line.length).toBeLessThanOrEqual(39);
  });

  it("redraw clears leftover lines when the block shrinks and draws from scratch when empty before", () => {
    expect(redraw(["a", "b", "c"], ["a", "x"])).toBe("\u001b[2A\r\u001b[2Kx\n\u001b[J");
    expect(redraw([], ["a"])).toBe("\r\u001b[2Ka\n");
    expect(redraw(["a"], ["a"])).toBe("");
  });
});
