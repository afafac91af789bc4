/**
 * Why a rollout's tasks stopped, in ECS's own words (DESIGN §11, Events): which deployment's stopped tasks to
 * read, and when (only while a rollout fails or its tasks keep stopping, so a steady service costs nothing);
 * the summary kept in `status.rollout.stoppedTasks`; and the short, bounded sentence the condition messages
 * quote. Pure except {@link observeStoppedTasks}, which makes the read.
 */
import { AwsError } from "../../aws/errors.js";
import type { EcsGateway, EcsService, EcsTask } from "../../aws/types.js";
import {
  type FargateServiceStatus,
  RolloutState,
  type StoppedTaskGroup,
  type StoppedTasksSummary,
  VAULT_AGENT_CONTAINER,
} from "../../crds/index.js";
import type { Logger } from "../../log.js";
import { ecsName } from "../../render/index.js";
import type { FargateServiceRecord } from "./context.js";

export type { StoppedTaskGroup, StoppedTasksSummary };

/** While a rollout still runs, its stopped tasks are read again at most this often. */
export const STOPPED_TASKS_REREAD_MS = 30_000;
/** Groups of distinct reasons kept (the rest are counted). */
const MAX_GROUPS = 3;
/** Longest ECS text quoted (a CannotPullContainerError names the image and the registry's answer). */
const MAX_TEXT = 300;
/** Longest sentence {@link describeStoppedTasks} returns. */
const MAX_SENTENCE = 700;
/** ECS's reason for tasks a deployment stops on purpose (scale-down, replacement): not failures. */
const SCALING_STOP = /^Scaling activity initiated by/;

/** The deployment whose stopped tasks to read this pass, and what ECS says about it. */
export interface StoppedTasksTarget {
  deploymentId: string;
  /** ECS's `failedTasks` of the deployment (0 when it is already gone). */
  failedTasks: number;
  /** The rollout failed (the deployment is FAILED or was rolled back): the read is the last one. */
  final: boolean;
}

type StatusRollout = NonNullable<FargateServiceStatus["rollout"]>;

/**
 * Which deployment of `taskDefinitionArn` to read stopped tasks of: one that FAILED, one still IN_PROGRESS that
 * has failed tasks, or the recorded one a rollback made disappear. Undefined when there is none, or when the
 * last summary already says all there is (a final read of it, or an in-progress read less than
 * {@link STOPPED_TASKS_REREAD_MS} old or with as many failed tasks as now).
 */
export function stoppedTasksTarget(
  previous: StatusRollout | undefined,
  service: EcsService,
  taskDefinitionArn: string,
  now: number,
): StoppedTasksTarget | undefined {
  const deployments = service.deployments ?? [];
  const ours = deployments.find(
    (d) =>
      d.taskDefinition === taskDefinitionArn &&
      d.id !== undefined &&
      (d.rolloutState === "FAILED" || (d.rolloutState === "IN_PROGRESS" && (d.failedTasks ?? 0) > 0)),
  );
  let target: StoppedTasksTarget | undefined;
  if (ours?.id !== undefined) {
    target = {
      deploymentId: ours.id,
      failedTasks: ours.failedTasks ?? 0,
      final: ours.rolloutState === "FAILED",
    };
  } else {
    const recorded = previous?.deploymentId;
    const primary = deployments.find((d) => d.status === "PRIMARY");
    const gone =
      recorded !== undefined &&
      recorded !== "" &&
      previous?.state !== RolloutState.Completed &&
      primary !== undefined &&
      primary.taskDefinition !== taskDefinitionArn &&
      !deployments.some((d) => d.id === recorded);
    if (gone) target = { deploymentId: recorded, failedTasks: 0, final: true };
  }
  if (target === undefined) return undefined;
  const last = previous?.stoppedTasks;
  if (last === undefined || last.deploymentId !== target.deploymentId) return target;
  if (last.final === true) return undefined;
  if (target.final) return target;
  const age = now - Date.parse(last.observedAt);
  return last.failedTasks >= target.failedTasks || age < STOPPED_TASKS_REREAD_MS ? undefined : target;
}

