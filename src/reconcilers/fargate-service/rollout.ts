/**
 * Reads an ECS service's deployments and says where the rollout of one exact task-definition ARN stands.
 * Pure: the caller supplies the observation, the clock reading and what the last pass recorded.
 *
 * ECS semantics relied on (API reference, `Deployment`): a new deployment starts `IN_PROGRESS`, becomes
 * `COMPLETED` at steady state, or `FAILED` when the circuit breaker trips (it then launches no new tasks). With
 * `rollback`, ECS starts a new PRIMARY deployment of the last completed task definition; the failed one stays
 * listed (`ACTIVE`, `FAILED`) until drained, then disappears. A rollback is never success.
 */
import type { EcsService } from "../../aws/types.js";
import { RolloutState } from "../../crds/fargate-service.js";
import {
  type DeploymentProgress,
  failureCause,
  isStillRunning,
  progressLabel,
} from "./deployment-progress.js";
import { describeLatestStop, describeStoppedTasks, type StoppedTasksSummary } from "./stopped-tasks.js";

type Deployment = NonNullable<EcsService["deployments"]>[number];

/** Reasons (CamelCase) a rollout observation carries; they become condition reasons. */
export const RolloutReason = {
  Complete: "RolloutComplete",
  Failed: "RolloutFailed",
  TimedOut: "RolloutTimedOut",
  InProgress: "RolloutInProgress",
  Pending: "RolloutPending",
  /** The deployment completed but fewer tasks run than desired (a scale-up, or replacements starting). */
  TasksStarting: "TasksStarting",
  /** The deployment completed but more tasks run than desired (a scale-down draining). */
  TasksStopping: "TasksStopping",
} as const;

/** One of the rollout reasons. */
export type RolloutReason = (typeof RolloutReason)[keyof typeof RolloutReason];

/** What the last pass recorded about the rollout of the same task-definition ARN (`status.rollout`). */
export interface PreviousRollout {
  deploymentId?: string;
  /** ISO timestamp. */
  startedAt?: string;
  state?: RolloutState;
}

/** Input of {@link evaluateRollout}. */
export interface RolloutInput {
  /** The service as DescribeServices/UpdateService returned it. */
  service: EcsService;
  /** The exact task-definition ARN (with revision) the service must run. */
  taskDefinitionArn: string;
  /** Operator deadline (`spec.deployment.timeoutSeconds`) counted from the deployment's start. */
  timeoutSeconds: number;
  /** Clock reading, ms since the epoch. */
  now: number;
  /**
   * The task count the spec asks for, when the operator owns it: the service is steady only when ECS was told
   * this count and the PRIMARY deployment runs exactly that many tasks. Without it, the PRIMARY's own count.
   */
  desiredCount?: number;
  /**
   * The record's `status.rollout`; pass it only when it was recorded for this same `taskDefinitionArn`
   * (a rollout of an older revision says nothing about this one).
   */
  previous?: PreviousRollout;
  /**
   * The deployment strategy's progress (ECS's service deployment) for a traffic-shifting or alarm-watched
   * deployment; without it the observation is the plain rolling one.
   */
  progress?: DeploymentProgress;
  /** What the deployment's stopped tasks say (read this pass or recorded); quoted while it fails or stalls. */
  stoppedTasks?: StoppedTasksSummary;
}

/** Where the rollout stands: `status.rollout`, `status.replicas` and the condition reason/message. */
export interface RolloutObservation {
  state: RolloutState;
  /** CamelCase, one of {@link RolloutReason}. */
  reason: RolloutReason;
  message: string;
  /** The deployment of our task definition this observation is about, when known. */
  deploymentId?: string;
  /** ISO start of the rollout (the deployment's creation, or the first pass that waited for it). */
  startedAt?: string;
  /** ISO time at which a still-running rollout times out (a stored deadline for `requeueAfter`). */
  deadline?: string;
  replicas: { desired: number; running: number; pending: number };
  /** Strategy, stage, traffic share and bake end, when the input carried them. */
  progress?: DeploymentProgress;
  /** The deployment's stopped tasks, when they were read for it and it has not completed. */
  stoppedTasks?: StoppedTasksSummary;
}

/**
 * True when the service is where the spec wants it: the deployment of our task definition COMPLETED and its
 * tasks all run (DESIGN §11: `Ready` needs `runningCount == desiredCount` on the PRIMARY deployment).
 */
export function isServiceSteady(observation: Pick<RolloutObservation, "state" | "reason">): boolean {
  return observation.state === RolloutState.Completed && observation.reason === RolloutReason.Complete;
}

/** True when the rollout reached COMPLETED (the deployment; its tasks may still be starting). */
export function isRolloutComplete(observation: Pick<RolloutObservation, "state">): boolean {
  return observation.state === RolloutState.Completed;
}

/** True when nothing more will happen without a change: COMPLETED, FAILED or TIMED_OUT. */
export function isRolloutTerminal(observation: Pick<RolloutObservation, "state">): boolean {
  return (
    observation.state === RolloutState.Completed ||
    observation.state === RolloutState.Failed ||
    observation.state === RolloutState.TimedOut
  );
}

