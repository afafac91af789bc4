import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RolloutState } from "../../../../src/crds/index.js";
import {
  evaluateRollout,
  isRolloutComplete,
  isRolloutTerminal,
  isServiceSteady,
  RolloutReason,
} from "../../../../src/reconcilers/fargate-service/rollout.js";
import { type Deployment, deployment, service, T0, tdArn } from "./ecs-fixtures.js";

const OURS = tdArn(2);
const OLD = tdArn(1);
const D_NEW = "ecs-svc/1000000000000000002";
const D_OLD = "ecs-svc/1000000000000000001";
const D_BACK = "ecs-svc/1000000000000000003";
const SECOND = 1000;
const iso = (ms: number) => new Date(ms).toISOString();
const base = { taskDefinitionArn: OURS, timeoutSeconds: 900 };
const replicas = { desired: 3, running: 1, pending: 2 };

describe("evaluateRollout: the PRIMARY deployment runs our task definition", () => {
  it("is COMPLETED only with rolloutState COMPLETED", () => {
    const svc = service([deployment({ rolloutState: "COMPLETED", runningCount: 3 })], {
      runningCount: 3,
      pendingCount: 0,
    });
    expect(evaluateRollout({ ...base, service: svc, now: T0 + 60 * SECOND })).toEqual({
      state: "COMPLETED",
      reason: "RolloutComplete",
      message: `deployment ${D_NEW} of ${OURS} completed: 3/3 tasks running`,
      deploymentId: D_NEW,
      startedAt: iso(T0),
      replicas: { desired: 3, running: 3, pending: 0 },
    });
  });

  it("is IN_PROGRESS with running/desired counts and the deadline before the timeout", () => {
    const svc = service([deployment({ runningCount: 1, pendingCount: 2 })]);
    expect(evaluateRollout({ ...base, service: svc, now: T0 + 899 * SECOND })).toEqual({
      state: "IN_PROGRESS",
      reason: "RolloutInProgress",
      message: `deployment ${D_NEW} of ${OURS} in progress: 1/3 tasks running`,
      deploymentId: D_NEW,
      startedAt: iso(T0),
      deadline: iso(T0 + 900 * SECOND),
      replicas,
    });
  });

  it("is TIMED_OUT once createdAt + timeoutSeconds is reached", () => {
    const svc = service([deployment({ runningCount: 1 })]);
    expect(evaluateRollout({ ...base, service: svc, now: T0 + 900 * SECOND })).toEqual({
      state: "TIMED_OUT",
      reason: "RolloutTimedOut",
      message: `deployment ${D_NEW} of ${OURS} did not complete within 900s (started ${iso(T0)}): 1/3 tasks running`,
      deploymentId: D_NEW,
      startedAt: iso(T0),
      deadline: iso(T0 + 900 * SECOND),
      replicas,
    });
  });

  it("counts from previous.startedAt only when the deployment id matches", () => {
    const svc = service([deployment()]);
    const earlier = iso(T0 - 600 * SECOND);
    const now = T0 + 400 * SECOND;
    const same = evaluateRollout({
      ...base,
      service: svc,
      now,
      previous: { deploymentId: D_NEW, startedAt: earlier, state: "IN_PROGRESS" },
    });
    expect(same).toMatchObject({ state: "TIMED_OUT", startedAt: earlier });
    const other = evaluateRollout({
      ...base,
      service: svc,
      now,
      previous: { deploymentId: D_OLD, startedAt: earlier, state: "COMPLETED" },
    });
    expect(other).toMatchObject({ state: "IN_PROGRESS", startedAt: iso(T0) });
    const garbled = evaluateRollout({
      ...base,
      service: svc,
      now,
      previous: { deploymentId: D_NEW, startedAt: "not a date" },
    });
    expect(garbled).toMatchObject({ state: "IN_PROGRESS", startedAt: iso(T0) });
  });

  it("is FAILED with the reason and failed task count when the circuit breaker trips without rollback", () => {
    const failed = deployment({
      rolloutState: "FAILED",
      rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
      failedTasks: 3,
    });
    expect(evaluateRollout({ ...base, service: service([failed]), now: T0 })).toEqual({
      state: "FAILED",
      reason: "RolloutFailed",
      message: `deployment ${D_NEW} of ${OURS} failed: ECS deployment circuit breaker: tasks failed to start. (3 failed tasks)`,
      deploymentId: D_NEW,
      startedAt: iso(T0),
      replicas,
    });
  });

  it("never takes a PRIMARY without rolloutState as done", () => {
    const bare = deployment({ runningCount: 3 });
    delete bare.rolloutState;
    const result = evaluateRollout({ ...base, service: service([bare]), now: T0 });
    expect(result).toMatchObject({ state: "IN_PROGRESS", reason: "RolloutInProgress" });
    expect(result.message).toContain("no rolloutState reported");
  });

  it("follows the PRIMARY even when an older deployment of ours failed earlier", () => {
    const svc = service([
      deployment({ id: D_BACK, rolloutState: "COMPLETED" }),
      deployment({ id: D_NEW, status: "ACTIVE", rolloutState: "FAILED" }),
    ]);
    expect(evaluateRollout({ ...base, service: svc, now: T0 })).toMatchObject({
      state: "COMPLETED",
      deploymentId: D_BACK,
    });
  });
});

