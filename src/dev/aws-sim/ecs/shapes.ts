import { epochSeconds } from "../context.js";
import type { JsonObject } from "../input.js";
import type { EcsCluster, EcsDeployment, EcsService, EcsState, EcsTask } from "./state.js";
import { containerState, TaskFailure } from "./task-failures.js";

const PLATFORM_VERSION = "1.4.0";

/** The Cluster shape (counts derived from the simulated tasks and services). */
export function clusterShape(state: EcsState, cluster: EcsCluster, withTags: boolean): JsonObject {
  const tasks = [...state.tasks.values()].filter((t) => t.clusterName === cluster.name);
  const services = [...state.services.values()].filter(
    (s) => s.clusterName === cluster.name && s.status === "ACTIVE",
  );
  return {
    clusterArn: cluster.arn,
    clusterName: cluster.name,
    status: cluster.status,
    registeredContainerInstancesCount: 0,
    runningTasksCount: tasks.filter((t) => t.lastStatus === "RUNNING").length,
    pendingTasksCount: tasks.filter((t) => t.lastStatus === "PROVISIONING" || t.lastStatus === "PENDING")
      .length,
    activeServicesCount: services.length,
    statistics: [],
    tags: withTags ? cluster.tags.map((t) => ({ ...t })) : undefined,
    settings:
      cluster.settings.length > 0 ? cluster.settings : [{ name: "containerInsights", value: "disabled" }],
    capacityProviders: [],
    defaultCapacityProviderStrategy: [],
  };
}

function counts(tasks: readonly EcsTask[]): { runningCount: number; pendingCount: number } {
  const live = tasks.filter((t) => t.desiredStatus === "RUNNING");
  return {
    runningCount: live.filter((t) => t.lastStatus === "RUNNING").length,
    pendingCount: live.filter((t) => t.lastStatus === "PROVISIONING" || t.lastStatus === "PENDING").length,
  };
}

/** The Deployment shape. */
export function deploymentShape(svc: EcsService, d: EcsDeployment, tasks: readonly EcsTask[]): JsonObject {
  const own = tasks.filter((t) => t.deploymentId === d.id);
  const desiredCount =
    d.status === "PRIMARY" ? svc.desiredCount : own.filter((t) => t.desiredStatus === "RUNNING").length;
  return {
    id: d.id,
    status: d.status,
    taskDefinition: d.taskDefinitionArn,
    desiredCount,
    ...counts(own),
    failedTasks: d.failedTasks,
    createdAt: epochSeconds(d.createdAt),
    updatedAt: epochSeconds(d.updatedAt),
    launchType: svc.launchType,
    capacityProviderStrategy: svc.capacityProviderStrategy,
    platformVersion: PLATFORM_VERSION,
    platformFamily: "Linux",
    networkConfiguration: d.networkConfiguration,
    rolloutState: d.rolloutState,
    rolloutStateReason: d.rolloutStateReason,
    serviceConnectConfiguration: d.serviceConnectConfiguration,
    vpcLatticeConfigurations: d.vpcLatticeConfigurations,
  };
}

