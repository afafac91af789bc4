import { AwsApiError, cloudMapError } from "../errors.js";
import type { Input } from "../input.js";
import type { HandlerTable } from "../operation.js";
import { paginate } from "../pagination.js";
import type { CloudMapState, CmInstance, CmService } from "./state.js";

const INSTANCE_ID = /^[0-9a-zA-Z_/:.@-]{1,64}$/;
const REQUIRED_ATTRIBUTE: Readonly<Record<string, string>> = {
  A: "AWS_INSTANCE_IPV4",
  AAAA: "AWS_INSTANCE_IPV6",
  SRV: "AWS_INSTANCE_PORT",
  CNAME: "AWS_INSTANCE_CNAME",
};

/** RegisterInstance's Attributes rules (botocore `AttrKey`, `AttrValue`, and the documented counts). */
const ATTR_KEY = /^[!-~]{1,255}$/;
const ATTR_VALUE = /^(?:[!-~][ \t!-~]*)?[!-~]?$/;
const RESERVED_ATTRIBUTES = new Set([
  "AWS_ALIAS_DNS_NAME",
  "AWS_EC2_INSTANCE_ID",
  "AWS_INIT_HEALTH_STATUS",
  "AWS_INSTANCE_CNAME",
  "AWS_INSTANCE_IPV4",
  "AWS_INSTANCE_IPV6",
  "AWS_INSTANCE_PORT",
]);

/** The first way `attributes` break Cloud Map's rules, as AWS would word a validation failure. */
function attributesInvalid(attributes: Record<string, string>): string | undefined {
  let total = 0;
  for (const [key, value] of Object.entries(attributes)) {
    total += key.length + value.length;
    if (!ATTR_KEY.test(key))
      return "Value at 'attributes' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must satisfy regular expression pattern: ^[a-zA-Z0-9!-~]+$]";
    if (value.length > 1024 || !ATTR_VALUE.test(value))
      return "Value at 'attributes' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 1024, Member must satisfy regular expression pattern: ^([a-zA-Z0-9!-~][ \\ta-zA-Z0-9!-~]*){0,1}[a-zA-Z0-9!-~]{0,1}$]";
  }
  const custom = Object.keys(attributes).filter((k) => !RESERVED_ATTRIBUTES.has(k)).length;
  if (custom > 30) return "You can specify up to 30 custom attributes.";
  if (total > 5000) return "The total size of all attributes must not exceed 5,000 characters.";
  return undefined;
}

