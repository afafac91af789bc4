/**
 * The RegisterTaskDefinition input of a FargateService and its content hash. Everything ECS would default is
 * written out and the hash is taken over canonical (key-sorted) JSON without the tags, so an unchanged spec
 * always yields the same hash and the controller registers no new revision. Pure.
 */
import type {
  ContainerDefinition,
  KeyValuePair,
  RegisterTaskDefinitionCommandInput,
  Secret,
} from "@aws-sdk/client-ecs";
import {
  type ContainerSpec,
  DEFAULTS,
  ECS_CONTAINER_FIELDS,
  type FargateServiceSpec,
  specHash,
} from "../crds/index.js";
import { ecsName, ownershipTags, type RenderContext, TagKey, taskDefinitionUserTags } from "./names.js";
import { renderVaultAgent } from "./vault-agent.js";

/** A rendered task definition: the input to register and the content hash it is tagged with. */
export interface RenderedTaskDefinition {
  input: RegisterTaskDefinitionCommandInput;
  hash: string;
}

function byName<T extends { name?: string | undefined }>(a: T, b: T): number {
  return (a.name ?? "") < (b.name ?? "") ? -1 : (a.name ?? "") > (b.name ?? "") ? 1 : 0;
}

/** `environment{}` → ECS `[{name, value}]`, sorted by name. */
export function environmentOf(environment: Record<string, string> | undefined): KeyValuePair[] {
  return Object.entries(environment ?? {})
    .map(([name, value]) => ({ name, value }))
    .sort(byName);
}

/** `secrets{}` → ECS `[{name, valueFrom}]` (ARNs only, never values), sorted by name. */
export function secretsOf(secrets: Record<string, string> | undefined): Secret[] {
  return Object.entries(secrets ?? {})
    .map(([name, valueFrom]) => ({ name, valueFrom }))
    .sort(byName);
}

/** awslogs settings of the task, when `spec.logging` is set. */
export function logConfigurationOf(
  spec: FargateServiceSpec,
  region: string,
): ContainerDefinition["logConfiguration"] {
  if (spec.logging === undefined) return undefined;
  return {
    logDriver: "awslogs",
    options: {
      "awslogs-group": spec.logging.logGroup,
      "awslogs-region": region,
      "awslogs-stream-prefix": spec.logging.streamPrefix,
    },
  };
}

function appContainer(container: ContainerSpec, logConfiguration: ContainerDefinition["logConfiguration"]) {
  const out: ContainerDefinition = {
    name: container.name,
    image: container.image,
    essential: container.essential,
  };
  if (container.command !== undefined) out.command = [...container.command];
  if (container.entryPoint !== undefined) out.entryPoint = [...container.entryPoint];
  // awsvpc: hostPort always equals containerPort; written out so the hash matches what ECS stores.
  // A range maps the same range on the task's IP; ECS takes no hostPort with it.
  out.portMappings = (container.ports ?? []).map((port) => ({
    ...(port.containerPort === undefined
      ? {}
      : { containerPort: port.containerPort, hostPort: port.containerPort }),
    ...(port.containerPortRange === undefined ? {} : { containerPortRange: port.containerPortRange }),
    protocol: port.protocol,
    ...(port.name === undefined ? {} : { name: port.name }),
    ...(port.appProtocol === undefined ? {} : { appProtocol: port.appProtocol }),
  }));
  out.environment = environmentOf(container.environment);
  out.secrets = secretsOf(container.secrets);
  if (container.healthCheck !== undefined) {
    const check = container.healthCheck;
    out.healthCheck = {
      command: [...check.command],
      interval: check.intervalSeconds,
      timeout: check.timeoutSeconds,
      retries: check.retries,
      startPeriod: check.startPeriodSeconds,
    };
  }
  if (container.cpu !== undefined) out.cpu = container.cpu;
  if (container.memory !== undefined) out.memory = container.memory;
  // A copy per container, so serialisers never emit shared references (YAML anchors).
  if (logConfiguration !== undefined) out.logConfiguration = structuredClone(logConfiguration);
  out.mountPoints = [];
  out.dependsOn = [];
  // ECS's own fields reach ECS unchanged (a container's logConfiguration replaces spec.logging's awslogs);
  // they are part of the input, so the content hash covers them and a change registers a new revision.
  for (const field of ECS_CONTAINER_FIELDS) {
    const value = container[field];
    if (value !== undefined) Object.assign(out, { [field]: structuredClone(value) });
  }
  return out;
}

/** Content hash of a task-definition input: sha256 of its canonical JSON, tags left out. */
export function taskDefinitionHash(input: RegisterTaskDefinitionCommandInput): string {
  const { tags: _tags, ...content } = input;
  return specHash(content);
}

/** Renders the task definition of a FargateService (with the Vault agent when `vault` is set). */
export function renderTaskDefinition(
  spec: FargateServiceSpec,
  context: RenderContext,
): RenderedTaskDefinition {
  const logConfiguration = logConfigurationOf(spec, context.region);
  const containers = spec.containers.map((c) => appContainer(c, logConfiguration));
  const volumes: NonNullable<RegisterTaskDefinitionCommandInput["volumes"]> = structuredClone(
    spec.volumes ?? [],
  );
  const vault = spec.vault;
  if (vault !== undefined) {
    const agent = renderVaultAgent({ ...spec, vault }, context, logConfiguration);
    for (const container of containers) {
      container.mountPoints = [...(container.mountPoints ?? []), agent.appMountPoint];
      container.dependsOn = [...(container.dependsOn ?? []), agent.appDependsOn];
    }
    containers.push(agent.container);
    volumes.push(agent.volume);
  }
  const platform = spec.runtimePlatform ?? DEFAULTS.fargateService.runtimePlatform;
  const input: RegisterTaskDefinitionCommandInput = {
    family: ecsName(context.metadata),
    requiresCompatibilities: ["FARGATE"],
    networkMode: "awsvpc",
    // The task size; the agent's share is carved out of it, never added.
    cpu: String(spec.cpu),
    memory: String(spec.memory),
    runtimePlatform: {
      cpuArchitecture: platform.cpuArchitecture,
      operatingSystemFamily: platform.operatingSystemFamily,
    },
    containerDefinitions: containers,
    volumes,
  };
  // Task-level ECS fields pass through unchanged (so the content hash covers them).
  if (spec.ephemeralStorage !== undefined) input.ephemeralStorage = { ...spec.ephemeralStorage };
  if (spec.proxyConfiguration !== undefined)
    input.proxyConfiguration = structuredClone(spec.proxyConfiguration);
  if (spec.pidMode !== undefined) input.pidMode = spec.pidMode;
  if (spec.enableFaultInjection !== undefined) input.enableFaultInjection = spec.enableFaultInjection;
  if (spec.iam?.taskRoleArn !== undefined) input.taskRoleArn = spec.iam.taskRoleArn;
  if (spec.iam?.executionRoleArn !== undefined) input.executionRoleArn = spec.iam.executionRoleArn;
  const hash = taskDefinitionHash(input);
  // User tags (spec.taskDefinitionTags over spec.tags) are applied when a revision is registered; like ours
  // they are outside the hash.
  input.tags = [
    ...taskDefinitionUserTags(spec),
    ...ownershipTags(context.metadata),
    [TagKey.Hash, hash] as [string, string],
  ].map(([key, value]) => ({ key, value }));
  return { input, hash };
}
