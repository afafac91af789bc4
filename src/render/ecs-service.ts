/** The ECS CreateService and UpdateService inputs of a FargateService. Pure. */
import type {
  CreateServiceCommandInput,
  DeploymentConfiguration,
  NetworkConfiguration,
  ServiceConnectConfiguration,
  ServiceRegistry,
  UpdateServiceCommandInput,
} from "@aws-sdk/client-ecs";
import type { FargateServiceSpec } from "../crds/index.js";
import { RenderError } from "./errors.js";
import {
  clientTokenOf,
  deletionPolicyTag,
  ecsName,
  ownershipTags,
  type RenderContext,
  TagKey,
  userTags,
} from "./names.js";

/** What the ECS service points at: set by the controller once the parts exist. */
export interface EcsServiceRefs {
  /** The exact task-definition ARN (with revision) to run. */
  taskDefinitionArn: string;
  /** ARN of the Cloud Map service, when `discovery.cloudMap` is set. */
  cloudMapServiceArn?: string;
  /** ARN of the Cloud Map namespace `serviceConnectConfiguration.namespaceRef` names, once resolved. */
  serviceConnectNamespaceArn?: string;
}

/** Both inputs: create on first reconcile, update afterwards. */
export interface RenderedEcsService {
  create: CreateServiceCommandInput;
  update: UpdateServiceCommandInput;
}

/** Container and port that SRV records point at: `cloudMap.port` if set, else the first port of any container. */
export function srvTarget(spec: FargateServiceSpec): { containerName: string; containerPort: number } {
  const wanted = spec.discovery?.cloudMap?.port;
  for (const container of spec.containers) {
    for (const port of container.ports ?? []) {
      // A port range has no single port for an SRV record.
      if (port.containerPort === undefined) continue;
      if (wanted === undefined || port.containerPort === wanted) {
        return { containerName: container.name, containerPort: port.containerPort };
      }
    }
  }
  throw new RenderError(
    wanted === undefined
      ? "SRV records need a container port, and no container has ports"
      : `discovery.cloudMap.port ${wanted} is not a containerPort of any container`,
  );
}

function serviceRegistriesOf(spec: FargateServiceSpec, refs: EcsServiceRefs): ServiceRegistry[] {
  const cloudMap = spec.discovery?.cloudMap;
  if (cloudMap === undefined) return [];
  if (refs.cloudMapServiceArn === undefined) {
    throw new RenderError("discovery.cloudMap is set but the Cloud Map service ARN is not known yet");
  }
  const registry: ServiceRegistry = { registryArn: refs.cloudMapServiceArn };
  if (cloudMap.records.includes("SRV")) Object.assign(registry, srvTarget(spec));
  return [registry];
}

function networkOf(spec: FargateServiceSpec): NetworkConfiguration {
  return {
    awsvpcConfiguration: {
      subnets: [...spec.network.subnets],
      ...(spec.network.securityGroups === undefined
        ? {}
        : { securityGroups: [...spec.network.securityGroups] }),
      assignPublicIp: spec.network.assignPublicIp ? "ENABLED" : "DISABLED",
    },
  };
}

function deploymentOf(spec: FargateServiceSpec): DeploymentConfiguration {
  const d = spec.deployment;
  const out: DeploymentConfiguration = {
    deploymentCircuitBreaker: { enable: d.circuitBreaker.enable, rollback: d.circuitBreaker.rollback },
    minimumHealthyPercent: d.minimumHealthyPercent,
    maximumPercent: d.maximumPercent,
  };
  // ECS's own deployment members, only when set (the diff compares only the members we send).
  if (d.alarms !== undefined) out.alarms = structuredClone(d.alarms);
  if (d.bakeTimeInMinutes !== undefined) out.bakeTimeInMinutes = d.bakeTimeInMinutes;
  if (d.strategy !== undefined) out.strategy = d.strategy;
  if (d.linearConfiguration !== undefined) out.linearConfiguration = structuredClone(d.linearConfiguration);
  if (d.canaryConfiguration !== undefined) out.canaryConfiguration = structuredClone(d.canaryConfiguration);
  if (d.lifecycleHooks !== undefined) out.lifecycleHooks = structuredClone(d.lifecycleHooks);
  return out;
}

