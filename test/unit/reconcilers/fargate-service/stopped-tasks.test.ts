/**
 * Why a rollout's tasks stopped: when the controller reads stopped tasks (only while a rollout fails or its
 * tasks keep stopping), how it groups ECS's reasons, and the short sentence the conditions quote.
 */
import { describe, expect, it } from "vitest";
import type { EcsTask } from "../../../../src/aws/types.js";
import type { FargateServiceStatus, StoppedTasksSummary } from "../../../../src/crds/index.js";
import type { FargateServiceRecord } from "../../../../src/reconcilers/fargate-service/context.js";
import { evaluateRollout } from "../../../../src/reconcilers/fargate-service/rollout.js";
import {
  describeStoppedTasks,
  essentialContainers,
  STOPPED_TASKS_REREAD_MS,
  type StoppedTasksTarget,
  stoppedTasksTarget,
  summarizeStoppedTasks,
} from "../../../../src/reconcilers/fargate-service/stopped-tasks.js";
import { deployment, service, T0, tdArn } from "./ecs-fixtures.js";

const OURS = tdArn(2);
const D_NEW = "ecs-svc/1000000000000000002";
const FAILED: StoppedTasksTarget = { deploymentId: D_NEW, failedTasks: 3, final: true };
const PULL =
  "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref " +
  "docker.io/library/web:2-missing: docker.io/library/web:2-missing: not found";

function task(over: Partial<EcsTask>, at = T0): EcsTask {
  return { startedBy: D_NEW, lastStatus: "STOPPED", stoppedAt: new Date(at), ...over };
}

const crashed = (at = T0): EcsTask =>
  task(
    {
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
      containers: [
        { name: "web", exitCode: 1 },
        { name: "log-router", exitCode: 0 },
        { name: "vault-agent", exitCode: 0 },
      ],
    },
    at,
  );

const summarize = (tasks: EcsTask[], target = FAILED) =>
  summarizeStoppedTasks(tasks, ["web", "vault-agent"], target, T0 + 60_000);