/** The Service shape; `tasks` are the service's tasks (any status). */
export function serviceShape(
  state: EcsState,
  svc: EcsService,
  tasks: readonly EcsTask[],
  withTags: boolean,
): JsonObject {
  return {
    serviceArn: svc.arn,
    serviceName: svc.name,
    clusterArn: state.arn(`cluster/${svc.clusterName}`),
    loadBalancers: svc.loadBalancers,
    serviceRegistries: svc.serviceRegistries,
    status: svc.status,
    desiredCount: svc.desiredCount,
    ...counts(tasks),
    launchType: svc.launchType,
    capacityProviderStrategy: svc.capacityProviderStrategy,
    platformVersion: svc.platformVersion,
    platformFamily: "Linux",
    taskDefinition: svc.taskDefinitionArn,
    deploymentConfiguration: {
      deploymentCircuitBreaker: { ...svc.circuitBreaker },
      maximumPercent: svc.maximumPercent,
      minimumHealthyPercent: svc.minimumHealthyPercent,
      alarms: svc.alarms,
      bakeTimeInMinutes: svc.bakeTimeInMinutes,
      strategy: "ROLLING",
      ...svc.deploymentExtras,
    },
    taskSets: [],
    deployments: svc.deployments.map((d) => deploymentShape(svc, d, tasks)),
    currentServiceDeployment: svc.serviceDeployments[0]?.arn,
    roleArn: `arn:aws:iam::${state.ctx.accountId}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
    events: svc.events.map((e) => ({ id: e.id, createdAt: epochSeconds(e.createdAt), message: e.message })),
    createdAt: epochSeconds(svc.createdAt),
    placementConstraints: [],
    placementStrategy: [],
    networkConfiguration: svc.networkConfiguration,
    healthCheckGracePeriodSeconds: svc.healthCheckGracePeriodSeconds,
    schedulingStrategy: "REPLICA",
    deploymentController: { type: svc.deploymentControllerType },
    tags: withTags ? svc.tags.map((t) => ({ ...t })) : undefined,
    createdBy: `arn:aws:iam::${state.ctx.accountId}:root`,
    enableECSManagedTags: svc.enableECSManagedTags,
    propagateTags: svc.propagateTags,
    enableExecuteCommand: svc.enableExecuteCommand,
    availabilityZoneRebalancing: svc.availabilityZoneRebalancing,
  };
}

/** The Task shape. */
export function taskShape(state: EcsState, task: EcsTask, withTags: boolean): JsonObject {
  const td = state.findTaskDefinition(task.taskDefinitionArn);
  const at = (ms: number | undefined) => (ms === undefined ? undefined : epochSeconds(ms));
  const started = task.startedAt !== undefined;
  return {
    attachments: [
      {
        id: task.attachmentId,
        type: "ElasticNetworkInterface",
        status: task.lastStatus === "STOPPED" ? "DELETED" : started ? "ATTACHED" : "PRECREATED",
        details: [
          { name: "subnetId", value: task.subnet },
          { name: "networkInterfaceId", value: task.eniId },
          { name: "macAddress", value: task.macAddress },
          { name: "privateDnsName", value: `ip-${task.ip.replaceAll(".", "-")}.ec2.internal` },
          { name: "privateIPv4Address", value: task.ip },
        ],
      },
    ],
    attributes: [{ name: "ecs.cpu-architecture", value: "x86_64" }],
    availabilityZone: task.availabilityZone,
    clusterArn: state.arn(`cluster/${task.clusterName}`),
    connectivity: "CONNECTED",
    connectivityAt: epochSeconds(task.createdAt),
    containers: (td?.containers ?? []).map((c) => ({
      containerArn: state.arn(`container/${task.clusterName}/${task.id}/${c.name}`),
      taskArn: task.arn,
      name: c.name,
      image: c.image,
      ...containerState(task, c),
      networkInterfaces: [{ attachmentId: task.attachmentId, privateIpv4Address: task.ip }],
      cpu: "0",
    })),
    cpu: td?.cpu,
    createdAt: epochSeconds(task.createdAt),
    desiredStatus: task.desiredStatus,
    enableExecuteCommand: false,
    group: `service:${task.serviceName}`,
    healthStatus:
      task.failure === TaskFailure.unhealthy && task.desiredStatus === "STOPPED" ? "UNHEALTHY" : "UNKNOWN",
    lastStatus: task.lastStatus,
    launchType: "FARGATE",
    memory: td?.memory,
    overrides: {
      containerOverrides: (td?.containers ?? []).map((c) => ({ name: c.name })),
      inferenceAcceleratorOverrides: [],
    },
    platformVersion: PLATFORM_VERSION,
    platformFamily: "Linux",
    pullStartedAt: started ? epochSeconds(task.createdAt) : undefined,
    pullStoppedAt: at(task.startedAt),
    startedAt: at(task.startedAt),
    startedBy: task.deploymentId,
    stopCode: task.stopCode,
    stoppedAt: at(task.stoppedAt),
    stoppedReason: task.stoppedReason,
    stoppingAt: at(task.stoppingAt),
    tags: withTags ? [] : undefined,
    taskArn: task.arn,
    taskDefinitionArn: task.taskDefinitionArn,
    version: task.version,
    ephemeralStorage: { sizeInGiB: 20 },
  };
}