/** The containers whose exit makes ECS stop the task: the spec's essential ones and a sidecar Vault agent. */
export function essentialContainers(record: FargateServiceRecord): string[] {
  const names = record.spec.containers.filter((c) => c.essential !== false).map((c) => c.name);
  if (record.spec.vault?.mode === "sidecar") names.push(VAULT_AGENT_CONTAINER);
  return names;
}

/** ECS text, bounded, with any credentials in a URL (`//user:password@`) masked. */
function quoted(text: string | undefined): string | undefined {
  if (text === undefined || text === "") return undefined;
  const masked = text.replace(/\/\/[^/@\s]+@/g, "//***@").trim();
  return masked.length <= MAX_TEXT ? masked : `${masked.slice(0, MAX_TEXT - 1)}…`;
}

function msOf(value: Date | string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : typeof value === "number" ? value : Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** One task's reason as a group (count 1): its stop and its essential containers' ends. */
function groupOf(task: EcsTask, essential: ReadonlySet<string>): StoppedTaskGroup {
  const stoppedReason = quoted(task.stoppedReason);
  const all = task.containers ?? [];
  // An adopted service's names may differ from the spec's: then the containers that ended badly speak.
  const named = all.filter((c) => c.name !== undefined && essential.has(c.name));
  const chosen =
    named.length > 0
      ? named
      : all.filter((c) => (c.exitCode !== undefined && c.exitCode !== 0) || c.reason !== undefined);
  // The one that ended badly is the reason; the others were only stopped with it (exit code 0, no reason).
  const bad = chosen.filter((c) => (c.exitCode !== undefined && c.exitCode !== 0) || c.reason !== undefined);
  const containers = (bad.length > 0 ? bad : chosen).map((c) => {
    const reason = quoted(c.reason);
    return {
      name: c.name ?? "(unnamed)",
      ...(c.exitCode === undefined ? {} : { exitCode: c.exitCode }),
      // The container's reason often repeats the task's (CannotPullContainerError): said once.
      ...(reason === undefined || reason === stoppedReason ? {} : { reason }),
    };
  });
  return {
    count: 1,
    ...(stoppedReason === undefined ? {} : { stoppedReason }),
    ...(task.stopCode === undefined ? {} : { stopCode: task.stopCode }),
    containers,
  };
}

const keyOf = (g: StoppedTaskGroup): string =>
  JSON.stringify([g.stopCode, g.stoppedReason, g.containers.map((c) => [c.name, c.exitCode, c.reason])]);

/**
 * The summary of a deployment's stopped tasks: failures only (a deployment's own scale-downs left out), grouped
 * by identical reasons, most frequent first, at most three groups kept; `latest` is the newest stop's group.
 */
export function summarizeStoppedTasks(
  tasks: readonly EcsTask[],
  essential: readonly string[],
  target: StoppedTasksTarget,
  now: number,
): StoppedTasksSummary {
  const names = new Set(essential);
  const failures = tasks.filter((t) => !SCALING_STOP.test(t.stoppedReason ?? ""));
  const groups = new Map<string, StoppedTaskGroup & { lastMs: number }>();
  let latest: { key: string; ms: number } | undefined;
  for (const task of failures) {
    const group = groupOf(task, names);
    const key = keyOf(group);
    const ms = msOf(task.stoppedAt) ?? msOf(task.stoppingAt) ?? 0;
    const found = groups.get(key);
    if (found === undefined) groups.set(key, { ...group, lastMs: ms });
    else {
      found.count += 1;
      found.lastMs = Math.max(found.lastMs, ms);
    }
    if (latest === undefined || ms > latest.ms) latest = { key, ms };
  }
  const ordered = [...groups.entries()].sort(([, a], [, b]) => b.count - a.count || b.lastMs - a.lastMs);
  const kept = ordered.slice(0, MAX_GROUPS).map(([key, { lastMs: _lastMs, ...group }]) => ({ key, group }));
  const latestIndex = kept.findIndex((k) => k.key === latest?.key);
  return {
    deploymentId: target.deploymentId,
    failedTasks: target.failedTasks,
    final: target.final,
    observedAt: new Date(now).toISOString(),
    stopped: failures.length,
    groups: kept.map((k) => k.group),
    ...(latestIndex < 0 ? {} : { latest: latestIndex }),
    ...(latest === undefined || latest.ms === 0
      ? {}
      : { latestStoppedAt: new Date(latest.ms).toISOString() }),
  };
}

const tasksWord = (n: number): string => `${n} ${n === 1 ? "task" : "tasks"}`;

/** `EssentialContainerExited: Essential container in task exited (container web: exit code 1)`. */
export function describeGroup(group: StoppedTaskGroup): string {
  const head = [group.stopCode, group.stoppedReason].filter((p) => p !== undefined).join(": ");
  const parts = group.containers
    .filter((c) => c.exitCode !== undefined || c.reason !== undefined)
    .map((c) => {
      const end = [c.exitCode === undefined ? undefined : `exit code ${c.exitCode}`, c.reason]
        .filter((p) => p !== undefined)
        .join(", ");
      return `container ${c.name}: ${end}`;
    });
  const text = head === "" ? "no reason given" : head;
  return parts.length === 0 ? text : `${text} (${parts.join("; ")})`;
}

function bounded(sentence: string): string {
  return sentence.length <= MAX_SENTENCE ? sentence : `${sentence.slice(0, MAX_SENTENCE - 1)}…`;
}

/**
 * `2 tasks stopped: EssentialContainerExited: Essential container in task exited (container web: exit code 1)`,
 * each distinct reason once with its count; undefined when no failed task is known.
 */
export function describeStoppedTasks(summary: StoppedTasksSummary): string | undefined {
  if (summary.stopped === 0 || summary.groups.length === 0) return undefined;
  const shown = summary.groups.map((g) => `${tasksWord(g.count)} stopped: ${describeGroup(g)}`);
  const rest = summary.stopped - summary.groups.reduce((n, g) => n + g.count, 0);
  if (rest > 0) shown.push(`${tasksWord(rest)} stopped for other reasons`);
  return bounded(shown.join("; "));
}

/** `latest stopped task: …` for a rollout still running (the newest reason, and how many stopped so far). */
export function describeLatestStop(summary: StoppedTasksSummary): string | undefined {
  const group = summary.latest === undefined ? undefined : summary.groups[summary.latest];
  if (group === undefined || summary.stopped === 0) return undefined;
  return bounded(`${tasksWord(summary.stopped)} stopped so far, latest: ${describeGroup(group)}`);
}

/**
 * Reads and summarises the stopped tasks of the deployment {@link stoppedTasksTarget} names, when it names one
 * and the gateway can read tasks; undefined otherwise. A failed read (throttled, access denied) is logged and
 * skipped: the quoted reason is a courtesy, and the rollout's state does not depend on it.
 */
export async function observeStoppedTasks(
  ecs: EcsGateway,
  record: FargateServiceRecord,
  taskDefinitionArn: string,
  service: EcsService,
  now: number,
  signal: AbortSignal,
  log?: Logger,
): Promise<StoppedTasksSummary | undefined> {
  if (ecs.listStoppedTasks === undefined) return undefined;
  const { status } = record;
  const previous = status.taskDefinitionArn === taskDefinitionArn ? status.rollout : undefined;
  const target = stoppedTasksTarget(previous, service, taskDefinitionArn, now);
  if (target === undefined) return undefined;
  try {
    const tasks = await ecs.listStoppedTasks(
      record.spec.cluster,
      ecsName(record.metadata),
      target.deploymentId,
      signal,
    );
    return summarizeStoppedTasks(tasks, essentialContainers(record), target, now);
  } catch (error) {
    if (signal.aborted || !(error instanceof AwsError)) throw error;
    log?.warn(
      { awsOperation: `ecs:${error.operation}`, code: error.code, deploymentId: target.deploymentId },
      "could not read the rollout's stopped tasks",
    );
    return undefined;
  }
}
