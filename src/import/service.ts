/** ECS service fields (CreateService input or describe-services output) → FargateService spec fields. Pure. */
import type { LiveCloudMap } from "./types.js";
import { type Collector, clean, isEmpty, isRecord, type JsonRecord, TEMPLATE } from "./values.js";

/** Response-only members of describe-services output and operator-owned ones: ignored. */
const IGNORED = new Set([
  "serviceArn",
  "serviceName",
  "clusterArn",
  "cluster",
  "status",
  "runningCount",
  "pendingCount",
  "deployments",
  "events",
  "createdAt",
  "createdBy",
  "taskSets",
  "roleArn",
  "role",
  "taskDefinition",
  "clientToken",
  "platformFamily",
  "currentServiceDeployment",
  "currentServiceRevisions",
  "resourceManagementType",
  "tags",
  "serviceRegistries",
]);
const PASSED = new Set([
  "loadBalancers",
  "capacityProviderStrategy",
  "platformVersion",
  "vpcLatticeConfigurations",
]);

/** The cluster name of a service: `cluster` (name or ARN) or `clusterArn`; ECS's `default` when neither. */
function clusterOf(service: JsonRecord, out: Collector): string {
  const given = typeof service.cluster === "string" ? service.cluster : service.clusterArn;
  if (typeof given === "string" && given !== "") {
    const match = /^arn:[^:]+:ecs:[^:]*:[^:]*:cluster\/(.+)$/.exec(given);
    return match?.[1] ?? given;
  }
  out.note(
    "spec.cluster: the service names no cluster; written as ECS's own default, `default` (change it if your tool adds one)",
  );
  return "default";
}

function networkOf(value: unknown, out: Collector): JsonRecord | undefined {
  if (!isRecord(value)) return undefined;
  const awsvpc = value.awsvpcConfiguration;
  if (!isRecord(awsvpc)) {
    out.lose("networkConfiguration", "only awsvpcConfiguration applies to Fargate");
    return undefined;
  }
  const network: JsonRecord = {};
  if (awsvpc.subnets !== undefined) network.subnets = awsvpc.subnets;
  if (awsvpc.securityGroups !== undefined) network.securityGroups = awsvpc.securityGroups;
  if (isEmpty(awsvpc.securityGroups)) {
    delete network.securityGroups;
    out.note(
      "networkConfiguration.awsvpcConfiguration.securityGroups: none given: ECS uses the VPC's default security group, and so does the document (spec.network names none)",
    );
  }
  const publicIp = awsvpc.assignPublicIp;
  if (publicIp === "ENABLED" || publicIp === "DISABLED") network.assignPublicIp = publicIp === "ENABLED";
  else if (!isEmpty(publicIp)) {
    const template = typeof publicIp === "string" && TEMPLATE.test(publicIp);
    out.lose(
      "networkConfiguration.awsvpcConfiguration.assignPublicIp",
      template
        ? `template expression ${JSON.stringify(publicIp)} where ECS wants ENABLED or DISABLED; a FargateService cannot carry it (put the value in)`
        : `${JSON.stringify(publicIp)} is not ENABLED or DISABLED`,
    );
  }
  for (const key of Object.keys(awsvpc)) {
    if (!["subnets", "securityGroups", "assignPublicIp"].includes(key)) {
      out.lose(
        `networkConfiguration.awsvpcConfiguration.${key}`,
        "not an awsvpc member a FargateService carries",
      );
    }
  }
  return network;
}

