import { describe, expect, it } from "vitest";
import {
  circuitBreakerThreshold,
  isIdle,
  type PlanDeployment,
  type PlanInput,
  type PlanTask,
  planRollout,
} from "../../../src/dev/aws-sim/ecs/rollout.js";

const primary = (over: Partial<PlanDeployment> = {}): PlanDeployment => ({
  id: "new",
  primary: true,
  rolloutState: "IN_PROGRESS",
  failedTasks: 0,
  ...over,
});
const old: PlanDeployment = { id: "old", primary: false, rolloutState: "COMPLETED", failedTasks: 0 };
const tasks = (deploymentId: string, phase: PlanTask["phase"], n: number, from = 0): PlanTask[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${deploymentId}-${phase}-${from + i}`, deploymentId, phase }));

const input = (over: Partial<PlanInput>): PlanInput => ({
  serviceStatus: "ACTIVE",
  desiredCount: 2,
  minimumHealthyPercent: 100,
  maximumPercent: 200,
  circuitBreaker: { enable: true, rollback: true },
  hasRollbackTarget: false,
  deployments: [primary()],
  tasks: [],
  ...over,
});

describe("planRollout: a new service", () => {
  it("launches the desired count, then completes once they all run", () => {
    expect(planRollout(input({}))).toMatchObject({ kind: "act", launch: 2, complete: false });
    expect(planRollout(input({ tasks: tasks("new", "starting", 2) }))).toMatchObject({
      launch: 0,
      complete: false,
    });
    expect(planRollout(input({ tasks: tasks("new", "running", 2) }))).toMatchObject({
      launch: 0,
      complete: true,
    });
  });

  it("is idle at steady state and completes at once with desiredCount 0", () => {
    const done = input({
      deployments: [primary({ rolloutState: "COMPLETED" })],
      tasks: tasks("new", "running", 2),
    });
    expect(isIdle(planRollout(done))).toBe(true);
    expect(planRollout(input({ desiredCount: 0 }))).toMatchObject({ launch: 0, complete: true });
  });

  it("stops the surplus when desiredCount drops, starting tasks first", () => {
    const decision = planRollout(
      input({
        desiredCount: 1,
        deployments: [primary({ rolloutState: "COMPLETED" })],
        tasks: [...tasks("new", "running", 2), ...tasks("new", "starting", 1)],
      }),
    );
    expect(decision).toMatchObject({ kind: "act", launch: 0 });
    expect(decision.kind === "act" && decision.stop).toEqual(["new-starting-0", "new-running-0"]);
  });
});

describe("planRollout: a rolling update", () => {
  const rolling = (over: Partial<PlanInput>) =>
    input({ deployments: [primary(), old], hasRollbackTarget: true, ...over });

  it("with 100/200 starts all new tasks first and keeps every old one running", () => {
    const decision = planRollout(rolling({ tasks: tasks("old", "running", 2) }));
    expect(decision).toMatchObject({ kind: "act", launch: 2, stop: [], complete: false });
  });

  it("stops old tasks once the new ones run, then retires the old deployment and completes", () => {
    const both = planRollout(
      rolling({ tasks: [...tasks("old", "running", 2), ...tasks("new", "running", 2)] }),
    );
    expect(both).toMatchObject({
      kind: "act",
      launch: 0,
      stop: ["old-running-0", "old-running-1"],
      complete: false,
    });
    const draining = planRollout(
      rolling({ tasks: [...tasks("old", "stopping", 2), ...tasks("new", "running", 2)] }),
    );
    expect(draining).toMatchObject({ stop: [], retire: [], complete: false });
    const drained = planRollout(rolling({ tasks: tasks("new", "running", 2) }));
    expect(drained).toMatchObject({ retire: ["old"], complete: true });
  });

  it("with minimumHealthyPercent 50 and maximumPercent 100 replaces one task at a time", () => {
    const first = planRollout(
      rolling({ minimumHealthyPercent: 50, maximumPercent: 100, tasks: tasks("old", "running", 2) }),
    );
    expect(first).toMatchObject({ launch: 0, stop: ["old-running-0"] });
    const second = planRollout(
      rolling({
        minimumHealthyPercent: 50,
        maximumPercent: 100,
        tasks: [...tasks("old", "stopping", 1), ...tasks("old", "running", 1, 1)],
      }),
    );
    expect(second).toMatchObject({ launch: 1, stop: [] });
  });

  it("stops old tasks that never started without waiting for health", () => {
    const decision = planRollout(
      rolling({ tasks: [...tasks("old", "starting", 1), ...tasks("old", "running", 2)] }),
    );
    expect(decision.kind === "act" && decision.stop).toEqual(["old-starting-0"]);
  });
});

describe("planRollout: the circuit breaker", () => {
  it("fails the rollout at the threshold and rolls back only when enabled and possible", () => {
    const failing = { deployments: [primary({ failedTasks: 3 }), old], tasks: tasks("old", "running", 2) };
    expect(planRollout(input({ ...failing, hasRollbackTarget: true }))).toEqual({
      kind: "fail",
      rollback: true,
    });
    expect(planRollout(input({ ...failing, hasRollbackTarget: false }))).toEqual({
      kind: "fail",
      rollback: false,
    });
    expect(
      planRollout(
        input({ ...failing, hasRollbackTarget: true, circuitBreaker: { enable: true, rollback: false } }),
      ),
    ).toEqual({ kind: "fail", rollback: false });
    expect(
      planRollout(input({ ...failing, circuitBreaker: { enable: false, rollback: false } })),
    ).toMatchObject({
      kind: "act",
      launch: 2,
    });
    expect(planRollout(input({ ...failing, deployments: [primary({ failedTasks: 2 }), old] }))).toMatchObject(
      {
        kind: "act",
      },
    );
  });

  it("launches nothing more for a FAILED deployment without rollback and keeps old tasks", () => {
    const decision = planRollout(
      input({
        deployments: [primary({ rolloutState: "FAILED", failedTasks: 3 }), old],
        tasks: tasks("old", "running", 2),
      }),
    );
    expect(isIdle(decision)).toBe(true);
  });

  it("uses half the desired count, at least 3 and at most 200", () => {
    expect(circuitBreakerThreshold(1)).toBe(3);
    expect(circuitBreakerThreshold(10)).toBe(5);
    expect(circuitBreakerThreshold(11)).toBe(6);
    expect(circuitBreakerThreshold(1_000)).toBe(200);
  });
});

describe("planRollout: deletion", () => {
  it("stops every live task of a DRAINING service and goes INACTIVE once none is left", () => {
    const draining = planRollout(
      input({
        serviceStatus: "DRAINING",
        tasks: [...tasks("new", "running", 1), ...tasks("new", "stopping", 1)],
      }),
    );
    expect(draining).toMatchObject({ stop: ["new-running-0"], inactive: false });
    expect(
      planRollout(input({ serviceStatus: "DRAINING", tasks: tasks("new", "stopping", 1) })),
    ).toMatchObject({
      stop: [],
      inactive: false,
    });
    expect(planRollout(input({ serviceStatus: "DRAINING", tasks: [] }))).toMatchObject({ inactive: true });
  });
});

describe("planRollout: a traffic-shifting deployment holds the previous revision", () => {
  it("scales green to the full count beside blue, beyond maximumPercent, and stops nothing", () => {
    const held = input({
      desiredCount: 3,
      maximumPercent: 100,
      deployments: [primary(), old],
      tasks: tasks("old", "running", 3),
      hold: true,
    });
    expect(planRollout(held)).toMatchObject({ kind: "act", launch: 3, stop: [], complete: false });
  });

  it("does not complete while held, then stops blue and completes once released", () => {
    const both = {
      deployments: [primary(), old],
      tasks: [...tasks("new", "running", 2), ...tasks("old", "running", 2)],
    };
    expect(planRollout(input({ ...both, hold: true }))).toMatchObject({ stop: [], complete: false });
    const released = planRollout(input({ ...both, hold: false }));
    expect(released).toMatchObject({ kind: "act", launch: 0, complete: false });
    expect(released.kind === "act" ? released.stop : []).toEqual(["old-running-0", "old-running-1"]);
    expect(planRollout(input({ tasks: tasks("new", "running", 2), hold: true }))).toMatchObject({
      complete: false,
    });
    expect(planRollout(input({ tasks: tasks("new", "running", 2), hold: false }))).toMatchObject({
      complete: true,
    });
  });
});
