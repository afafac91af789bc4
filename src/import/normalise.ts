/**
 * ECS definitions in a comparable form: ECS's defaults filled in, lists ECS treats as sets sorted, numbers as
 * numbers, and only the members a user writes (response-only and operator-owned parts left out). Two
 * definitions ECS would run the same way normalise to the same value. Pure.
 */
import { isRecord, type JsonRecord } from "./values.js";

/** Where the definitions live, for turning role and parameter names into ARNs the way ECS does. */
export interface RoleContext {
  accountId?: string;
  partition?: string;
  region?: string;
}

/** RegisterTaskDefinition members compared (family, tags and the container list are handled apart). */
const TASK_MEMBERS = [
  "taskRoleArn",
  "executionRoleArn",
  "networkMode",
  "volumes",
  "placementConstraints",
  "requiresCompatibilities",
  "cpu",
  "memory",
  "pidMode",
  "ipcMode",
  "proxyConfiguration",
  "inferenceAccelerators",
  "ephemeralStorage",
  "runtimePlatform",
  "enableFaultInjection",
];

/** CreateService members compared (names, task definition, registries, tags and token are the operator's). */
const SERVICE_MEMBERS = [
  "cluster",
  "availabilityZoneRebalancing",
  "loadBalancers",
  "desiredCount",
  "launchType",
  "capacityProviderStrategy",
  "platformVersion",
  "deploymentConfiguration",
  "placementConstraints",
  "placementStrategy",
  "networkConfiguration",
  "healthCheckGracePeriodSeconds",
  "schedulingStrategy",
  "deploymentController",
  "enableECSManagedTags",
  "propagateTags",
  "enableExecuteCommand",
  "serviceConnectConfiguration",
  "volumeConfigurations",
  "vpcLatticeConfigurations",
];

/** Task CPU units from 256, "256", "1 vCPU" or "0.25 vCPU"; undefined for anything else. */
export function parseCpu(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  const m = typeof value === "string" ? /^\s*(\d+(?:\.\d+)?)\s*(vcpu)?\s*$/i.exec(value) : null;
  if (!m) return undefined;
  return m[2] === undefined ? Number(m[1]) : Math.round(Number(m[1]) * 1024);
}

/** Task memory in MiB from 512, "512", "512 MiB", "2 GB" or "2GB"; undefined for anything else. */
export function parseMemory(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  const m = typeof value === "string" ? /^\s*(\d+(?:\.\d+)?)\s*(gb|gib|mb|mib)?\s*$/i.exec(value) : null;
  if (!m) return undefined;
  return m[2]?.toLowerCase().startsWith("g") ? Math.round(Number(m[1]) * 1024) : Number(m[1]);
}

