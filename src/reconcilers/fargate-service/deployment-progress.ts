/**
 * Where a traffic-shifting (BLUE_GREEN, LINEAR, CANARY) or alarm-watched deployment stands, from ECS's
 * `ServiceDeployment` (DescribeServiceDeployments): lifecycle stage, production traffic on the new revision,
 * the end of the bake, and the alarms or hook that failed it. DescribeServices does not carry these, so the
 * one extra read happens only while such a deployment runs (or on the pass that sees it end).
 */
import type { ServiceDeployment } from "@aws-sdk/client-ecs";
import type { EcsGateway, EcsService } from "../../aws/types.js";
import { type FargateServiceStatus, RolloutState } from "../../crds/fargate-service.js";
import type { FargateServiceRecord } from "./context.js";

/** What `status.rollout` adds for a deployment strategy (all optional: ROLLING without alarms has none). */
export interface DeploymentProgress {
  /** ROLLING, BLUE_GREEN, LINEAR or CANARY. */
  strategy: string;
  /** ECS's lifecycle stage (SCALE_UP, PRODUCTION_TRAFFIC_SHIFT, BAKE_TIME, CLEAN_UP, …). */
  stage?: string;
  /** Percent of production traffic on the new revision. */
  trafficPercent?: number;
  /** ISO time the bake after the traffic shift ends. */
  bakeEndsAt?: string;
  /** ECS's service deployment status (IN_PROGRESS, SUCCESSFUL, ROLLBACK_IN_PROGRESS, …). */
  status?: string;
  /** Why ECS stopped or rolled back the deployment (its statusReason). */
  statusReason?: string;
  /** Deployment alarms that were in ALARM. */
  triggeredAlarms?: string[];
  /** The lifecycle hook that failed, if one did. */
  failedHook?: string;
}

/** The spec's deployment strategy (ROLLING when unset). */
export function strategyOfSpec(record: FargateServiceRecord): string {
  return record.spec.deployment.strategy ?? "ROLLING";
}

/** True when the spec's deployments are watched by alarms (ECS then bakes and may roll back). */
function alarmsOn(record: FargateServiceRecord): boolean {
  return record.spec.deployment.alarms?.enable === true;
}

/**
 * True when this pass should read the service deployment: the strategy shifts traffic (or alarms watch the
 * deployment), ECS names a current service deployment, and a deployment is under way or the last pass saw one.
 */
export function needsServiceDeployment(record: FargateServiceRecord, service: EcsService): boolean {
  if (strategyOfSpec(record) === "ROLLING" && !alarmsOn(record)) return false;
  if (service.currentServiceDeployment === undefined) return false;
  const running = (service.deployments ?? []).some((d) => d.rolloutState === "IN_PROGRESS");
  return running || record.status.rollout?.state === RolloutState.InProgress;
}

/** Reads the current service deployment when {@link needsServiceDeployment} says so. */
export async function observeServiceDeployment(
  ecs: EcsGateway,
  record: FargateServiceRecord,
  service: EcsService,
  signal: AbortSignal,
): Promise<ServiceDeployment | undefined> {
  const arn = service.currentServiceDeployment;
  if (ecs.describeServiceDeployment === undefined || arn === undefined) return undefined;
  if (!needsServiceDeployment(record, service)) return undefined;
  return ecs.describeServiceDeployment(arn, signal);
}

function iso(value: Date | string | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : typeof value === "number" ? value : Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** The progress a service deployment reports; `strategy` comes from the spec when ECS does not echo it. */
export function progressOf(sd: ServiceDeployment | undefined, specStrategy: string): DeploymentProgress {
  const strategy = sd?.deploymentConfiguration?.strategy ?? specStrategy;
  if (sd === undefined) return { strategy };
  const out: DeploymentProgress = { strategy };
  if (sd.lifecycleStage !== undefined) out.stage = sd.lifecycleStage;
  const weight = sd.targetServiceRevision?.requestedProductionTrafficWeight;
  if (weight !== undefined) out.trafficPercent = weight;
  const bakeMinutes = sd.deploymentConfiguration?.bakeTimeInMinutes;
  const bakeStarted = sd.lifecycleStage === "BAKE_TIME" ? iso(sd.updatedAt) : undefined;
  if (bakeStarted !== undefined && bakeMinutes !== undefined) {
    out.bakeEndsAt = new Date(Date.parse(bakeStarted) + bakeMinutes * 60_000).toISOString();
  }
  if (sd.status !== undefined) out.status = sd.status;
  if (sd.statusReason !== undefined) out.statusReason = sd.statusReason;
  const alarms = sd.alarms?.triggeredAlarmNames ?? [];
  if (alarms.length > 0) out.triggeredAlarms = alarms;
  const hook = sd.lifecycleHookDetails?.find((h) => h.status === "FAILED" || h.status === "TIMED_OUT");
  if (hook?.targetArn !== undefined) out.failedHook = hook.targetArn;
  return out;
}

/**
 * The progress to evaluate this pass with: the service deployment read now, else what the last pass recorded
 * for the same rollout (so a finished one keeps its last stage without another read), else just the strategy.
 * Undefined for a plain rolling service without alarms.
 */
export function rolloutProgress(
  record: FargateServiceRecord,
  sd: ServiceDeployment | undefined,
  previous: FargateServiceStatus["rollout"] | undefined,
): DeploymentProgress | undefined {
  const strategy = strategyOfSpec(record);
  if (sd !== undefined) return progressOf(sd, strategy);
  if (strategy === "ROLLING" && !alarmsOn(record)) return undefined;
  const out: DeploymentProgress = { strategy };
  if (previous?.strategy === strategy) {
    if (previous.stage !== undefined) out.stage = previous.stage;
    if (previous.trafficPercent !== undefined) out.trafficPercent = previous.trafficPercent;
    if (previous.bakeEndsAt !== undefined) out.bakeEndsAt = previous.bakeEndsAt;
  }
  return out;
}

/** True while ECS still counts the deployment as running (a bake included), whatever rolloutState says. */
export function isStillRunning(progress: DeploymentProgress): boolean {
  return progress.status === "IN_PROGRESS" || progress.status === "PENDING";
}

/** Why a traffic-shifting deployment failed, naming the alarm, the hook or the stage. */
export function failureCause(progress: DeploymentProgress): string | undefined {
  if (progress.triggeredAlarms !== undefined) {
    const names = progress.triggeredAlarms.join(", ");
    return `alarm ${names} in ALARM${progress.stage === undefined ? "" : ` during ${progress.stage}`}`;
  }
  if (progress.failedHook !== undefined) {
    return `lifecycle hook ${progress.failedHook} failed${progress.stage === undefined ? "" : ` at ${progress.stage}`}`;
  }
  if (progress.status?.startsWith("ROLLBACK") === true || progress.status === "STOPPED") {
    return `${progress.statusReason ?? progress.status}${progress.stage === undefined ? "" : ` (stage ${progress.stage})`}`;
  }
  return undefined;
}

/** `CANARY, PRODUCTION_TRAFFIC_SHIFT, 10% of traffic` — the part of a rollout message about the strategy. */
export function progressLabel(progress: DeploymentProgress): string {
  const parts = [progress.strategy];
  if (progress.stage !== undefined) parts.push(progress.stage);
  if (progress.trafficPercent !== undefined) parts.push(`${progress.trafficPercent}% of traffic`);
  if (progress.stage === "BAKE_TIME" && progress.bakeEndsAt !== undefined) {
    parts.push(`bake ends ${progress.bakeEndsAt}`);
  }
  return parts.join(", ");
}