describe("evaluateRollout: circuit-breaker rollbacks are failures", () => {
  const rollingBack = deployment({
    id: D_BACK,
    taskDefinition: OLD,
    createdAt: new Date(T0 + 30 * SECOND),
    rolloutStateReason: `ECS deployment circuit breaker: rolling back to deploymentId ${D_OLD}.`,
  });
  const ourFailed = deployment({
    status: "ACTIVE",
    rolloutState: "FAILED",
    rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
    failedTasks: 3,
  });

  it("reports FAILED while ECS rolls back and our deployment is listed FAILED", () => {
    const svc = service([rollingBack, ourFailed], { taskDefinition: OLD });
    expect(evaluateRollout({ ...base, service: svc, now: T0 + 40 * SECOND })).toEqual({
      state: "FAILED",
      reason: "RolloutFailed",
      message: `deployment ${D_NEW} of ${OURS} failed (ECS deployment circuit breaker: tasks failed to start. (3 failed tasks)); rolled back to ${OLD}`,
      deploymentId: D_NEW,
      startedAt: iso(T0),
      replicas,
    });
  });

  it("stays FAILED after the failed deployment is drained away, from the recorded deployment id", () => {
    const svc = service([deployment({ ...rollingBack, rolloutState: "COMPLETED" })], {
      taskDefinition: OLD,
    });
    const previous = { deploymentId: D_NEW, startedAt: iso(T0), state: RolloutState.InProgress };
    const result = evaluateRollout({ ...base, service: svc, now: T0 + 90 * SECOND, previous });
    expect(result).toEqual({
      state: "FAILED",
      reason: "RolloutFailed",
      message: `deployment ${D_NEW} of ${OURS} failed (ECS rolled it back and no longer lists it); rolled back to ${OLD}`,
      deploymentId: D_NEW,
      startedAt: iso(T0),
      replicas,
    });
    // The next pass feeds the FAILED record back: still FAILED.
    const again = evaluateRollout({
      ...base,
      service: svc,
      now: T0 + 120 * SECOND,
      previous: { deploymentId: D_NEW, startedAt: iso(T0), state: RolloutState.Failed },
    });
    expect(again).toMatchObject({ state: "FAILED", reason: "RolloutFailed" });
    expect(again.message).toContain(`rolled back to ${OLD}`);
  });

  it("treats our recorded deployment demoted behind another PRIMARY as rolled back", () => {
    const svc = service([rollingBack, deployment({ status: "ACTIVE" })], { taskDefinition: OLD });
    const previous = { deploymentId: D_NEW, startedAt: iso(T0), state: RolloutState.InProgress };
    expect(evaluateRollout({ ...base, service: svc, now: T0, previous })).toMatchObject({
      state: "FAILED",
      deploymentId: D_NEW,
      message: `deployment ${D_NEW} of ${OURS} failed (it was replaced by deployment ${D_BACK}); rolled back to ${OLD}`,
    });
  });

  it("does not call a later change away from a COMPLETED rollout a rollback (drift: the diff repairs it)", () => {
    const svc = service([deployment({ ...rollingBack, rolloutState: "COMPLETED" })], {
      taskDefinition: OLD,
    });
    const previous = { deploymentId: D_NEW, startedAt: iso(T0), state: RolloutState.Completed };
    expect(evaluateRollout({ ...base, service: svc, now: T0, previous })).toMatchObject({
      state: "IN_PROGRESS",
      reason: "RolloutPending",
    });
  });
});