/** ECS's serviceConnectConfiguration: the spec's, with namespaceRef replaced by the namespace's ARN. */
function serviceConnectOf(
  spec: FargateServiceSpec,
  refs: EcsServiceRefs,
): ServiceConnectConfiguration | undefined {
  const connect = spec.serviceConnectConfiguration;
  if (connect === undefined) return undefined;
  const { namespaceRef, ...rest } = structuredClone(connect);
  if (namespaceRef === undefined) return rest; // ECS uses the cluster's default namespace
  if (refs.serviceConnectNamespaceArn === undefined) {
    throw new RenderError(
      "serviceConnectConfiguration.namespaceRef is set but the Cloud Map namespace ARN is not known yet",
    );
  }
  return { ...rest, namespace: refs.serviceConnectNamespaceArn };
}

/** The ECS service fields a spec may set, shared by create and update (defaults written out for the diff). */
function serviceFieldsOf(spec: FargateServiceSpec, refs: EcsServiceRefs) {
  const out: Pick<
    UpdateServiceCommandInput,
    | "loadBalancers"
    | "healthCheckGracePeriodSeconds"
    | "capacityProviderStrategy"
    | "enableExecuteCommand"
    | "platformVersion"
    | "serviceConnectConfiguration"
    | "vpcLatticeConfigurations"
    | "availabilityZoneRebalancing"
  > = {
    // Always sent (empty = none), so removing the last load balancer detaches it.
    loadBalancers: structuredClone(spec.loadBalancers ?? []),
    enableExecuteCommand: spec.enableExecuteCommand ?? false,
  };
  if (spec.healthCheckGracePeriodSeconds !== undefined) {
    out.healthCheckGracePeriodSeconds = spec.healthCheckGracePeriodSeconds;
  }
  if (spec.capacityProviderStrategy !== undefined) {
    out.capacityProviderStrategy = structuredClone(spec.capacityProviderStrategy);
  }
  if (spec.platformVersion !== undefined) out.platformVersion = spec.platformVersion;
  // Sent only when set: unsetting them leaves ECS's value (like the grace period).
  const connect = serviceConnectOf(spec, refs);
  if (connect !== undefined) out.serviceConnectConfiguration = connect;
  if (spec.vpcLatticeConfigurations !== undefined) {
    out.vpcLatticeConfigurations = structuredClone(spec.vpcLatticeConfigurations);
  }
  if (spec.availabilityZoneRebalancing !== undefined) {
    out.availabilityZoneRebalancing = spec.availabilityZoneRebalancing;
  }
  return out;
}

/** Renders the ECS service inputs of a FargateService. */
export function renderEcsService(
  spec: FargateServiceSpec,
  context: RenderContext,
  refs: EcsServiceRefs,
): RenderedEcsService {
  const name = ecsName(context.metadata);
  const serviceRegistries = serviceRegistriesOf(spec, refs);
  const serviceFields = serviceFieldsOf(spec, refs);
  const propagateTags = spec.propagateTags ?? "SERVICE";
  const enableECSManagedTags = spec.enableECSManagedTags ?? true;
  const create: CreateServiceCommandInput = {
    cluster: spec.cluster,
    serviceName: name,
    taskDefinition: refs.taskDefinitionArn,
    desiredCount: spec.desiredCount,
    // A capacity provider strategy (FARGATE/FARGATE_SPOT) replaces the launch type; ECS refuses both.
    ...(spec.capacityProviderStrategy === undefined ? { launchType: "FARGATE" as const } : {}),
    networkConfiguration: networkOf(spec),
    deploymentConfiguration: deploymentOf(spec),
    serviceRegistries,
    ...serviceFields,
    // Only ECS is accepted; the controller is fixed at creation, so it is never part of an update.
    ...(spec.deploymentController === undefined ? {} : { deploymentController: { type: "ECS" as const } }),
    tags: [
      ...userTags(spec),
      ...ownershipTags(context.metadata),
      deletionPolicyTag(spec),
      ...(spec.autoscaling === undefined ? [] : [[TagKey.Autoscaling, "true"] as [string, string]]),
    ].map(([key, value]) => ({
      key,
      value,
    })),
    propagateTags,
    enableECSManagedTags,
    clientToken: clientTokenOf(context.metadata),
  };
  const update: UpdateServiceCommandInput = {
    cluster: spec.cluster,
    service: name,
    taskDefinition: refs.taskDefinitionArn,
    // With autoscaling the scaler owns the count of a running service: never sent again (DESIGN §11).
    ...(spec.autoscaling === undefined ? { desiredCount: spec.desiredCount } : {}),
    networkConfiguration: networkOf(spec),
    deploymentConfiguration: deploymentOf(spec),
    serviceRegistries,
    ...serviceFields,
    propagateTags,
    enableECSManagedTags,
  };
  return { create, update };
}