/** A value some tool fills in later (`{{ … }}`, `${…}`, `<IMAGE>`): never taken for a role or parameter name. */
export const PLACEHOLDER = /\{\{|\$\{|<[A-Za-z_][A-Za-z0-9_-]*>/;

/** Canonical JSON (sorted keys), for comparing and sorting. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** Drops null, empty lists and empty objects everywhere (ECS reads them as absent). */
function prune(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(prune).filter((v) => v !== undefined);
    return items.length === 0 ? undefined : items;
  }
  if (isRecord(value)) {
    const out: JsonRecord = {};
    for (const [k, v] of Object.entries(value)) {
      const p = prune(v);
      if (p !== undefined) out[k] = p;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return value === null || value === "" ? undefined : value;
}

const asSet = (value: unknown): unknown =>
  Array.isArray(value) ? [...value].sort((a, b) => (canonical(a) < canonical(b) ? -1 : 1)) : value;
const num = (value: unknown): unknown =>
  typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : value;

function withDefaults(value: unknown, defaults: JsonRecord): JsonRecord | undefined {
  if (!isRecord(value)) return undefined;
  return {
    ...defaults,
    ...Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)),
  };
}

/** A role name as ECS reads it: a bare name is a role of the account (when the account is known). */
export function roleArnOf(value: unknown, roles: RoleContext): unknown {
  if (typeof value !== "string" || value.startsWith("arn:") || PLACEHOLDER.test(value)) return value;
  if (roles.accountId === undefined) return value;
  return `arn:${roles.partition ?? "aws"}:iam::${roles.accountId}:role/${value}`;
}

/**
 * A secret's `valueFrom` as ECS reads it: a bare SSM parameter name is a parameter of the task's account and
 * region (written as its ARN when both are known).
 */
export function secretArnOf(value: unknown, roles: RoleContext): unknown {
  if (typeof value !== "string" || value.startsWith("arn:") || PLACEHOLDER.test(value)) return value;
  if (roles.accountId === undefined || roles.region === undefined) return value;
  return `arn:${roles.partition ?? "aws"}:ssm:${roles.region}:${roles.accountId}:parameter/${value.replace(/^\//, "")}`;
}

function keyValueMap(list: unknown, valueKey: string): unknown {
  if (!Array.isArray(list)) return list;
  const map: JsonRecord = {};
  for (const item of list) {
    if (isRecord(item) && typeof item.name === "string" && !(item.name in map)) {
      map[item.name] = String(item[valueKey] ?? "");
    }
  }
  return map;
}

function container(raw: JsonRecord, roles: RoleContext): JsonRecord {
  const c: JsonRecord = { ...raw, essential: raw.essential ?? true, cpu: num(raw.cpu ?? 0) };
  for (const key of ["memory", "memoryReservation", "startTimeout", "stopTimeout"]) c[key] = num(raw[key]);
  if (Array.isArray(raw.portMappings)) {
    c.portMappings = asSet(
      raw.portMappings.filter(isRecord).map((p) => ({
        ...p,
        containerPort: num(p.containerPort),
        hostPort: num(p.hostPort ?? p.containerPort),
        protocol: typeof p.protocol === "string" ? p.protocol.toLowerCase() : "tcp",
      })),
    );
  }
  c.environment = keyValueMap(raw.environment, "value");
  const secrets = keyValueMap(raw.secrets, "valueFrom");
  c.secrets = isRecord(secrets)
    ? Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, secretArnOf(v, roles)]))
    : secrets;
  if (isRecord(raw.healthCheck)) {
    c.healthCheck = withDefaults(raw.healthCheck, { interval: 30, timeout: 5, retries: 3, startPeriod: 0 });
  }
  const readOnly = (list: unknown) =>
    Array.isArray(list)
      ? asSet(list.filter(isRecord).map((m) => ({ ...m, readOnly: m.readOnly ?? false })))
      : list;
  c.mountPoints = readOnly(raw.mountPoints);
  c.volumesFrom = readOnly(raw.volumesFrom);
  for (const key of [
    "dependsOn",
    "environmentFiles",
    "ulimits",
    "systemControls",
    "resourceRequirements",
    "extraHosts",
    "credentialSpecs",
  ]) {
    c[key] = asSet(raw[key]);
  }
  // Flags ECS reads as off when absent.
  for (const key of [
    "privileged",
    "disableNetworking",
    "interactive",
    "pseudoTerminal",
    "readonlyRootFilesystem",
  ]) {
    if (c[key] === false) delete c[key];
  }
  return c;
}

