/**
 * ECS service deployments (`ServiceDeployment`): one per new PRIMARY deployment, with its lifecycle stage,
 * traffic weights, alarms, hooks and rollback; DescribeServiceDeployments and ListServiceDeployments answer them.
 */
import { epochSeconds } from "../context.js";
import { AwsApiError } from "../errors.js";
import { boolField, type Input, isJsonObject, type JsonObject, strListField } from "../input.js";
import type { HandlerTable } from "../operation.js";
import { paginate } from "../pagination.js";
import type { EcsDeployment, EcsService, EcsServiceDeployment, EcsState, EcsTask } from "./state.js";
import { deploymentConfigurationOf, strategyOf } from "./strategy.js";

const MAX_KEPT = 20;
const MAX_DESCRIBE = 20;
const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Records a new service deployment for `deployment` (the previous one, if still running, is STOPPED). */
export function recordServiceDeployment(
  state: EcsState,
  svc: EcsService,
  deployment: EcsDeployment,
): EcsServiceDeployment {
  const now = state.ctx.clock.now();
  for (const old of svc.serviceDeployments) {
    if (old.status === "IN_PROGRESS" || old.status === "PENDING") {
      stopServiceDeployment(old, "STOPPED", "Superseded by a newer service deployment.", now);
    }
  }
  const suffix = Array.from(
    { length: 22 },
    (_, i) => ALPHANUMERIC[Number.parseInt(state.ctx.ids.hex(2), 16) % ALPHANUMERIC.length] ?? String(i),
  ).join("");
  const config = deploymentConfigurationOf(svc);
  const sd: EcsServiceDeployment = {
    arn: state.arn(`service-deployment/${svc.clusterName}/${svc.name}/${suffix}`),
    deploymentId: deployment.id,
    strategy: strategyOf(config),
    createdAt: now,
    sourceTaskDefinitionArns: [
      ...new Set(svc.deployments.filter((d) => d.id !== deployment.id).map((d) => d.taskDefinitionArn)),
    ],
    targetTaskDefinitionArn: deployment.taskDefinitionArn,
    deploymentConfiguration: config,
    status: "PENDING",
    statusReason: undefined,
    lifecycleStage: undefined,
    trafficPercent: 0,
    testTrafficPercent: 0,
    startedAt: undefined,
    updatedAt: now,
    finishedAt: undefined,
    stoppedAt: undefined,
    stageEndsAt: undefined,
    bakeEndsAt: undefined,
    bakeDone: false,
    timer: undefined,
    hooks: [],
    triggeredAlarmNames: [],
    rollback: undefined,
    rollbackDeploymentId: undefined,
  };
  svc.serviceDeployments.unshift(sd);
  svc.serviceDeployments.length = Math.min(svc.serviceDeployments.length, MAX_KEPT);
  return sd;
}

/** Ends a service deployment in `status` and cancels its pending wait. */
export function stopServiceDeployment(
  sd: EcsServiceDeployment,
  status: EcsServiceDeployment["status"],
  reason: string,
  now: number,
): void {
  sd.timer?.cancel();
  sd.timer = undefined;
  sd.stageEndsAt = undefined;
  sd.status = status;
  sd.statusReason = reason;
  sd.updatedAt = now;
  if (status === "SUCCESSFUL" || status === "ROLLBACK_SUCCESSFUL") sd.finishedAt = now;
  else sd.stoppedAt = now;
}

/** The deployment failed and ECS rolls it back to `taskDefinitionArn`, carried by deployment `carrierId`. */
export function startRollback(
  sd: EcsServiceDeployment,
  reason: string,
  taskDefinitionArn: string,
  carrierId: string,
  now: number,
): void {
  sd.timer?.cancel();
  sd.timer = undefined;
  sd.trafficPercent = 0;
  sd.testTrafficPercent = 0;
  sd.status = "ROLLBACK_IN_PROGRESS";
  sd.statusReason = reason;
  sd.updatedAt = now;
  sd.rollback = { reason, startedAt: now, taskDefinitionArn };
  sd.rollbackDeploymentId = carrierId;
}