describe("evaluateRollout: nothing runs our task definition yet", () => {
  it("is pending on a stale observation whose PRIMARY runs the old revision", () => {
    const svc = service([deployment({ id: D_OLD, taskDefinition: OLD, rolloutState: "COMPLETED" })]);
    expect(evaluateRollout({ ...base, service: svc, now: T0 })).toEqual({
      state: "IN_PROGRESS",
      reason: "RolloutPending",
      message: `waiting for ECS to deploy ${OURS}: the PRIMARY deployment ${D_OLD} runs ${OLD}`,
      startedAt: iso(T0),
      deadline: iso(T0 + 900 * SECOND),
      replicas,
    });
  });

  it("is pending while the recorded deployment is still the PRIMARY of another revision (moto keeps it)", () => {
    const svc = service([deployment({ id: D_OLD, taskDefinition: OLD })], { taskDefinition: OURS });
    const previous = { deploymentId: D_OLD, startedAt: iso(T0), state: RolloutState.InProgress };
    expect(evaluateRollout({ ...base, service: svc, now: T0, previous })).toMatchObject({
      state: "IN_PROGRESS",
      reason: "RolloutPending",
    });
  });

  it("is pending with a clear message when ECS lists no deployments (thin moto services)", () => {
    for (const deployments of [undefined, []]) {
      expect(evaluateRollout({ ...base, service: service(deployments), now: T0 })).toEqual({
        state: "IN_PROGRESS",
        reason: "RolloutPending",
        message: `waiting for ECS to deploy ${OURS}: ECS reports no deployments for the service yet`,
        startedAt: iso(T0),
        deadline: iso(T0 + 900 * SECOND),
        replicas,
      });
    }
  });

  it("is pending when no deployment is PRIMARY", () => {
    const svc = service([deployment({ status: "ACTIVE", taskDefinition: OLD })]);
    expect(evaluateRollout({ ...base, service: svc, now: T0 }).message).toBe(
      `waiting for ECS to deploy ${OURS}: no PRIMARY deployment is listed`,
    );
  });

  it("times a recorded wait out like a deployment", () => {
    const svc = service([deployment({ id: D_OLD, taskDefinition: OLD })]);
    const previous = { startedAt: iso(T0), state: RolloutState.InProgress };
    expect(evaluateRollout({ ...base, service: svc, now: T0 + 899 * SECOND, previous })).toMatchObject({
      state: "IN_PROGRESS",
      startedAt: iso(T0),
    });
    expect(evaluateRollout({ ...base, service: svc, now: T0 + 900 * SECOND, previous })).toEqual({
      state: "TIMED_OUT",
      reason: "RolloutTimedOut",
      message: `no deployment of ${OURS} started within 900s: the PRIMARY deployment ${D_OLD} runs ${OLD}`,
      startedAt: iso(T0),
      deadline: iso(T0 + 900 * SECOND),
      replicas,
    });
  });

  it("is never complete for a DRAINING service, even with a COMPLETED PRIMARY of ours", () => {
    const svc = service([deployment({ rolloutState: "COMPLETED" })], { status: "DRAINING" });
    const result = evaluateRollout({ ...base, service: svc, now: T0 });
    expect(result).toMatchObject({ state: "IN_PROGRESS", reason: "RolloutPending" });
    expect(result.message).toBe(`waiting for ECS to deploy ${OURS}: the ECS service is DRAINING`);
  });

  it("reads replicas as 0 when ECS leaves the counts out", () => {
    const svc: Parameters<typeof evaluateRollout>[0]["service"] = { status: "ACTIVE" };
    expect(evaluateRollout({ ...base, service: svc, now: T0 }).replicas).toEqual({
      desired: 0,
      running: 0,
      pending: 0,
    });
  });
});

