/**
 * Compares our rendered UpdateService input with the service ECS describes, after normalising what ECS fills
 * in or reorders, so a service in steady state never differs (and is never updated forever). Pure.
 */
import type { EcsService, EcsUpdateServiceInput } from "../../aws/types.js";

/** The UpdateService members the reconciler manages, in the order differences are reported. */
export const SERVICE_FIELDS = [
  "taskDefinition",
  "desiredCount",
  "networkConfiguration",
  "deploymentConfiguration",
  "serviceRegistries",
  "propagateTags",
  "enableECSManagedTags",
  "loadBalancers",
  "healthCheckGracePeriodSeconds",
  "capacityProviderStrategy",
  "enableExecuteCommand",
  "platformVersion",
  "serviceConnectConfiguration",
  "vpcLatticeConfigurations",
  "availabilityZoneRebalancing",
] as const;

/** One UpdateService member the reconciler manages. */
export type ServiceField = (typeof SERVICE_FIELDS)[number];

/** One managed member whose desired value ECS does not have (raw values, for logs and messages). */
export interface ServiceDifference {
  field: ServiceField;
  desired: unknown;
  observed: unknown;
}

type NetworkConfiguration = NonNullable<EcsUpdateServiceInput["networkConfiguration"]>;
type ServiceRegistry = NonNullable<EcsUpdateServiceInput["serviceRegistries"]>[number];
type DeploymentConfiguration = NonNullable<EcsUpdateServiceInput["deploymentConfiguration"]>;
type LoadBalancer = NonNullable<EcsUpdateServiceInput["loadBalancers"]>[number];
type StrategyItem = NonNullable<EcsUpdateServiceInput["capacityProviderStrategy"]>[number];

/** Sorted, without duplicates: lists ECS treats as sets. */
const asSet = (values: readonly string[] | undefined): string[] => [...new Set(values ?? [])].sort();

/** The awsvpc configuration as a comparable string; ECS may reorder lists and omits a DISABLED public IP. */
function networkKey(config: NetworkConfiguration | undefined): string | undefined {
  const awsvpc = config?.awsvpcConfiguration;
  if (awsvpc === undefined) return undefined;
  return JSON.stringify({
    subnets: asSet(awsvpc.subnets),
    securityGroups: asSet(awsvpc.securityGroups),
    assignPublicIp: awsvpc.assignPublicIp ?? "DISABLED",
  });
}

/** Registries as a sorted set of comparable strings (only the members we set; a missing one is undefined). */
function registriesKey(registries: readonly ServiceRegistry[] | undefined): string {
  const keys = (registries ?? []).map((r) =>
    JSON.stringify([r.registryArn, r.containerName, r.containerPort, r.port]),
  );
  return JSON.stringify(asSet(keys));
}

/** Load balancers as a sorted set of comparable strings; ECS may reorder them. */
function loadBalancersKey(balancers: readonly LoadBalancer[] | undefined): string {
  const keys = (balancers ?? []).map(canonical);
  return JSON.stringify(asSet(keys));
}

/** A capacity provider strategy as a sorted set; ECS fills in weight and base 0. */
function strategyKey(strategy: readonly StrategyItem[] | undefined): string {
  const keys = (strategy ?? []).map((i) => JSON.stringify([i.capacityProvider, i.weight ?? 0, i.base ?? 0]));
  return JSON.stringify(asSet(keys));
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);

/** Canonical JSON (sorted keys) so arrays of objects compare regardless of key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isPlainObject(value)) {
    const entries = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}

/**
 * True when `observed` agrees with every member `desired` sets: objects are compared member by member (ECS adds
 * members of its own, e.g. alarms, strategy, bakeTime, Service Connect's discoveryName), arrays as multisets
 * whose items pair off one to one (each desired item with an observed item it matches), anything else strictly.
 */
function matchesSubset(desired: unknown, observed: unknown): boolean {
  if (desired === undefined) return true;
  if (Array.isArray(desired)) {
    if (!Array.isArray(observed) || observed.length !== desired.length) return false;
    const left = [...observed];
    return desired.every((item) => {
      const i = left.findIndex((candidate) => matchesSubset(item, candidate));
      if (i < 0) return false;
      left.splice(i, 1);
      return true;
    });
  }
  if (isPlainObject(desired)) {
    const other = isPlainObject(observed) ? observed : {};
    return Object.keys(desired).every((k) => matchesSubset(desired[k], other[k]));
  }
  return desired === observed;
}

/** The observed deployment configuration with ECS's documented defaults where a member is missing. */
function withEcsDeploymentDefaults(config: DeploymentConfiguration | undefined): DeploymentConfiguration {
  const breaker = config?.deploymentCircuitBreaker;
  return {
    ...config,
    // Replica services default to 100/200 percent and no circuit breaker.
    minimumHealthyPercent: config?.minimumHealthyPercent ?? 100,
    maximumPercent: config?.maximumPercent ?? 200,
    deploymentCircuitBreaker: {
      ...breaker,
      enable: breaker?.enable ?? false,
      rollback: breaker?.rollback ?? false,
    },
    // Compared only when the spec sets them; ECS may omit them when off or zero.
    alarms: {
      ...config?.alarms,
      alarmNames: config?.alarms?.alarmNames ?? [],
      enable: config?.alarms?.enable ?? false,
      rollback: config?.alarms?.rollback ?? false,
    },
    bakeTimeInMinutes: config?.bakeTimeInMinutes ?? 0,
    strategy: config?.strategy ?? "ROLLING",
  };
}

