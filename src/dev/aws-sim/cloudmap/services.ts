import { cloudMapError } from "../errors.js";
import { field, type Input, isJsonObject, type JsonObject, numField, objListField } from "../input.js";
import type { HandlerTable } from "../operation.js";
import { paginate } from "../pagination.js";
import { serviceShape, serviceSummaryShape } from "./shapes.js";
import type { CloudMapState, CmDnsRecord, CmService } from "./state.js";
import { readTags } from "./tags.js";

const SERVICE_NAME =
  /^([a-zA-Z0-9_]([-a-zA-Z0-9_]{0,61}[a-zA-Z0-9_])?)(\.[a-zA-Z0-9_]([-a-zA-Z0-9_]{0,61}[a-zA-Z0-9_])?)*$/;
const RECORD_TYPES = ["A", "AAAA", "SRV", "CNAME"];

/** Reads and checks a `DnsRecords` list. */
function readDnsRecords(input: Input, config: JsonObject): CmDnsRecord[] {
  const records = objListField(config, "DnsRecords").map((r) => ({
    Type: field(r, "Type"),
    TTL: numField(r, "TTL"),
  }));
  if (records.length === 0) throw input.invalid("DnsConfig.DnsRecords must contain at least one record.");
  const out: CmDnsRecord[] = [];
  for (const r of records) {
    if (r.Type === undefined || !RECORD_TYPES.includes(r.Type)) {
      throw input.invalid(`Invalid DNS record type: ${String(r.Type)}`);
    }
    if (r.TTL === undefined || !Number.isInteger(r.TTL) || r.TTL < 0 || r.TTL > 2147483647) {
      throw input.invalid("DNS record TTL must be between 0 and 2147483647.");
    }
    out.push({ Type: r.Type, TTL: r.TTL });
  }
  const types = out.map((r) => r.Type);
  if (types.includes("CNAME") && types.length > 1)
    throw input.invalid("A CNAME record can't be combined with others.");
  return out;
}

/** CreateService, GetService, UpdateService, DeleteService, ListServices (Cloud Map). */
export function serviceHandlers(state: CloudMapState): HandlerTable {
  const { ctx } = state;
  return {
    CreateService(input: Input) {
      const name = input.str("Name");
      if (!SERVICE_NAME.test(name) || name.length > 127) throw input.invalid(`Invalid service name: ${name}`);
      const dnsConfig = input.optObj("DnsConfig");
      const namespaceId = input.optStr("NamespaceId") ?? field(dnsConfig, "NamespaceId");
      if (namespaceId === undefined) throw input.invalid("NamespaceId must be specified.");
      const ns = state.namespace(namespaceId);
      const existing = state.servicesIn(ns.id).find((s) => s.name === name);
      if (existing !== undefined) {
        throw cloudMapError("ServiceAlreadyExists", `Service already exists: ${name}`, {
          CreatorRequestId: existing.creatorRequestId,
          ServiceId: existing.id,
          ServiceArn: existing.arn,
        });
      }
      const healthCheckConfig = input.optObj("HealthCheckConfig");
      const custom = input.optObj("HealthCheckCustomConfig");
      if (healthCheckConfig !== undefined && custom !== undefined) {
        throw input.invalid("HealthCheckConfig and HealthCheckCustomConfig can't both be specified.");
      }
      if (healthCheckConfig !== undefined) {
        throw input.invalid("HealthCheckConfig isn't supported for services in private DNS namespaces.");
      }
      const requestedType = input.optStr("Type");
      if (requestedType !== undefined && requestedType !== "HTTP")
        throw input.invalid(`Invalid Type: ${requestedType}`);
      if (requestedType === "HTTP" && dnsConfig !== undefined) {
        throw input.invalid("DnsConfig can't be specified for a service of type HTTP.");
      }
      const routingPolicy = field(dnsConfig, "RoutingPolicy") ?? "MULTIVALUE";
      if (!["MULTIVALUE", "WEIGHTED"].includes(routingPolicy))
        throw input.invalid(`Invalid RoutingPolicy: ${routingPolicy}`);
      const id = ctx.ids.cloudMapId("srv-");
      const svc: CmService = {
        id,
        arn: state.serviceArn(id),
        name,
        namespaceId: ns.id,
        createdAt: ctx.clock.now(),
        creatorRequestId: input.optStr("CreatorRequestId"),
        type: dnsConfig === undefined ? "HTTP" : "DNS_HTTP",
        description: input.optStr("Description"),
        routingPolicy: dnsConfig === undefined ? undefined : routingPolicy,
        dnsRecords: dnsConfig === undefined ? undefined : readDnsRecords(input, dnsConfig),
        healthCheckConfig: undefined,
        healthCheckCustomFailureThreshold: numField(custom, "FailureThreshold"),
        hasCustomHealth: custom !== undefined,
        instances: new Map(),
        revision: 0,
        tags: readTags(input),
      };
      state.services.set(id, svc);
      return { Service: serviceShape(state, svc) };
    },

    GetService(input: Input) {
      return { Service: serviceShape(state, state.service(input.str("Id"))) };
    },

    UpdateService(input: Input) {
      const svc = state.service(input.str("Id"));
      const change = input.optObj("Service");
      if (change === undefined) throw input.invalid("Service must be specified.");
      if (isJsonObject(change.HealthCheckConfig)) {
        throw input.invalid("HealthCheckConfig isn't supported for services in private DNS namespaces.");
      }
      const dns = isJsonObject(change.DnsConfig) ? change.DnsConfig : undefined;
      const records = dns === undefined ? undefined : readDnsRecords(input, dns);
      if (records !== undefined && svc.dnsRecords === undefined) {
        throw input.invalid("DnsConfig can't be added to a service that has none.");
      }
      const description = field(change, "Description");
      if (description !== undefined) svc.description = description;
      if (records !== undefined) svc.dnsRecords = records;
      const op = state.submitOperation("UPDATE_SERVICE", { SERVICE: svc.id });
      return { OperationId: op.id };
    },

    DeleteService(input: Input) {
      const svc = state.service(input.str("Id"));
      if (svc.instances.size > 0) {
        throw cloudMapError(
          "ResourceInUse",
          `Service ${svc.id} has registered instances and can't be deleted.`,
        );
      }
      state.services.delete(svc.id);
      return {};
    },

    ListServices(input: Input) {
      let list = [...state.services.values()];
      for (const filter of input.optObjList("Filters") ?? []) {
        const name = field(filter, "Name");
        const condition = field(filter, "Condition") ?? "EQ";
        const values = Array.isArray(filter.Values) ? filter.Values.filter((v) => typeof v === "string") : [];
        if (name === "NAMESPACE_ID") {
          list = list.filter((s) =>
            condition === "IN" ? values.includes(s.namespaceId) : s.namespaceId === values[0],
          );
        } else if (name === "RESOURCE_OWNER") {
          list = list.filter(() => values.includes(ctx.accountId) || values.includes("SELF"));
        } else {
          throw input.invalid(`Invalid filter name: ${String(name)}`);
        }
      }
      const page = paginate(
        list,
        { nextToken: input.optStr("NextToken"), maxResults: input.optNum("MaxResults") },
        { defaultSize: 100, maxSize: 100 },
        (m) => input.invalid(m),
      );
      return { Services: page.items.map((s) => serviceSummaryShape(state, s)), NextToken: page.nextToken };
    },
  };
}