/** The service deployment a (DescribeServices) deployment belongs to, as its target or its rollback. */
export function serviceDeploymentOf(svc: EcsService, deploymentId: string): EcsServiceDeployment | undefined {
  return svc.serviceDeployments.find((sd) => sd.deploymentId === deploymentId);
}

/** Completes rollbacks whose failed revision has drained and whose rollback deployment is COMPLETED. */
export function settleRollbacks(state: EcsState, svc: EcsService): void {
  for (const sd of svc.serviceDeployments) {
    if (sd.status !== "ROLLBACK_IN_PROGRESS") continue;
    const failedLeft = svc.deployments.some((d) => d.id === sd.deploymentId);
    const target = svc.deployments.find((d) => d.id === sd.rollbackDeploymentId);
    if (!failedLeft && target?.rolloutState === "COMPLETED") {
      stopServiceDeployment(sd, "ROLLBACK_SUCCESSFUL", sd.statusReason ?? "", state.ctx.clock.now());
    }
  }
}

function revisionSummary(
  svc: EcsService,
  taskDefinitionArn: string,
  tasks: readonly EcsTask[],
  weights: { production: number; test: number } | undefined,
): JsonObject {
  const own = tasks.filter((t) => t.taskDefinitionArn === taskDefinitionArn && t.desiredStatus === "RUNNING");
  return {
    // ECS names service revisions by their own ARN; the simulator names them by the task definition they run.
    arn: `${svc.arn.replace(":service/", ":service-revision/")}/${taskDefinitionArn.split("/").pop() ?? ""}`,
    requestedTaskCount: own.length,
    runningTaskCount: own.filter((t) => t.lastStatus === "RUNNING").length,
    pendingTaskCount: own.filter((t) => t.lastStatus !== "RUNNING").length,
    ...(weights === undefined
      ? {}
      : { requestedProductionTrafficWeight: weights.production, requestedTestTrafficWeight: weights.test }),
  };
}

/** The ServiceDeployment shape. */
export function serviceDeploymentShape(
  state: EcsState,
  svc: EcsService,
  sd: EcsServiceDeployment,
): JsonObject {
  const at = (ms: number | undefined) => (ms === undefined ? undefined : epochSeconds(ms));
  const tasks = state.tasksOf(svc.clusterName, svc.name);
  const shifting = sd.strategy !== "ROLLING";
  const alarms = isJsonObject(sd.deploymentConfiguration.alarms)
    ? sd.deploymentConfiguration.alarms
    : undefined;
  const alarmsOn = boolField(alarms, "enable") === true;
  const running = sd.status === "IN_PROGRESS" || sd.status === "PENDING";
  const breaker = svc.circuitBreaker;
  const failures = svc.deployments.find((d) => d.id === sd.deploymentId)?.failedTasks ?? 0;
  return {
    serviceDeploymentArn: sd.arn,
    serviceArn: svc.arn,
    clusterArn: state.arn(`cluster/${svc.clusterName}`),
    createdAt: at(sd.createdAt),
    startedAt: at(sd.startedAt),
    finishedAt: at(sd.finishedAt),
    stoppedAt: at(sd.stoppedAt),
    updatedAt: at(sd.updatedAt),
    sourceServiceRevisions: sd.sourceTaskDefinitionArns.map((arn) =>
      revisionSummary(
        svc,
        arn,
        tasks,
        shifting ? { production: 100 - sd.trafficPercent, test: 100 - sd.testTrafficPercent } : undefined,
      ),
    ),
    targetServiceRevision: revisionSummary(
      svc,
      sd.targetTaskDefinitionArn,
      tasks,
      shifting ? { production: sd.trafficPercent, test: sd.testTrafficPercent } : undefined,
    ),
    status: sd.status,
    statusReason: sd.statusReason,
    lifecycleStage: sd.lifecycleStage,
    lifecycleHookDetails: sd.hooks.map((h) => ({
      hookId: h.hookId,
      targetType: h.targetType,
      targetArn: h.targetArn,
      status: h.status,
      expiresAt: at(h.expiresAt),
    })),
    deploymentConfiguration: sd.deploymentConfiguration,
    rollback:
      sd.rollback === undefined
        ? undefined
        : {
            reason: sd.rollback.reason,
            startedAt: at(sd.rollback.startedAt),
            serviceRevisionArn: revisionSummary(svc, sd.rollback.taskDefinitionArn, [], undefined).arn,
          },
    deploymentCircuitBreaker: {
      status: !breaker.enable ? "DISABLED" : running ? "MONITORING" : "MONITORING_COMPLETE",
      failureCount: failures,
      threshold: Math.min(200, Math.max(3, Math.ceil(svc.desiredCount / 2))),
    },
    alarms: {
      status: !alarmsOn
        ? "DISABLED"
        : sd.triggeredAlarmNames.length > 0
          ? "TRIGGERED"
          : running
            ? "MONITORING"
            : "MONITORING_COMPLETE",
      alarmNames: strListField(alarms, "alarmNames"),
      triggeredAlarmNames: sd.triggeredAlarmNames,
    },
  };
}

