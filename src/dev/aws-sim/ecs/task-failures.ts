/**
 * How simulated tasks fail, in ECS's own words (DescribeTasks `stopCode`, `stoppedReason`, and the failing
 * container's `exitCode`/`reason`), so a controller can be tested against what ECS really reports.
 *
 * Conventions (an essential container's image decides): a tag ending `-crashloop` crashes (exit code 1),
 * `-missing` cannot be pulled (CannotPullContainerError), `-unhealthy` runs but fails its container health
 * checks, `-oom` is killed for memory (exit code 137); `control.failImage(image, failure)` does the same for
 * any image.
 */
import type { JsonObject } from "../input.js";
import type { ContainerFacts, EcsTask } from "./state.js";

/** The ways a simulated task can fail. */
export const TaskFailure = {
  /** The essential container exits with code 1 (a crashing image). */
  crash: "crash",
  /** The image cannot be pulled (missing tag or repository). */
  pull: "pull",
  /** The task runs but its container health check never passes. */
  unhealthy: "unhealthy",
  /** The essential container is killed for exceeding its memory. */
  oom: "oom",
} as const;

/** One way a task fails. */
export type TaskFailure = (typeof TaskFailure)[keyof typeof TaskFailure];

const SUFFIXES: ReadonlyArray<readonly [string, TaskFailure]> = [
  ["-crashloop", TaskFailure.crash],
  ["-missing", TaskFailure.pull],
  ["-unhealthy", TaskFailure.unhealthy],
  ["-oom", TaskFailure.oom],
];

/** True when `value` names a failure mode. */
export function isTaskFailure(value: unknown): value is TaskFailure {
  return typeof value === "string" && Object.values(TaskFailure).includes(value as TaskFailure);
}

/** How tasks running `image` fail: a control-set failure first, then the tag conventions; undefined: they run. */
export function failureOfImage(
  image: string,
  set: ReadonlyMap<string, TaskFailure>,
): TaskFailure | undefined {
  const chosen = set.get(image);
  if (chosen !== undefined) return chosen;
  return SUFFIXES.find(([suffix]) => image.endsWith(suffix))?.[1];
}

/** The first essential container whose image fails, and how. */
export function failingContainer(
  containers: readonly ContainerFacts[],
  set: ReadonlyMap<string, TaskFailure>,
): { name: string; failure: TaskFailure } | undefined {
  for (const c of containers) {
    if (!c.essential) continue;
    const failure = failureOfImage(c.image, set);
    if (failure !== undefined) return { name: c.name, failure };
  }
  return undefined;
}

/**
 * The reference containerd resolves for an image: Docker Hub's `docker.io/library/` for a bare name, `docker.io/`
 * for a name without a registry host, the image itself otherwise.
 */
export function resolvedReference(image: string): string {
  const withTag = image.includes(":") || image.includes("@") ? image : `${image}:latest`;
  const first = withTag.split("/")[0] ?? "";
  const hasHost =
    withTag.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  if (hasHost) return withTag;
  return withTag.includes("/") ? `docker.io/${withTag}` : `docker.io/library/${withTag}`;
}

/** ECS's (Fargate platform 1.4) stopped reason when an image tag does not exist. */
export function cannotPullMessage(image: string): string {
  const ref = resolvedReference(image);
  return `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${ref}: ${ref}: not found`;
}

/** ECS's stop code and task stopped reason for a failure. */
export function taskStop(failure: TaskFailure, image: string): { stopCode: string; stoppedReason: string } {
  switch (failure) {
    case TaskFailure.pull:
      return { stopCode: "TaskFailedToStart", stoppedReason: cannotPullMessage(image) };
    case TaskFailure.unhealthy:
      return { stopCode: "ServiceSchedulerInitiated", stoppedReason: "Task failed container health checks" };
    default:
      return { stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited" };
  }
}

/** The failing container's exit code and reason once the task stopped (a pulled-never container has no code). */
function failedContainerEnd(failure: TaskFailure, image: string): { exitCode?: number; reason?: string } {
  switch (failure) {
    case TaskFailure.crash:
      return { exitCode: 1 };
    case TaskFailure.oom:
      return { exitCode: 137, reason: "OutOfMemoryError: Container killed due to memory usage" };
    case TaskFailure.pull:
      return { reason: cannotPullMessage(image) };
    case TaskFailure.unhealthy:
      // ECS stops it with SIGTERM; a process that honours it exits 128 + 15.
      return { exitCode: 143 };
  }
}

/** A container's `lastStatus`, `exitCode`, `reason` and `healthStatus` as DescribeTasks reports them. */
export function containerState(task: EcsTask, container: ContainerFacts): JsonObject {
  const failed = task.failure !== undefined && task.failedContainer === container.name;
  const stopped = task.lastStatus === "STOPPED";
  const pulled = task.failure !== TaskFailure.pull;
  const lastStatus =
    task.lastStatus === "RUNNING" || (task.lastStatus === "DEACTIVATING" && task.startedAt !== undefined)
      ? "RUNNING"
      : stopped
        ? "STOPPED"
        : "PENDING";
  const unhealthy = failed && task.failure === TaskFailure.unhealthy && task.desiredStatus === "STOPPED";
  const healthStatus = unhealthy ? "UNHEALTHY" : "UNKNOWN";
  if (!stopped) return { lastStatus, healthStatus };
  if (failed && task.failure !== undefined) {
    return { lastStatus, healthStatus, ...failedContainerEnd(task.failure, container.image) };
  }
  // The other containers were stopped with the task (never started when nothing could be pulled).
  return pulled ? { lastStatus, healthStatus, exitCode: 0 } : { lastStatus, healthStatus };
}
