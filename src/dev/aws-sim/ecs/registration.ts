/**
 * Where a simulated task is registered: the Cloud Map services of its deployment (instance id = task id, as ECS
 * does) and its load balancers' target groups. Target registration: a RUNNING task behind `loadBalancers` becomes a healthy
 * target after the registration delay (ECS's "registered N targets" event); until then the planner counts it as
 * starting, so no old task stops for it and no deployment completes. Health checks never fail here.
 */
import { removeInstance, upsertInstance } from "../cloudmap/instances.js";
import type { CloudMapState } from "../cloudmap/state.js";
import { AwsApiError } from "../errors.js";
import { field, numField } from "../input.js";
import type { EcsService, EcsState, EcsTask } from "./state.js";

const DEFAULT_REGISTRATION_MS = 1000;

function groupsOf(svc: EcsService): string[] {
  return svc.loadBalancers.map((lb) => field(lb, "targetGroupArn") ?? field(lb, "loadBalancerName") ?? "");
}

/** Schedules `task`'s registration as a healthy target; `wake` re-plans the service afterwards. */
export function registerTarget(
  state: EcsState,
  svc: EcsService,
  task: EcsTask,
  event: (message: string) => void,
  wake: () => void,
): void {
  const { ctx } = state;
  ctx.after(ctx.timing.targetRegistrationMs ?? DEFAULT_REGISTRATION_MS, () => {
    if (task.desiredStatus !== "RUNNING" || task.lastStatus !== "RUNNING") return;
    task.targetHealthy = true;
    for (const group of groupsOf(svc))
      event(`(service ${svc.name}) registered 1 targets in (target-group ${group})`);
    wake();
  });
}

/** Takes a stopping task out of its target groups. */
export function deregisterTarget(svc: EcsService, task: EcsTask, event: (message: string) => void): void {
  if (!task.targetHealthy || svc.loadBalancers.length === 0) return;
  task.targetHealthy = false;
  for (const group of groupsOf(svc))
    event(`(service ${svc.name}) deregistered 1 targets in (target-group ${group})`);
}

/** Registers a RUNNING task in each Cloud Map service of its deployment, as ECS does with the task id. */
export function registerInCloudMap(
  state: EcsState,
  cloudMap: CloudMapState,
  svc: EcsService,
  task: EcsTask,
  event: (message: string) => void,
): void {
  const deployment = svc.deployments.find((d) => d.id === task.deploymentId);
  const td = state.findTaskDefinition(task.taskDefinitionArn);
  for (const registry of deployment?.serviceRegistries ?? []) {
    const arn = field(registry, "registryArn") ?? "";
    const target = [...cloudMap.services.values()].find((s) => s.arn === arn);
    if (target === undefined) {
      event(`(service ${svc.name}) was unable to register task ${task.id} in ${arn}: service not found.`);
      continue;
    }
    const port = numField(registry, "port") ?? numField(registry, "containerPort");
    const attributes: Record<string, string> = {
      AWS_INSTANCE_IPV4: task.ip,
      AVAILABILITY_ZONE: task.availabilityZone,
      AWS_INIT_HEALTH_STATUS: "HEALTHY",
      ECS_CLUSTER_NAME: svc.clusterName,
      ECS_SERVICE_NAME: svc.name,
      ECS_TASK_DEFINITION_FAMILY: td?.family ?? "",
      REGION: state.ctx.region,
      ...(port === undefined ? {} : { AWS_INSTANCE_PORT: String(port) }),
    };
    try {
      upsertInstance(target, task.id, attributes, undefined);
      task.registeredIn.push(target.id);
    } catch (error) {
      if (!(error instanceof AwsApiError)) throw error;
      event(`(service ${svc.name}) was unable to register task ${task.id}: ${error.message}`);
    }
  }
}

/** Removes a task from every Cloud Map service it is registered in. */
export function deregisterFromCloudMap(cloudMap: CloudMapState, task: EcsTask): void {
  for (const serviceId of task.registeredIn) {
    const target = cloudMap.services.get(serviceId);
    if (target !== undefined) removeInstance(target, task.id);
  }
  task.registeredIn = [];
}