describe("describeStoppedTasks", () => {
  it("quotes ECS's stop code, stopped reason and the failing essential container's exit code, once per reason", () => {
    const summary = summarize([crashed(), crashed(T0 + 1), crashed(T0 + 2)]);
    expect(describeStoppedTasks(summary)).toBe(
      "3 tasks stopped: EssentialContainerExited: Essential container in task exited (container web: exit code 1)",
    );
    expect(summary).toMatchObject({ deploymentId: D_NEW, stopped: 3, final: true, latest: 0 });
  });

  it("says a CannotPullContainerError once although the container repeats it, without an exit code", () => {
    const pull = task({
      stopCode: "TaskFailedToStart",
      stoppedReason: PULL,
      containers: [{ name: "web", reason: PULL }],
    });
    expect(describeStoppedTasks(summarize([pull]))).toBe(`1 task stopped: TaskFailedToStart: ${PULL}`);
  });

  it("names an out-of-memory kill and failed health checks with the container's code and reason", () => {
    const oom = task({
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
      containers: [
        { name: "web", exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage" },
      ],
    });
    const sick = task({
      stopCode: "ServiceSchedulerInitiated",
      stoppedReason: "Task failed container health checks",
      containers: [{ name: "web", exitCode: 143 }],
    });
    expect(describeStoppedTasks(summarize([oom, oom, sick]))).toBe(
      "2 tasks stopped: EssentialContainerExited: Essential container in task exited (container web: exit code 137, " +
        "OutOfMemoryError: Container killed due to memory usage); 1 task stopped: ServiceSchedulerInitiated: Task " +
        "failed container health checks (container web: exit code 143)",
    );
  });

  it("leaves out the deployment's own scale-downs, and counts reasons beyond three", () => {
    const scaled = task({
      stopCode: "ServiceSchedulerInitiated",
      stoppedReason: "Scaling activity initiated by (deployment ecs-svc/1000000000000000002)",
    });
    const odd = (n: number) =>
      task({ stoppedReason: `reason ${n}`, containers: [{ name: "web", exitCode: n }] });
    const summary = summarize([scaled, crashed(), crashed(), odd(2), odd(3), odd(4)]);
    expect(summary.stopped).toBe(5);
    expect(summary.groups).toHaveLength(3);
    expect(describeStoppedTasks(summary)).toMatch(/^2 tasks stopped: .*; 1 task stopped for other reasons$/);
    expect(describeStoppedTasks(summarize([scaled]))).toBeUndefined();
  });

  it("keeps every quote bounded and masks credentials in a URL", () => {
    const long = task({
      stoppedReason: `CannotPullContainerError: https://bob:hunter2@registry/${"x".repeat(2000)}`,
    });
    const sentence = describeStoppedTasks(summarize([long])) ?? "";
    expect(sentence).not.toContain("hunter2");
    expect(sentence).toContain("https://***@registry/");
    expect(sentence.length).toBeLessThanOrEqual(700);
  });

  it("falls back to the containers that ended badly when no name is the spec's (an adopted service)", () => {
    const other = task({
      stoppedReason: "Essential container in task exited",
      containers: [
        { name: "sidecar", exitCode: 0 },
        { name: "main", exitCode: 2 },
      ],
    });
    expect(describeStoppedTasks(summarize([other]))).toBe(
      "1 task stopped: Essential container in task exited (container main: exit code 2)",
    );
  });
});

describe("stoppedTasksTarget: reads only while a rollout fails or its tasks keep stopping", () => {
  const steady = service([deployment({ rolloutState: "COMPLETED", runningCount: 3 })]);
  const failing = (failedTasks: number) => service([deployment({ failedTasks })]);
  const failed = service([
    deployment({ id: "ecs-svc/3", taskDefinition: tdArn(1) }),
    deployment({ status: "ACTIVE", rolloutState: "FAILED", failedTasks: 3 }),
  ]);
  const recorded = (stoppedTasks?: Partial<StoppedTasksSummary>): FargateServiceStatus["rollout"] => ({
    state: "IN_PROGRESS",
    deploymentId: D_NEW,
    startedAt: new Date(T0).toISOString(),
    ...(stoppedTasks === undefined
      ? {}
      : {
          stoppedTasks: {
            deploymentId: D_NEW,
            failedTasks: 1,
            observedAt: new Date(T0).toISOString(),
            stopped: 1,
            groups: [],
            ...stoppedTasks,
          },
        }),
  });

  it("never for a steady service or a rollout without failed tasks", () => {
    expect(stoppedTasksTarget(undefined, steady, OURS, T0)).toBeUndefined();
    expect(stoppedTasksTarget(undefined, failing(0), OURS, T0)).toBeUndefined();
  });

  it("for a FAILED deployment once (final), and for a rolled-back one that is gone", () => {
    expect(stoppedTasksTarget(recorded(), failed, OURS, T0)).toEqual(FAILED);
    expect(stoppedTasksTarget(recorded({ final: true, failedTasks: 3 }), failed, OURS, T0)).toBeUndefined();
    const gone = service([deployment({ id: "ecs-svc/3", taskDefinition: tdArn(1) })]);
    expect(stoppedTasksTarget(recorded(), gone, OURS, T0)).toEqual({
      deploymentId: D_NEW,
      failedTasks: 0,
      final: true,
    });
  });

  it("while tasks keep failing: again only when more failed and the last read is old enough", () => {
    expect(stoppedTasksTarget(recorded(), failing(1), OURS, T0)).toMatchObject({ final: false });
    const last = recorded({ failedTasks: 1 });
    expect(stoppedTasksTarget(last, failing(1), OURS, T0 + STOPPED_TASKS_REREAD_MS)).toBeUndefined();
    expect(stoppedTasksTarget(last, failing(2), OURS, T0 + 1_000)).toBeUndefined();
    expect(stoppedTasksTarget(last, failing(2), OURS, T0 + STOPPED_TASKS_REREAD_MS)).toMatchObject({
      failedTasks: 2,
    });
  });
});

describe("the rollout messages", () => {
  const summary = summarize([crashed(), crashed(T0 + 5)], {
    deploymentId: D_NEW,
    failedTasks: 2,
    final: false,
  });

  it("a running rollout names the latest stop; a completed one drops it", () => {
    const running = evaluateRollout({
      service: service([deployment({ failedTasks: 2 })]),
      taskDefinitionArn: OURS,
      timeoutSeconds: 900,
      now: T0 + 10_000,
      stoppedTasks: summary,
    });
    expect(running.message).toBe(
      `deployment ${D_NEW} of ${OURS} in progress: 0/3 tasks running; 2 tasks stopped so far, latest: ` +
        "EssentialContainerExited: Essential container in task exited (container web: exit code 1)",
    );
    expect(running.stoppedTasks).toBe(summary);
    const completed = evaluateRollout({
      service: service([deployment({ rolloutState: "COMPLETED", runningCount: 3 })], { runningCount: 3 }),
      taskDefinitionArn: OURS,
      timeoutSeconds: 900,
      now: T0 + 10_000,
      stoppedTasks: summary,
    });
    expect(completed.message).not.toContain("stopped");
    expect(completed.stoppedTasks).toBeUndefined();
  });

  it("a failed rollout quotes every reason; a summary of another deployment is not quoted", () => {
    const failed = service([deployment({ rolloutState: "FAILED", failedTasks: 2 })]);
    const input = { service: failed, taskDefinitionArn: OURS, timeoutSeconds: 900, now: T0 };
    expect(evaluateRollout({ ...input, stoppedTasks: summary }).message).toMatch(
      /failed: .*; 2 tasks stopped: EssentialContainerExited: Essential container in task exited \(container web: exit code 1\)$/,
    );
    const other = { ...summary, deploymentId: "ecs-svc/9" };
    expect(evaluateRollout({ ...input, stoppedTasks: other }).message).not.toContain("tasks stopped");
  });
});

describe("essentialContainers", () => {
  it("are the spec's essential containers and a sidecar Vault agent", () => {
    const record = (vaultMode?: string) =>
      ({
        spec: {
          containers: [
            { name: "web", essential: true },
            { name: "init", essential: false },
          ],
          ...(vaultMode === undefined ? {} : { vault: { mode: vaultMode } }),
        },
      }) as unknown as FargateServiceRecord;
    expect(essentialContainers(record())).toEqual(["web"]);
    expect(essentialContainers(record("sidecar"))).toEqual(["web", "vault-agent"]);
    expect(essentialContainers(record("init"))).toEqual(["web"]);
  });
});