/** spec.deployment from deploymentConfiguration; the circuit breaker is written as ECS has it (ours defaults on). */
function deploymentOf(value: unknown, out: Collector): JsonRecord {
  const config = isRecord(value) ? value : {};
  const breaker = isRecord(config.deploymentCircuitBreaker) ? config.deploymentCircuitBreaker : {};
  const at = "deploymentConfiguration";
  const deployment: JsonRecord = {
    circuitBreaker: {
      enable: out.boolean(breaker.enable, `${at}.deploymentCircuitBreaker.enable`) ?? false,
      rollback: out.boolean(breaker.rollback, `${at}.deploymentCircuitBreaker.rollback`) ?? false,
    },
  };
  for (const key of ["minimumHealthyPercent", "maximumPercent", "bakeTimeInMinutes"]) {
    const n = out.number(config[key], `${at}.${key}`);
    if (n !== undefined) deployment[key] = n;
  }
  const alarms = config.alarms;
  if (isRecord(alarms) && (alarms.enable === true || !isEmpty(alarms.alarmNames))) {
    deployment.alarms = structuredClone(alarms);
  }
  // Blue/green, linear and canary settings keep ECS's names; validation judges whether the spec takes them.
  if (config.strategy !== undefined && config.strategy !== "ROLLING") deployment.strategy = config.strategy;
  for (const key of ["lifecycleHooks", "linearConfiguration", "canaryConfiguration"]) {
    if (!isEmpty(config[key])) deployment[key] = structuredClone(config[key]);
  }
  for (const key of Object.keys(config)) {
    const known = [
      "deploymentCircuitBreaker",
      "alarms",
      "strategy",
      "minimumHealthyPercent",
      "maximumPercent",
    ];
    if (!known.includes(key) && !(key in deployment)) {
      if (!isEmpty(config[key]))
        out.lose(`${at}.${key}`, "not a deployment setting a FargateService carries");
    }
  }
  return deployment;
}

/** The spec fields a service gives. `cloudMap`: the registry's Cloud Map service, when read live. */
export function serviceSpecOf(service: JsonRecord, out: Collector, cloudMap?: LiveCloudMap): JsonRecord {
  const spec: JsonRecord = { cluster: clusterOf(service, out) };
  const count = out.number(service.desiredCount, "desiredCount");
  if (count !== undefined) spec.desiredCount = count;
  else if (service.desiredCount === undefined) {
    out.note(
      "spec.desiredCount: the service gives no desired count; the spec's default, 1, applies (set yours)",
    );
  }
  const network = networkOf(service.networkConfiguration, out);
  if (network !== undefined) spec.network = network;
  spec.deployment = deploymentOf(service.deploymentConfiguration, out);
  // Where our defaults differ from ECS's, ECS's effective value is written out.
  spec.propagateTags = isEmpty(service.propagateTags) ? "NONE" : service.propagateTags;
  spec.enableECSManagedTags = out.boolean(service.enableECSManagedTags, "enableECSManagedTags") ?? false;
  const grace = out.number(service.healthCheckGracePeriodSeconds, "healthCheckGracePeriodSeconds");
  if (grace !== undefined) spec.healthCheckGracePeriodSeconds = grace;
  const exec = out.boolean(service.enableExecuteCommand, "enableExecuteCommand");
  if (exec !== undefined) spec.enableExecuteCommand = exec;
  for (const key of PASSED) {
    const cleaned = isEmpty(service[key]) ? undefined : clean(service[key]);
    if (cleaned !== undefined) spec[key] = cleaned;
  }
  // A CreateService field under ECS's own name; validation judges whether the spec takes it (ENABLED is ECS's default).
  const rebalancing = service.availabilityZoneRebalancing;
  if (!isEmpty(rebalancing) && rebalancing !== "ENABLED") spec.availabilityZoneRebalancing = rebalancing;
  registriesOf(service.serviceRegistries, spec, out, cloudMap);
  const connect = serviceConnectOf(service.serviceConnectConfiguration, out);
  if (connect !== undefined) spec.serviceConnectConfiguration = connect;
  for (const [key, value] of Object.entries(service)) {
    if (IGNORED.has(key) || PASSED.has(key) || key in spec) continue;
    const why = refusal(key, value);
    if (why !== undefined) out.lose(key, why);
  }
  return spec;
}