/** DescribeServiceDeployments and ListServiceDeployments over the ECS state. */
export function serviceDeploymentHandlers(state: EcsState): HandlerTable {
  const find = (arn: string): { svc: EcsService; sd: EcsServiceDeployment } | undefined => {
    const [cluster, service] = arn.split(":service-deployment/")[1]?.split("/") ?? [];
    const svc = state.services.get(`${cluster ?? ""}/${service ?? ""}`);
    const sd = svc?.serviceDeployments.find((d) => d.arn === arn);
    return svc === undefined || sd === undefined ? undefined : { svc, sd };
  };
  return {
    DescribeServiceDeployments(input: Input) {
      const arns = input.optStrList("serviceDeploymentArns") ?? [];
      if (arns.length === 0) throw input.invalid("serviceDeploymentArns cannot be empty.");
      if (arns.length > MAX_DESCRIBE) {
        throw new AwsApiError(
          "InvalidParameterException",
          `serviceDeploymentArns can have at most ${MAX_DESCRIBE} items.`,
        );
      }
      const serviceDeployments: JsonObject[] = [];
      const failures: JsonObject[] = [];
      for (const arn of arns) {
        const found = find(arn);
        if (found === undefined) failures.push({ arn, reason: "MISSING" });
        else serviceDeployments.push(serviceDeploymentShape(state, found.svc, found.sd));
      }
      return { serviceDeployments, failures };
    },

    ListServiceDeployments(input: Input) {
      const cluster = state.cluster(input.optStr("cluster"));
      const svc = state.findService(cluster.name, input.str("service"));
      if (svc === undefined) throw new AwsApiError("ServiceNotFoundException", "Service not found.");
      const statuses = input.optStrList("status");
      const list = svc.serviceDeployments.filter(
        (sd) => statuses === undefined || statuses.includes(sd.status),
      );
      const page = paginate(
        list,
        { nextToken: input.optStr("nextToken"), maxResults: input.optNum("maxResults") },
        { defaultSize: 20, maxSize: 100 },
        (m) => input.invalid(m),
      );
      return {
        serviceDeployments: page.items.map((sd) => ({
          serviceDeploymentArn: sd.arn,
          serviceArn: svc.arn,
          clusterArn: state.arn(`cluster/${svc.clusterName}`),
          startedAt: sd.startedAt === undefined ? undefined : epochSeconds(sd.startedAt),
          createdAt: epochSeconds(sd.createdAt),
          finishedAt: sd.finishedAt === undefined ? undefined : epochSeconds(sd.finishedAt),
          targetServiceRevisionArn: revisionSummary(svc, sd.targetTaskDefinitionArn, [], undefined).arn,
          status: sd.status,
          statusReason: sd.statusReason,
        })),
        nextToken: page.nextToken,
      };
    },
  };
}
