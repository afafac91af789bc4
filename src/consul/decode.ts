/**
 * Consul's JSON (PascalCase) to the adapter's shapes, checking what it relies on. A shape it cannot use throws
 * {@link MalformedConsulResponse}, which the client translates in errors.ts. Pure.
 */

import type {
  CatalogServiceEntry,
  ConsulHealthCheck,
  ConsulNode,
  ConsulServiceInstance,
  HealthServiceEntry,
  HealthStatus,
  NodeServices,
} from "./types.js";

/** A response body that does not have the shape Consul documents. */
export class MalformedConsulResponse extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = "MalformedConsulResponse";
  }
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function object(value: unknown, what: string): Json {
  if (!isObject(value)) throw new MalformedConsulResponse(`${what} is not an object`);
  return value;
}

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new MalformedConsulResponse(`${what} is not a list`);
  return value;
}

function text(record: Json, key: string, what: string): string {
  const value = record[key];
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw new MalformedConsulResponse(`${what}.${key} is not a string`);
  return value;
}

function integer(record: Json, key: string, what: string): number {
  const value = record[key];
  if (value === undefined || value === null) return 0;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new MalformedConsulResponse(`${what}.${key} is not an integer`);
  }
  return value;
}

function stringMap(record: Json, key: string, what: string): Record<string, string> {
  const value = record[key];
  if (value === undefined || value === null) return {};
  const result: Record<string, string> = {};
  for (const [name, entry] of Object.entries(object(value, `${what}.${key}`))) {
    if (typeof entry === "string") result[name] = entry;
  }
  return result;
}

function stringList(record: Json, key: string, what: string): string[] {
  const value = record[key];
  if (value === undefined || value === null) return [];
  return list(value, `${what}.${key}`).filter((entry): entry is string => typeof entry === "string");
}

const SEVERITY: Record<HealthStatus, number> = { passing: 0, warning: 1, critical: 2 };

/** A check status from Consul; anything unknown (e.g. a future status) counts as critical, the safe side. */
export function toHealthStatus(status: string): HealthStatus {
  return status === "passing" || status === "warning" ? status : "critical";
}

/** The worst of `statuses`; `passing` for none. */
export function worstStatus(statuses: readonly HealthStatus[]): HealthStatus {
  return statuses.reduce<HealthStatus>(
    (worst, next) => (SEVERITY[next] > SEVERITY[worst] ? next : worst),
    "passing",
  );
}

function decodeNode(raw: unknown, what: string): ConsulNode {
  const node = object(raw, what);
  return {
    name: text(node, "Node", what),
    id: text(node, "ID", what),
    address: text(node, "Address", what),
    datacenter: text(node, "Datacenter", what),
    taggedAddresses: stringMap(node, "TaggedAddresses", what),
    meta: stringMap(node, "Meta", what),
  };
}

function decodeService(raw: unknown, what: string): ConsulServiceInstance {
  const service = object(raw, what);
  return {
    id: text(service, "ID", what),
    name: text(service, "Service", what),
    tags: stringList(service, "Tags", what),
    address: text(service, "Address", what),
    port: integer(service, "Port", what),
    meta: stringMap(service, "Meta", what),
    createIndex: integer(service, "CreateIndex", what),
    modifyIndex: integer(service, "ModifyIndex", what),
  };
}

function decodeCheck(raw: unknown, what: string): ConsulHealthCheck {
  const check = object(raw, what);
  return {
    node: text(check, "Node", what),
    checkId: text(check, "CheckID", what),
    name: text(check, "Name", what),
    status: toHealthStatus(text(check, "Status", what)),
    serviceId: text(check, "ServiceID", what),
    serviceName: text(check, "ServiceName", what),
    notes: text(check, "Notes", what),
    output: text(check, "Output", what),
  };
}

/** `/v1/catalog/services`: name → tags. */
export function decodeServiceList(body: unknown): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [name, tags] of Object.entries(object(body, "services"))) {
    result[name] =
      tags === null ? [] : list(tags, `services.${name}`).filter((t): t is string => typeof t === "string");
  }
  return result;
}

/** `/v1/health/service/:name`. */
export function decodeHealthEntries(body: unknown): HealthServiceEntry[] {
  return list(body, "health entries").map((raw, i) => {
    const entry = object(raw, `entry[${i}]`);
    const checks = list(entry.Checks ?? [], `entry[${i}].Checks`).map((c, j) =>
      decodeCheck(c, `entry[${i}].Checks[${j}]`),
    );
    return {
      node: decodeNode(entry.Node, `entry[${i}].Node`),
      service: decodeService(entry.Service, `entry[${i}].Service`),
      checks,
      status: worstStatus(checks.map((check) => check.status)),
    };
  });
}

/** `/v1/catalog/service/:name`: Consul's flattened rows, split into node and service. */
export function decodeCatalogService(body: unknown): CatalogServiceEntry[] {
  return list(body, "service nodes").map((raw, i) => {
    const row = object(raw, `row[${i}]`);
    const what = `row[${i}]`;
    return {
      node: {
        name: text(row, "Node", what),
        id: text(row, "ID", what),
        address: text(row, "Address", what),
        datacenter: text(row, "Datacenter", what),
        taggedAddresses: stringMap(row, "TaggedAddresses", what),
        meta: stringMap(row, "NodeMeta", what),
      },
      service: {
        id: text(row, "ServiceID", what),
        name: text(row, "ServiceName", what),
        tags: stringList(row, "ServiceTags", what),
        address: text(row, "ServiceAddress", what),
        port: integer(row, "ServicePort", what),
        meta: stringMap(row, "ServiceMeta", what),
        createIndex: integer(row, "CreateIndex", what),
        modifyIndex: integer(row, "ModifyIndex", what),
      },
    };
  });
}

/** `/v1/catalog/node/:node`; `undefined` for Consul's `null` (unknown node). */
export function decodeNodeServices(body: unknown): NodeServices | undefined {
  if (body === null) return undefined;
  const record = object(body, "node services");
  const services = record.Services ?? {};
  return {
    node: decodeNode(record.Node, "Node"),
    services: Object.values(object(services, "Services")).map((raw, i) =>
      decodeService(raw, `Services[${i}]`),
    ),
  };
}

/** `/v1/status/leader`: `host:port`, or empty while there is no leader. */
export function decodeLeader(body: unknown): string {
  if (typeof body !== "string") throw new MalformedConsulResponse("leader is not a string");
  return body;
}