/** Why a service member cannot be carried; undefined when its value is ECS's default (or handled above). */
function refusal(key: string, value: unknown): string | undefined {
  if (isEmpty(value)) return undefined;
  switch (key) {
    case "networkConfiguration":
    case "deploymentConfiguration":
    case "propagateTags":
    case "enableECSManagedTags":
    case "desiredCount":
    case "healthCheckGracePeriodSeconds":
    case "enableExecuteCommand":
    case "availabilityZoneRebalancing":
      return undefined;
    case "launchType":
      return value === "FARGATE"
        ? undefined
        : `launch type ${String(value)}: a FargateService runs on FARGATE`;
    case "schedulingStrategy":
      return value === "REPLICA"
        ? undefined
        : `scheduling strategy ${String(value)}: Fargate services are REPLICA`;
    case "placementConstraints":
    case "placementStrategy":
      return "Fargate does not use task placement";
    case "deploymentController":
      return isRecord(value) && (value.type ?? "ECS") === "ECS"
        ? undefined
        : `deployment controller ${JSON.stringify(isRecord(value) ? value.type : value)}: a FargateService deploys with ECS's own controller`;
    case "volumeConfigurations":
      return "EBS volumes configured at launch: not carried yet";
    default:
      return "not a CreateService field a FargateService carries";
  }
}

/** serviceRegistries → spec.discovery.cloudMap when the namespace is known (live), else a note. */
function registriesOf(value: unknown, spec: JsonRecord, out: Collector, cloudMap?: LiveCloudMap): void {
  const registries = Array.isArray(value) ? value.filter(isRecord) : [];
  if (registries.length === 0) return;
  if (registries.length > 1)
    out.lose("serviceRegistries[1]", "a FargateService registers in one Cloud Map service");
  if (cloudMap === undefined) {
    out.note(
      "serviceRegistries: the Cloud Map registration is the operator's; add spec.discovery.cloudMap (namespaceRef naming a CloudMapNamespace record) to keep it",
    );
    return;
  }
  const namespaceRef = recordName(cloudMap.namespaceName);
  out.note(
    `spec.discovery.cloudMap.namespaceRef: ${namespaceRef} stands for Cloud Map namespace ${cloudMap.namespaceName}; apply a CloudMapNamespace of that name (dnsName ${cloudMap.namespaceName}, adopt: true)`,
  );
  const discovery: JsonRecord = {
    namespaceRef: { name: namespaceRef },
    serviceName: cloudMap.serviceName,
    records: cloudMap.records,
  };
  if (cloudMap.dnsTtl !== undefined) discovery.dnsTtl = cloudMap.dnsTtl;
  if (cloudMap.port !== undefined) discovery.port = cloudMap.port;
  spec.discovery = { cloudMap: discovery };
}

/**
 * serviceConnectConfiguration as the spec takes it: ECS's `namespace` (a name or an ARN) becomes `namespaceRef`,
 * a CloudMapNamespace record named after it (the way discovery.cloudMap's is), noted; the rest as given.
 */
function serviceConnectOf(value: unknown, out: Collector): JsonRecord | undefined {
  if (!isRecord(value) || isEmpty(value)) return undefined;
  const { namespace, ...rest } = clean(value) as JsonRecord;
  const connect: JsonRecord = rest;
  if (typeof namespace === "string" && namespace !== "") {
    const arn = /^arn:[^:]+:servicediscovery:[^:]*:[^:]*:namespace\/(.+)$/.exec(namespace);
    const name = recordName(arn?.[1] ?? namespace);
    connect.namespaceRef = { name };
    out.note(
      `spec.serviceConnectConfiguration.namespaceRef: ${name} stands for Cloud Map namespace ${namespace}; apply a CloudMapNamespace of that name that adopts it (adopt: true)`,
    );
  } else if (namespace !== undefined) {
    out.lose(
      "serviceConnectConfiguration.namespace",
      `${JSON.stringify(namespace)} is not a namespace name or ARN`,
    );
  }
  return connect;
}

/** A valid record name (DNS label, ≤ 40 characters) made from any name. */
export function recordName(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .slice(0, 40)
    .replace(/^-+|-+$/g, "");
  return cleaned === "" ? "imported" : cleaned;
}
