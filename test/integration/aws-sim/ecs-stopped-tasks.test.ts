/**
 * Stopped tasks as ECS reports them (DescribeTasks after ListTasks desiredStatus STOPPED): for each way an image
 * can fail in the simulator, ECS's stopCode, stoppedReason, stoppedAt and the failing container's exitCode and
 * reason; kept for an hour, then forgotten as ECS does.
 */
import {
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fargateTaskDefinition, network, type SimHarness, startHarness } from "./support.js";

let h: SimHarness;
beforeEach(async () => {
  h = await startHarness({ rolloutSeconds: 2, stopSeconds: 1, operationSeconds: 1 });
});
afterEach(async () => {
  await h.close();
});

/** Creates a one-task service of `image` with the circuit breaker on. */
async function serviceOf(name: string, image: string): Promise<string> {
  const td = await h.ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition(name, image)));
  const created = await h.ecs.send(
    new CreateServiceCommand({
      cluster: "apps",
      serviceName: name,
      taskDefinition: td.taskDefinition?.taskDefinitionArn,
      desiredCount: 1,
      networkConfiguration: network,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
    }),
  );
  return created.service?.deployments?.[0]?.id ?? "";
}

/** The service's stopped tasks of one deployment, described. */
async function stoppedTasks(name: string, deploymentId: string): Promise<Task[]> {
  const listed = await h.ecs.send(
    new ListTasksCommand({ cluster: "apps", startedBy: deploymentId, desiredStatus: "STOPPED" }),
  );
  const arns = listed.taskArns ?? [];
  if (arns.length === 0) return [];
  const described = await h.ecs.send(new DescribeTasksCommand({ cluster: "apps", tasks: arns }));
  return (described.tasks ?? []).filter((t) => t.group === `service:${name}`);
}

describe("stopped tasks on the simulator", () => {
  it("a crashing image: EssentialContainerExited, the container's exit code 1", async () => {
    const deploymentId = await serviceOf("crash", "web:2-crashloop");
    h.clock.advanceSync(4_000);
    const [task] = await stoppedTasks("crash", deploymentId);
    expect(task).toMatchObject({
      lastStatus: "STOPPED",
      desiredStatus: "STOPPED",
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
      startedBy: deploymentId,
    });
    expect(task?.stoppedAt).toBeInstanceOf(Date);
    expect(task?.containers?.[0]).toMatchObject({ name: "app", lastStatus: "STOPPED", exitCode: 1 });
    expect(task?.containers?.[0]?.reason).toBeUndefined();
  });

  it("a missing image: TaskFailedToStart with CannotPullContainerError in ECS's wording, no exit code", async () => {
    const deploymentId = await serviceOf("pull", "web:2-missing");
    h.clock.advanceSync(4_000);
    const [task] = await stoppedTasks("pull", deploymentId);
    const message =
      "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref " +
      "docker.io/library/web:2-missing: docker.io/library/web:2-missing: not found";
    expect(task).toMatchObject({ stopCode: "TaskFailedToStart", stoppedReason: message });
    expect(task?.startedAt).toBeUndefined();
    expect(task?.containers?.[0]).toMatchObject({ name: "app", lastStatus: "STOPPED", reason: message });
    expect(task?.containers?.[0]?.exitCode).toBeUndefined();
  });

  it("failing health checks: the task runs, turns UNHEALTHY and is stopped by the scheduler", async () => {
    const deploymentId = await serviceOf("sick", "web:2-unhealthy");
    h.clock.advanceSync(2_000);
    const running = await h.ecs.send(new DescribeServicesCommand({ cluster: "apps", services: ["sick"] }));
    // Running, but never counted as healthy: the deployment does not complete on it.
    expect(running.services?.[0]?.deployments?.[0]?.rolloutState).toBe("IN_PROGRESS");
    h.clock.advanceSync(4_000);
    const [task] = await stoppedTasks("sick", deploymentId);
    expect(task).toMatchObject({
      stopCode: "ServiceSchedulerInitiated",
      stoppedReason: "Task failed container health checks",
      healthStatus: "UNHEALTHY",
    });
    expect(task?.startedAt).toBeInstanceOf(Date);
    expect(task?.containers?.[0]).toMatchObject({ healthStatus: "UNHEALTHY", exitCode: 143 });
    const events = running.services?.[0]?.events ?? [];
    const later = await h.ecs.send(new DescribeServicesCommand({ cluster: "apps", services: ["sick"] }));
    expect(events.length).toBeLessThan(later.services?.[0]?.events?.length ?? 0);
    expect(later.services?.[0]?.events?.map((e) => e.message)).toContainEqual(
      expect.stringMatching(/\(service sick\) \(task [0-9a-f]+\) failed container health checks\./),
    );
  });

  it("an out-of-memory kill: exit code 137 and OutOfMemoryError; a failImage call does the same", async () => {
    const deploymentId = await serviceOf("oom", "web:2-oom");
    h.sim.control.failImage("api:7", "oom");
    const apiDeployment = await serviceOf("api", "api:7");
    h.clock.advanceSync(4_000);
    for (const [name, id] of [
      ["oom", deploymentId],
      ["api", apiDeployment],
    ] as const) {
      const [task] = await stoppedTasks(name, id);
      expect(task).toMatchObject({
        stopCode: "EssentialContainerExited",
        stoppedReason: "Essential container in task exited",
      });
      expect(task?.containers?.[0]).toMatchObject({
        exitCode: 137,
        reason: "OutOfMemoryError: Container killed due to memory usage",
      });
    }
    expect(h.sim.control.failingImageModes()).toEqual({ "api:7": "oom" });
  });

  it("keeps stopped tasks listed for an hour, then forgets them", async () => {
    const deploymentId = await serviceOf("gone", "web:2-crashloop");
    h.clock.advanceSync(4_000);
    expect((await stoppedTasks("gone", deploymentId)).length).toBeGreaterThan(0);
    h.clock.advanceSync(61 * 60_000);
    expect(await stoppedTasks("gone", deploymentId)).toEqual([]);
  });
});