type Replicas = RolloutObservation["replicas"];

/** Milliseconds of a timestamp; cached observations may carry strings or numbers instead of Dates. */
function msOf(value: Date | string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : typeof value === "number" ? value : Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

const iso = (ms: number): string => new Date(ms).toISOString();

function failureDetail(deployment: Deployment): string {
  const reason = deployment.rolloutStateReason ?? "no reason given";
  return `${reason} (${deployment.failedTasks ?? 0} failed tasks)`;
}

/** When the rollout of `deployment` started: the recorded start if it is about the same deployment. */
function startOf(deployment: Deployment, previous: PreviousRollout | undefined, now: number): number {
  const recorded =
    previous?.deploymentId !== undefined && previous.deploymentId === deployment.id
      ? msOf(previous.startedAt)
      : undefined;
  return recorded ?? msOf(deployment.createdAt) ?? now;
}

function withDeployment(
  base: Omit<RolloutObservation, "deploymentId">,
  deploymentId: string | undefined,
): RolloutObservation {
  return deploymentId === undefined ? base : { ...base, deploymentId };
}

/** The PRIMARY deployment runs our task definition: its own rollout state decides. */
function primaryOurs(input: RolloutInput, primary: Deployment, replicas: Replicas): RolloutObservation {
  const { taskDefinitionArn: arn, timeoutSeconds, now, previous } = input;
  const id = primary.id;
  const started = startOf(primary, previous, now);
  const startedAt = iso(started);
  const running = primary.runningCount ?? replicas.running;
  const told = primary.desiredCount ?? replicas.desired;
  const desired = input.desiredCount ?? told;
  const counts = `${running}/${desired} tasks running`;
  const label = `deployment ${id ?? "(no id)"} of ${arn}`;
  const { progress } = input;
  const strategyNote = progress === undefined ? "" : ` (${progressLabel(progress)})`;
  // ECS keeps a baking deployment IN_PROGRESS; should a report say COMPLETED while the bake runs, wait for it.
  const baking = progress !== undefined && isStillRunning(progress) && progress.stage === "BAKE_TIME";
  if (primary.rolloutState === "COMPLETED" && !baking) {
    // ECS keeps a COMPLETED deployment COMPLETED through a change of desiredCount: the tasks decide.
    if (running === desired && told === desired) {
      return withDeployment(
        {
          state: RolloutState.Completed,
          reason: RolloutReason.Complete,
          message: `${label} completed: ${counts}`,
          startedAt,
          replicas,
        },
        id,
      );
    }
    const starting = running < desired;
    const pendingTasks = primary.pendingCount ?? replicas.pending;
    const wanted =
      told === desired
        ? starting
          ? `ECS is starting tasks (${pendingTasks} pending)`
          : "ECS is stopping the extra tasks"
        : `ECS's desiredCount is ${told}`;
    return withDeployment(
      {
        state: RolloutState.Completed,
        reason: starting ? RolloutReason.TasksStarting : RolloutReason.TasksStopping,
        message: `${counts}: ${label} completed, ${wanted}`,
        startedAt,
        replicas,
      },
      id,
    );
  }
  if (primary.rolloutState === "FAILED") {
    const cause = progress === undefined ? undefined : failureCause(progress);
    return withDeployment(
      {
        state: RolloutState.Failed,
        reason: RolloutReason.Failed,
        message: `${label} failed: ${cause ?? failureDetail(primary)}`,
        startedAt,
        replicas,
      },
      id,
    );
  }
  const deadlineMs = started + timeoutSeconds * 1000;
  if (now >= deadlineMs) {
    return withDeployment(
      {
        state: RolloutState.TimedOut,
        reason: RolloutReason.TimedOut,
        message: `${label} did not complete within ${timeoutSeconds}s (started ${startedAt}): ${counts}`,
        startedAt,
        deadline: iso(deadlineMs),
        replicas,
      },
      id,
    );
  }
  // A missing rolloutState (not the ECS deployment controller, or a thin fake) is never taken as done.
  const state = primary.rolloutState === undefined ? "no rolloutState reported" : counts;
  return withDeployment(
    {
      state: RolloutState.InProgress,
      reason: RolloutReason.InProgress,
      message: `${label} in progress${strategyNote}: ${state}`,
      startedAt,
      deadline: iso(deadlineMs),
      replicas,
    },
    id,
  );
}

function rolledBack(
  input: RolloutInput,
  failed: Deployment | undefined,
  deploymentId: string | undefined,
  primary: Deployment | undefined,
  replicas: Replicas,
): RolloutObservation {
  const { taskDefinitionArn: arn, previous, now } = input;
  const cause = input.progress === undefined ? undefined : failureCause(input.progress);
  const detail =
    cause ??
    (failed === undefined
      ? "ECS rolled it back and no longer lists it"
      : failed.rolloutState === "FAILED"
        ? failureDetail(failed)
        : `it was replaced by deployment ${primary?.id ?? "(no id)"}`);
  const target = primary?.taskDefinition;
  const tail = target === undefined ? "" : `; rolled back to ${target}`;
  const startMs = failed === undefined ? (msOf(previous?.startedAt) ?? now) : startOf(failed, previous, now);
  return withDeployment(
    {
      state: RolloutState.Failed,
      reason: RolloutReason.Failed,
      message: `deployment ${deploymentId ?? "(no id)"} of ${arn} failed (${detail})${tail}`,
      startedAt: iso(startMs),
      replicas,
    },
    deploymentId,
  );
}

/** Waiting for ECS to show a deployment of our task definition; it times out like a deployment would. */
function pending(input: RolloutInput, what: string, replicas: Replicas): RolloutObservation {
  const { previous, now, timeoutSeconds, taskDefinitionArn: arn } = input;
  // Only a recorded wait (no deployment id yet) carries its start over; anything else starts the wait now.
  const waitingSince =
    previous !== undefined &&
    (previous.deploymentId === undefined || previous.deploymentId === "") &&
    (previous.state === RolloutState.InProgress || previous.state === RolloutState.TimedOut)
      ? msOf(previous.startedAt)
      : undefined;
  const started = waitingSince ?? now;
  const deadlineMs = started + timeoutSeconds * 1000;
  if (now >= deadlineMs) {
    return {
      state: RolloutState.TimedOut,
      reason: RolloutReason.TimedOut,
      message: `no deployment of ${arn} started within ${timeoutSeconds}s: ${what}`,
      startedAt: iso(started),
      deadline: iso(deadlineMs),
      replicas,
    };
  }
  return {
    state: RolloutState.InProgress,
    reason: RolloutReason.Pending,
    message: `waiting for ECS to deploy ${arn}: ${what}`,
    startedAt: iso(started),
    deadline: iso(deadlineMs),
    replicas,
  };
}

/**
 * Where the rollout of `taskDefinitionArn` stands. COMPLETED only when the PRIMARY deployment runs exactly that
 * ARN with `rolloutState COMPLETED`; a circuit-breaker rollback (our deployment FAILED, or the deployment we
 * recorded gone while the PRIMARY runs another task definition) is FAILED; an unfinished one past
 * `timeoutSeconds` is TIMED_OUT; anything not yet visible is IN_PROGRESS (`RolloutPending`).
 */
export function evaluateRollout(input: RolloutInput): RolloutObservation {
  const observation = withStoppedTasks(observe(input), input.stoppedTasks);
  return input.progress === undefined ? observation : { ...observation, progress: input.progress };
}

/**
 * Adds ECS's stop reasons to a rollout that failed, timed out or still runs (the newest one then), when they were
 * read for this same deployment; a completed rollout drops them.
 */
function withStoppedTasks(
  observation: RolloutObservation,
  stopped: StoppedTasksSummary | undefined,
): RolloutObservation {
  if (stopped === undefined || stopped.deploymentId !== observation.deploymentId) return observation;
  if (observation.state === RolloutState.Completed) return observation;
  const running = observation.state === RolloutState.InProgress;
  const note = running ? describeLatestStop(stopped) : describeStoppedTasks(stopped);
  const message = note === undefined ? observation.message : `${observation.message}; ${note}`;
  return { ...observation, message, stoppedTasks: stopped };
}

function observe(input: RolloutInput): RolloutObservation {
  const { service, taskDefinitionArn: arn, previous } = input;
  const replicas: Replicas = {
    desired: service.desiredCount ?? 0,
    running: service.runningCount ?? 0,
    pending: service.pendingCount ?? 0,
  };
  if (service.status !== undefined && service.status !== "ACTIVE") {
    return pending(input, `the ECS service is ${service.status}`, replicas);
  }
  const deployments = service.deployments ?? [];
  if (deployments.length === 0) {
    return pending(input, "ECS reports no deployments for the service yet", replicas);
  }
  const primary = deployments.find((d) => d.status === "PRIMARY");
  if (primary?.taskDefinition === arn) return primaryOurs(input, primary, replicas);

  const failedOurs = deployments.find((d) => d.taskDefinition === arn && d.rolloutState === "FAILED");
  if (failedOurs !== undefined) return rolledBack(input, failedOurs, failedOurs.id, primary, replicas);

  // Our recorded deployment gone (or demoted) while the PRIMARY runs something else: ECS rolled it back.
  // A COMPLETED record is not a rollback: a later change elsewhere is drift, and the diff repairs it.
  const recordedId = previous?.deploymentId;
  if (
    recordedId !== undefined &&
    recordedId !== "" &&
    previous?.state !== RolloutState.Completed &&
    primary?.taskDefinition !== undefined
  ) {
    const recorded = deployments.find((d) => d.id === recordedId);
    if (recorded === undefined || (recorded.taskDefinition === arn && recorded.id !== primary.id)) {
      return rolledBack(input, recorded, recordedId, primary, replicas);
    }
  }

  const what =
    primary === undefined
      ? "no PRIMARY deployment is listed"
      : `the PRIMARY deployment ${primary.id ?? "(no id)"} runs ${primary.taskDefinition ?? "an unknown task definition"}`;
  return pending(input, what, replicas);
}
