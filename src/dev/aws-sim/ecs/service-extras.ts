/**
 * Service members the simulator keeps and echoes: Service Connect, VPC Lattice, Availability Zone rebalancing,
 * the deployment controller, and the deployment strategy's members (which strategy.ts acts on when a deployment
 * starts). Checks what ECS checks that is cheap to check here.
 */
import type { CloudMapState } from "../cloudmap/state.js";
import { AwsApiError } from "../errors.js";
import { field, type Input, isJsonObject, type JsonObject, objListField } from "../input.js";
import { isStrict } from "../strict.js";
import type { EcsService, EcsTaskDefinition } from "./state.js";

const invalid = (message: string) => new AwsApiError("InvalidParameterException", message);

/** deploymentConfiguration members kept as given (strategy.ts reads them). */
const ECHOED_DEPLOYMENT_MEMBERS = [
  "strategy",
  "linearConfiguration",
  "canaryConfiguration",
  "lifecycleHooks",
];

/** The members of this file an EcsService holds. */
export type ServiceExtras = Pick<
  EcsService,
  | "serviceConnectConfiguration"
  | "vpcLatticeConfigurations"
  | "availabilityZoneRebalancing"
  | "deploymentControllerType"
  | "deploymentExtras"
>;

/**
 * Names of the task definition's port mappings (what Service Connect and VPC Lattice call portName); undefined
 * when the revision is unknown (nothing to check against).
 */
function portNames(td: EcsTaskDefinition | undefined): Set<string> | undefined {
  if (td === undefined) return undefined;
  const containers = Array.isArray(td.body.containerDefinitions) ? td.body.containerDefinitions : [];
  return new Set(
    containers.flatMap((c) =>
      isJsonObject(c) ? objListField(c, "portMappings").flatMap((p) => field(p, "name") ?? []) : [],
    ),
  );
}

/** Service Connect as ECS reports it: discoveryName defaults to the port name. */
function connectOf(
  input: Input,
  td: EcsTaskDefinition | undefined,
  cloudMap: CloudMapState,
): JsonObject | undefined {
  const connect = input.optObj("serviceConnectConfiguration");
  if (connect === undefined) return undefined;
  const names = portNames(td);
  const namespace = field(connect, "namespace");
  if (connect.enabled === true && namespace !== undefined && isStrict(cloudMap.ctx)) {
    const known = [...cloudMap.namespaces.values()].some(
      (ns) => ns.name === namespace || cloudMap.namespaceArn(ns.id) === namespace,
    );
    if (!known) throw invalid(`Namespace ${namespace} was not found.`);
  }
  const services = objListField(connect, "services").map((s) => {
    const portName = field(s, "portName") ?? "";
    if (names !== undefined && !names.has(portName)) {
      throw invalid(`The portName ${portName} does not match any port mapping name in the task definition.`);
    }
    return { ...s, discoveryName: field(s, "discoveryName") ?? portName };
  });
  return { ...connect, ...(connect.services === undefined ? {} : { services }) };
}

/** The members of a CreateService (no `svc`) or UpdateService (`svc`: what it keeps when a member is absent). */
export function readServiceExtras(
  input: Input,
  td: EcsTaskDefinition | undefined,
  cloudMap: CloudMapState,
  svc?: EcsService,
): ServiceExtras {
  const names = portNames(td);
  const lattice = input.optObjList("vpcLatticeConfigurations");
  for (const item of lattice ?? []) {
    const portName = field(item, "portName") ?? "";
    if (names !== undefined && !names.has(portName)) {
      throw invalid(`The portName ${portName} does not match any port mapping name.`);
    }
  }
  const rebalancing = input.optStr("availabilityZoneRebalancing");
  if (rebalancing !== undefined && !["ENABLED", "DISABLED"].includes(rebalancing)) {
    throw invalid(`Invalid availabilityZoneRebalancing: ${rebalancing}`);
  }
  const config = input.optObj("deploymentConfiguration");
  const deploymentExtras: JsonObject = { ...svc?.deploymentExtras };
  for (const member of ECHOED_DEPLOYMENT_MEMBERS) {
    if (config?.[member] !== undefined) deploymentExtras[member] = config[member];
  }
  return {
    serviceConnectConfiguration: connectOf(input, td, cloudMap) ?? svc?.serviceConnectConfiguration,
    vpcLatticeConfigurations: lattice ?? svc?.vpcLatticeConfigurations,
    // ECS's default for new services.
    availabilityZoneRebalancing: rebalancing ?? svc?.availabilityZoneRebalancing ?? "ENABLED",
    deploymentControllerType:
      field(input.optObj("deploymentController"), "type") ?? svc?.deploymentControllerType ?? "ECS",
    deploymentExtras,
  };
}

/** True when Service Connect or VPC Lattice changed: ECS starts a new deployment for either. */
export function extrasNeedDeployment(before: ServiceExtras, after: ServiceExtras): boolean {
  return (
    JSON.stringify(before.serviceConnectConfiguration) !==
      JSON.stringify(after.serviceConnectConfiguration) ||
    JSON.stringify(before.vpcLatticeConfigurations) !== JSON.stringify(after.vpcLatticeConfigurations)
  );
}