type ServiceConnect = NonNullable<EcsUpdateServiceInput["serviceConnectConfiguration"]>;

/** ECS reports Service Connect and VPC Lattice only on deployments: the PRIMARY one is the newest. */
function primaryDeployment(observed: EcsService) {
  return observed.deployments?.find((d) => d.status === "PRIMARY");
}

/**
 * Service Connect as ECS has it: we send the namespace's ARN; ECS may report it by ARN or by name (a name is the
 * namespace we sent), and fills in discoveryName, aliases' dnsName and the like, which are compared only when set.
 */
function serviceConnectMatches(desired: ServiceConnect, observed: ServiceConnect | undefined): boolean {
  const { namespace, ...rest } = desired;
  const seen = observed ?? { enabled: false };
  const seenNamespace = seen.namespace;
  const namespaceOk =
    namespace === undefined ||
    seenNamespace === namespace ||
    (seenNamespace !== undefined && !seenNamespace.startsWith("arn:"));
  return namespaceOk && matchesSubset(rest, seen);
}

function differs(field: ServiceField, desired: EcsUpdateServiceInput, observed: EcsService): boolean {
  switch (field) {
    case "taskDefinition":
      return desired.taskDefinition !== observed.taskDefinition;
    case "desiredCount":
      return desired.desiredCount !== (observed.desiredCount ?? 0);
    case "networkConfiguration":
      return networkKey(desired.networkConfiguration) !== networkKey(observed.networkConfiguration);
    case "deploymentConfiguration":
      return !matchesSubset(
        desired.deploymentConfiguration,
        withEcsDeploymentDefaults(observed.deploymentConfiguration),
      );
    case "serviceRegistries":
      return registriesKey(desired.serviceRegistries) !== registriesKey(observed.serviceRegistries);
    case "propagateTags":
      return desired.propagateTags !== (observed.propagateTags ?? "NONE");
    case "enableECSManagedTags":
      return desired.enableECSManagedTags !== (observed.enableECSManagedTags ?? false);
    case "loadBalancers":
      return loadBalancersKey(desired.loadBalancers) !== loadBalancersKey(observed.loadBalancers);
    case "healthCheckGracePeriodSeconds":
      return desired.healthCheckGracePeriodSeconds !== (observed.healthCheckGracePeriodSeconds ?? 0);
    case "capacityProviderStrategy":
      return strategyKey(desired.capacityProviderStrategy) !== strategyKey(observed.capacityProviderStrategy);
    case "enableExecuteCommand":
      return desired.enableExecuteCommand !== (observed.enableExecuteCommand ?? false);
    case "platformVersion":
      return desired.platformVersion !== (observed.platformVersion ?? "LATEST");
    case "serviceConnectConfiguration":
      return (
        desired.serviceConnectConfiguration !== undefined &&
        !serviceConnectMatches(
          desired.serviceConnectConfiguration,
          primaryDeployment(observed)?.serviceConnectConfiguration,
        )
      );
    case "vpcLatticeConfigurations":
      return !matchesSubset(
        desired.vpcLatticeConfigurations,
        primaryDeployment(observed)?.vpcLatticeConfigurations ?? [],
      );
    case "availabilityZoneRebalancing":
      return desired.availabilityZoneRebalancing !== (observed.availabilityZoneRebalancing ?? "DISABLED");
  }
}

/** What ECS has for `field` (Service Connect and VPC Lattice live on the PRIMARY deployment). */
function observedValue(field: ServiceField, observed: EcsService): unknown {
  if (field === "serviceConnectConfiguration" || field === "vpcLatticeConfigurations") {
    return primaryDeployment(observed)?.[field];
  }
  return observed[field];
}

/**
 * The managed members where ECS differs from `desired`, in {@link SERVICE_FIELDS} order. A member `desired` does
 * not set is not compared. Empty when the service is in the desired state.
 */
export function diffService(desired: EcsUpdateServiceInput, observed: EcsService): ServiceDifference[] {
  const out: ServiceDifference[] = [];
  for (const field of SERVICE_FIELDS) {
    if (desired[field] === undefined) continue;
    if (differs(field, desired, observed)) {
      out.push({ field, desired: desired[field], observed: observedValue(field, observed) });
    }
  }
  return out;
}

/**
 * The UpdateService input that repairs `differences`: `cluster`, `service` and only the differing members, so a
 * desiredCount-only change does not also resend the task definition. (ECS starts a new deployment for a changed
 * task definition, network configuration, service registries, load balancers, capacity provider strategy or
 * platform version whatever else is sent; desiredCount,
 * deploymentConfiguration, propagateTags and enableECSManagedTags alone do not.)
 */
export function desiredUpdateFor(
  desired: EcsUpdateServiceInput,
  differences: readonly ServiceDifference[],
): EcsUpdateServiceInput {
  const update: EcsUpdateServiceInput = { service: desired.service };
  if (desired.cluster !== undefined) update.cluster = desired.cluster;
  const fields = new Set(differences.map((d) => d.field));
  for (const field of SERVICE_FIELDS) {
    if (!fields.has(field)) continue;
    copyField(update, desired, field);
  }
  return update;
}

function copyField(update: EcsUpdateServiceInput, desired: EcsUpdateServiceInput, field: ServiceField): void {
  if (desired[field] !== undefined) Object.assign(update, { [field]: desired[field] });
}