function sameAttributes(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/**
 * Registers or replaces an instance (RegisterInstance is an upsert). The service's revision moves only
 * when something a client can discover changed, so DiscoverInstancesRevision stays put on a no-op.
 */
export function upsertInstance(
  svc: CmService,
  instanceId: string,
  attributes: Record<string, string>,
  creatorRequestId: string | undefined,
): void {
  for (const record of svc.dnsRecords ?? []) {
    const needed = REQUIRED_ATTRIBUTE[record.Type];
    if (needed !== undefined && attributes[needed] === undefined) {
      throw new AwsApiError(
        "InvalidInput",
        `Attributes must contain ${needed} for a service with ${record.Type} records.`,
      );
    }
  }
  const existing = svc.instances.get(instanceId);
  if (existing !== undefined && sameAttributes(existing.attributes, attributes)) return;
  const initial = attributes.AWS_INIT_HEALTH_STATUS === "UNHEALTHY" ? "UNHEALTHY" : "HEALTHY";
  const instance: CmInstance = {
    id: instanceId,
    creatorRequestId: existing?.creatorRequestId ?? creatorRequestId,
    attributes: { ...attributes },
    health: existing?.health ?? (svc.hasCustomHealth ? initial : "UNKNOWN"),
  };
  svc.instances.set(instanceId, instance);
  svc.revision += 1;
}

/** Removes an instance; false when it was not registered. */
export function removeInstance(svc: CmService, instanceId: string): boolean {
  if (!svc.instances.delete(instanceId)) return false;
  svc.revision += 1;
  return true;
}

/** Instance operations and discovery. */
export function instanceHandlers(state: CloudMapState): HandlerTable {
  const instanceOf = (svc: CmService, id: string): CmInstance => {
    const instance = svc.instances.get(id);
    if (instance === undefined) throw cloudMapError("InstanceNotFound", `Instance not found: ${id}`);
    return instance;
  };
  const discoverable = (input: Input): CmService => {
    const namespaceName = input.str("NamespaceName").replace(/\.$/, "");
    const serviceName = input.str("ServiceName");
    const namespaces = [...state.namespaces.values()].filter((ns) => ns.name === namespaceName);
    if (namespaces.length === 0)
      throw cloudMapError("NamespaceNotFound", `Namespace not found: ${namespaceName}`);
    const svc = namespaces.flatMap((ns) => state.servicesIn(ns.id)).find((s) => s.name === serviceName);
    if (svc === undefined) throw cloudMapError("ServiceNotFound", `Service not found: ${serviceName}`);
    return svc;
  };
  return {
    RegisterInstance(input: Input) {
      const svc = state.service(input.str("ServiceId"));
      const instanceId = input.str("InstanceId");
      if (!INSTANCE_ID.test(instanceId)) throw input.invalid(`Invalid InstanceId: ${instanceId}`);
      const attributes = input.optStrMap("Attributes");
      if (attributes === undefined) throw input.invalid("Attributes must be specified.");
      const invalid = attributesInvalid(attributes);
      if (invalid !== undefined) throw input.invalid(invalid);
      upsertInstance(svc, instanceId, attributes, input.optStr("CreatorRequestId"));
      const op = state.submitOperation("REGISTER_INSTANCE", { INSTANCE: instanceId, SERVICE: svc.id });
      return { OperationId: op.id };
    },

    DeregisterInstance(input: Input) {
      const svc = state.service(input.str("ServiceId"));
      const instanceId = input.str("InstanceId");
      instanceOf(svc, instanceId);
      removeInstance(svc, instanceId);
      const op = state.submitOperation("DEREGISTER_INSTANCE", { INSTANCE: instanceId, SERVICE: svc.id });
      return { OperationId: op.id };
    },

    GetInstance(input: Input) {
      const svc = state.service(input.str("ServiceId"));
      const instance = instanceOf(svc, input.str("InstanceId"));
      return {
        ResourceOwner: state.ctx.accountId,
        Instance: {
          Id: instance.id,
          CreatorRequestId: instance.creatorRequestId,
          Attributes: { ...instance.attributes },
          CreatedByAccount: state.ctx.accountId,
        },
      };
    },

    ListInstances(input: Input) {
      const svc = state.service(input.str("ServiceId"));
      const page = paginate(
        [...svc.instances.values()],
        { nextToken: input.optStr("NextToken"), maxResults: input.optNum("MaxResults") },
        { defaultSize: 100, maxSize: 100 },
        (m) => input.invalid(m),
      );
      return {
        ResourceOwner: state.ctx.accountId,
        Instances: page.items.map((i) => ({
          Id: i.id,
          Attributes: { ...i.attributes },
          CreatedByAccount: state.ctx.accountId,
        })),
        NextToken: page.nextToken,
      };
    },

    DiscoverInstances(input: Input) {
      const svc = discoverable(input);
      const ns = state.namespace(svc.namespaceId);
      const max = input.optNum("MaxResults") ?? 100;
      if (!Number.isInteger(max) || max < 1 || max > 1000)
        throw input.invalid("MaxResults must be between 1 and 1000.");
      const filter = input.optStr("HealthStatus") ?? "ALL";
      const query = input.optStrMap("QueryParameters") ?? {};
      const optional = input.optStrMap("OptionalParameters") ?? {};
      const matches = (i: CmInstance, params: Record<string, string>) =>
        Object.entries(params).every(([k, v]) => i.attributes[k] === v);
      let list = [...svc.instances.values()].filter((i) => matches(i, query));
      const preferred = list.filter((i) => matches(i, optional));
      if (preferred.length > 0) list = preferred;
      if (svc.hasCustomHealth) {
        const healthy = list.filter((i) => i.health === "HEALTHY");
        if (filter === "HEALTHY") list = healthy;
        else if (filter === "UNHEALTHY") list = list.filter((i) => i.health === "UNHEALTHY");
        else if (filter === "HEALTHY_OR_ELSE_ALL" && healthy.length > 0) list = healthy;
      }
      return {
        Instances: list.slice(0, max).map((i) => ({
          InstanceId: i.id,
          NamespaceName: ns.name,
          ServiceName: svc.name,
          HealthStatus: i.health,
          Attributes: { ...i.attributes },
        })),
        InstancesRevision: svc.revision,
      };
    },

    DiscoverInstancesRevision(input: Input) {
      return { InstancesRevision: discoverable(input).revision };
    },

    GetInstancesHealthStatus(input: Input) {
      const svc = state.service(input.str("ServiceId"));
      const wanted = input.optStrList("Instances");
      const ids = wanted ?? [...svc.instances.keys()];
      for (const id of ids) instanceOf(svc, id);
      const page = paginate(
        ids,
        { nextToken: input.optStr("NextToken"), maxResults: input.optNum("MaxResults") },
        { defaultSize: 100, maxSize: 100 },
        (m) => input.invalid(m),
      );
      const status: Record<string, string> = {};
      for (const id of page.items) status[id] = instanceOf(svc, id).health;
      return { Status: status, NextToken: page.nextToken };
    },

    UpdateInstanceCustomHealthStatus(input: Input) {
      const svc = state.service(input.str("ServiceId"));
      const instance = instanceOf(svc, input.str("InstanceId"));
      const status = input.str("Status");
      if (status !== "HEALTHY" && status !== "UNHEALTHY") throw input.invalid(`Invalid Status: ${status}`);
      if (!svc.hasCustomHealth) {
        throw cloudMapError("CustomHealthNotFound", `Service ${svc.id} doesn't have a custom health check.`);
      }
      // AWS: "The health status updates don't update InstancesRevision."
      instance.health = status;
      return {};
    },
  };
}