describe("evaluateRollout: the tasks of a COMPLETED deployment", () => {
  const scaled = (running: number, told = 5) =>
    service([deployment({ rolloutState: "COMPLETED", desiredCount: told, runningCount: running })], {
      desiredCount: told,
      runningCount: running,
      pendingCount: Math.max(0, told - running),
    });

  it("is not steady while 1 of 5 tasks runs after a scale-up (ECS keeps the deployment COMPLETED)", () => {
    const result = evaluateRollout({ ...base, service: scaled(1), desiredCount: 5, now: T0 + 60 * SECOND });
    expect(result).toMatchObject({
      state: "COMPLETED",
      reason: "TasksStarting",
      replicas: { desired: 5, running: 1, pending: 4 },
    });
    expect(result.message).toMatch(/^1\/5 tasks running: deployment .* completed, ECS is starting tasks/);
    expect(isServiceSteady(result)).toBe(false);
  });

  it("is steady once 5 of 5 run", () => {
    const result = evaluateRollout({ ...base, service: scaled(5), desiredCount: 5, now: T0 + 60 * SECOND });
    expect(result).toMatchObject({ state: "COMPLETED", reason: "RolloutComplete" });
    expect(result.message).toContain("5/5 tasks running");
    expect(isServiceSteady(result)).toBe(true);
  });

  it("is not steady while ECS was told another count than the spec's, even with all its tasks running", () => {
    const result = evaluateRollout({ ...base, service: scaled(1, 1), desiredCount: 5, now: T0 });
    expect(result.reason).toBe("TasksStarting");
    expect(result.message).toMatch(/^1\/5 tasks running: .* ECS's desiredCount is 1$/);
  });

  it("is not steady while a scale-down stops the extra tasks", () => {
    const result = evaluateRollout({ ...base, service: scaled(5, 2), desiredCount: 2, now: T0 });
    expect(result).toMatchObject({ reason: "TasksStopping" });
    expect(result.message).toMatch(/^5\/2 tasks running/);
  });
});

describe("isRolloutComplete / isRolloutTerminal", () => {
  it.each([
    ["COMPLETED", true, true],
    ["FAILED", false, true],
    ["TIMED_OUT", false, true],
    ["IN_PROGRESS", false, false],
  ] as const)("%s: complete %s, terminal %s", (state, complete, terminal) => {
    expect(isRolloutComplete({ state })).toBe(complete);
    expect(isRolloutTerminal({ state })).toBe(terminal);
  });
});

describe("evaluateRollout: properties", () => {
  const arbDeployment: fc.Arbitrary<Deployment> = fc
    .record({
      id: fc.constantFrom("ecs-svc/1", "ecs-svc/2", "ecs-svc/3", "ecs-svc/4"),
      status: fc.constantFrom("PRIMARY", "ACTIVE"),
      revision: fc.integer({ min: 1, max: 3 }),
      rolloutState: fc.constantFrom("IN_PROGRESS", "COMPLETED", "FAILED", undefined),
      createdAt: fc.integer({ min: T0 - 2000 * SECOND, max: T0 }),
      runningCount: fc.nat(5),
    })
    .map((d) =>
      deployment({
        id: d.id,
        status: d.status,
        taskDefinition: tdArn(d.revision),
        createdAt: new Date(d.createdAt),
        runningCount: d.runningCount,
        ...(d.rolloutState === undefined ? { rolloutState: undefined } : { rolloutState: d.rolloutState }),
      }),
    );
  const arbInput = fc.record({
    deployments: fc.option(fc.array(arbDeployment, { maxLength: 4 }), { nil: undefined }),
    status: fc.constantFrom("ACTIVE", "DRAINING", undefined),
    now: fc.integer({ min: T0, max: T0 + 2000 * SECOND }),
    timeoutSeconds: fc.integer({ min: 1, max: 1800 }),
    previous: fc.option(
      fc.record(
        {
          deploymentId: fc.constantFrom("ecs-svc/1", "ecs-svc/2", "ecs-svc/9"),
          startedAt: fc.integer({ min: T0 - 2000 * SECOND, max: T0 }).map(iso),
          state: fc.constantFrom(...Object.values(RolloutState)),
        },
        { requiredKeys: [] },
      ),
      { nil: undefined },
    ),
  });

  it("says COMPLETED exactly when the ACTIVE service's PRIMARY runs our ARN with rolloutState COMPLETED", () => {
    fc.assert(
      fc.property(arbInput, (x) => {
        const svc = service(x.deployments, x.status === undefined ? {} : { status: x.status });
        if (x.status === undefined) delete svc.status;
        const result = evaluateRollout({
          service: svc,
          taskDefinitionArn: OURS,
          timeoutSeconds: x.timeoutSeconds,
          now: x.now,
          ...(x.previous === undefined ? {} : { previous: x.previous }),
        });
        const primary = x.deployments?.find((d) => d.status === "PRIMARY");
        const expected =
          x.status !== "DRAINING" && primary?.taskDefinition === OURS && primary.rolloutState === "COMPLETED";
        expect(isRolloutComplete(result)).toBe(expected);
        expect(Object.values(RolloutReason)).toContain(result.reason);
        expect(result.message.length).toBeGreaterThan(0);
      }),
    );
  });

  it("says FAILED whenever our deployment is listed FAILED and the PRIMARY runs something else", () => {
    fc.assert(
      fc.property(arbInput, (x) => {
        const deployments = x.deployments ?? [];
        const primary = deployments.find((d) => d.status === "PRIMARY");
        fc.pre(primary !== undefined && primary.taskDefinition !== OURS);
        fc.pre(deployments.some((d) => d.taskDefinition === OURS && d.rolloutState === "FAILED"));
        const result = evaluateRollout({
          service: service(deployments),
          taskDefinitionArn: OURS,
          timeoutSeconds: x.timeoutSeconds,
          now: x.now,
        });
        expect(result.state).toBe("FAILED");
        expect(result.message).toContain(`rolled back to ${primary?.taskDefinition}`);
      }),
    );
  });
});