/** A task definition (register input or describe output) in comparable form; containers keyed by name. */
export function normaliseTaskDefinition(td: JsonRecord, roles: RoleContext = {}): JsonRecord {
  const out: JsonRecord = {};
  for (const key of TASK_MEMBERS) out[key] = td[key];
  out.networkMode = td.networkMode ?? "awsvpc";
  out.requiresCompatibilities = asSet(td.requiresCompatibilities ?? ["FARGATE"]);
  out.cpu = parseCpu(td.cpu) ?? td.cpu;
  out.memory = parseMemory(td.memory) ?? td.memory;
  out.runtimePlatform = withDefaults(td.runtimePlatform ?? {}, {
    cpuArchitecture: "X86_64",
    operatingSystemFamily: "LINUX",
  });
  out.enableFaultInjection = td.enableFaultInjection ?? false;
  out.taskRoleArn = roleArnOf(td.taskRoleArn, roles);
  out.executionRoleArn = roleArnOf(td.executionRoleArn, roles);
  out.volumes = asSet(td.volumes);
  const containers: JsonRecord = {};
  for (const raw of Array.isArray(td.containerDefinitions) ? td.containerDefinitions : []) {
    if (isRecord(raw)) containers[String(raw.name)] = container(raw, roles);
  }
  out.containers = containers;
  return (prune(out) as JsonRecord | undefined) ?? {};
}

/** A service (create-service input or describe output) in comparable form. */
export function normaliseService(service: JsonRecord): JsonRecord {
  const out: JsonRecord = {};
  for (const key of SERVICE_MEMBERS) out[key] = service[key];
  const cluster = service.cluster ?? service.clusterArn ?? "default";
  out.cluster =
    typeof cluster === "string" ? cluster.replace(/^arn:[^:]+:ecs:[^:]*:[^:]*:cluster\//, "") : cluster;
  const strategy = Array.isArray(service.capacityProviderStrategy) ? service.capacityProviderStrategy : [];
  out.launchType = strategy.length > 0 ? undefined : (service.launchType ?? "FARGATE");
  out.capacityProviderStrategy = asSet(strategy.filter(isRecord).map((i) => ({ weight: 0, base: 0, ...i })));
  out.loadBalancers = asSet(service.loadBalancers);
  out.platformVersion = service.platformVersion ?? "LATEST";
  out.healthCheckGracePeriodSeconds = service.healthCheckGracePeriodSeconds ?? 0;
  out.enableExecuteCommand = service.enableExecuteCommand ?? false;
  out.propagateTags = service.propagateTags ?? "NONE";
  out.enableECSManagedTags = service.enableECSManagedTags ?? false;
  out.schedulingStrategy = service.schedulingStrategy ?? "REPLICA";
  out.deploymentController = withDefaults(service.deploymentController ?? {}, { type: "ECS" });
  out.availabilityZoneRebalancing = service.availabilityZoneRebalancing ?? "ENABLED";
  const awsvpc = isRecord(service.networkConfiguration)
    ? service.networkConfiguration.awsvpcConfiguration
    : undefined;
  if (isRecord(awsvpc)) {
    out.networkConfiguration = {
      awsvpcConfiguration: {
        ...awsvpc,
        subnets: asSet(awsvpc.subnets),
        securityGroups: asSet(awsvpc.securityGroups),
        assignPublicIp: awsvpc.assignPublicIp ?? "DISABLED",
      },
    };
  }
  const config = isRecord(service.deploymentConfiguration) ? service.deploymentConfiguration : {};
  const alarms = isRecord(config.alarms) ? config.alarms : {};
  const alarmsOn =
    alarms.enable === true || (Array.isArray(alarms.alarmNames) && alarms.alarmNames.length > 0);
  out.deploymentConfiguration = {
    ...config,
    minimumHealthyPercent: config.minimumHealthyPercent ?? 100,
    maximumPercent: config.maximumPercent ?? 200,
    deploymentCircuitBreaker: withDefaults(config.deploymentCircuitBreaker ?? {}, {
      enable: false,
      rollback: false,
    }),
    alarms: alarmsOn ? withDefaults(alarms, { enable: false, rollback: false, alarmNames: [] }) : undefined,
    bakeTimeInMinutes: config.bakeTimeInMinutes ?? 0,
    strategy: config.strategy ?? "ROLLING",
  };
  return (prune(out) as JsonRecord | undefined) ?? {};
}
