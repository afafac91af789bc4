/** Decodes `/v1/catalog/register` and `/v1/catalog/deregister` bodies the way Consul does. Pure. */

import { ConsulSimHttpError } from "./errors.js";
import { CHECK_STATUSES, type CheckStatus, type WeightsWire } from "./wire.js";

/** A service in a registration, defaults applied. */
export interface ServiceRegistration {
  ID: string;
  Service: string;
  Tags: string[];
  Address: string;
  TaggedAddresses: Record<string, { Address: string; Port: number }>;
  Meta: Record<string, string>;
  Port: number;
  Weights: WeightsWire;
  EnableTagOverride: boolean;
  Kind: string;
}

/** A check in a registration, defaults applied. */
export interface CheckRegistration {
  Node: string;
  CheckID: string;
  Name: string;
  Status: CheckStatus;
  Notes: string;
  Output: string;
  ServiceID: string;
}

/** A decoded and checked `PUT /v1/catalog/register` body. */
export interface RegisterRequest {
  Datacenter: string;
  ID: string;
  Node: string;
  Address: string;
  TaggedAddresses: Record<string, string>;
  NodeMeta: Record<string, string>;
  SkipNodeUpdate: boolean;
  Service: ServiceRegistration | undefined;
  Checks: CheckRegistration[];
}

/** A decoded and checked `PUT /v1/catalog/deregister` body. */
export interface DeregisterRequest {
  Datacenter: string;
  Node: string;
  ServiceID: string;
  CheckID: string;
}

type JsonObject = Record<string, unknown>;

const decodeFailed = (what: string): ConsulSimHttpError =>
  new ConsulSimHttpError(400, `Request decode failed: ${what}`);

// Go's encoding/json matches field names case-insensitively, so Consul does too.
function field(object: JsonObject, name: string): unknown {
  if (name in object) return object[name];
  const lower = name.toLowerCase();
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === lower);
  return key === undefined ? undefined : object[key];
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function objectField(object: JsonObject, name: string): JsonObject | undefined {
  const value = field(object, name);
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw decodeFailed(`${name} must be an object`);
  return value;
}

function stringField(object: JsonObject, name: string): string {
  const value = field(object, name);
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw decodeFailed(`${name} must be a string`);
  return value;
}

function integerField(object: JsonObject, name: string, fallback: number): number {
  const value = field(object, name);
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value)) throw decodeFailed(`${name} must be an integer`);
  return value;
}

function booleanField(object: JsonObject, name: string): boolean {
  const value = field(object, name);
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") throw decodeFailed(`${name} must be a boolean`);
  return value;
}

function stringMapField(object: JsonObject, name: string): Record<string, string> {
  const value = objectField(object, name) ?? {};
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== "string") throw decodeFailed(`${name}.${key} must be a string`);
    result[key] = entry;
  }
  return result;
}

function stringListField(object: JsonObject, name: string): string[] {
  const value = field(object, name);
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === "string")) {
    throw decodeFailed(`${name} must be a list of strings`);
  }
  return [...value];
}

function decodeService(raw: JsonObject): ServiceRegistration | undefined {
  const name = stringField(raw, "Service");
  // Consul defaults the ID to the service name.
  const id = stringField(raw, "ID") || name;
  if (id === "" && name === "") return undefined;
  if (name === "") throw new ConsulSimHttpError(500, "Must provide service name with ID");
  const weights = objectField(raw, "Weights");
  const taggedAddresses: ServiceRegistration["TaggedAddresses"] = {};
  for (const [key, entry] of Object.entries(objectField(raw, "TaggedAddresses") ?? {})) {
    if (!isObject(entry)) throw decodeFailed(`TaggedAddresses.${key} must be an object`);
    taggedAddresses[key] = { Address: stringField(entry, "Address"), Port: integerField(entry, "Port", 0) };
  }
  return {
    ID: id,
    Service: name,
    Tags: stringListField(raw, "Tags"),
    Address: stringField(raw, "Address"),
    TaggedAddresses: taggedAddresses,
    Meta: stringMapField(raw, "Meta"),
    Port: integerField(raw, "Port", 0),
    Weights: weights
      ? { Passing: integerField(weights, "Passing", 1), Warning: integerField(weights, "Warning", 1) }
      : { Passing: 1, Warning: 1 },
    EnableTagOverride: booleanField(raw, "EnableTagOverride"),
    Kind: stringField(raw, "Kind"),
  };
}

function decodeCheck(raw: JsonObject, node: string): CheckRegistration {
  const name = stringField(raw, "Name");
  // Consul defaults the check ID to its name and the status to critical.
  const checkId = stringField(raw, "CheckID") || name;
  const status = stringField(raw, "Status") || "critical";
  if (!CHECK_STATUSES.includes(status as CheckStatus)) {
    throw new ConsulSimHttpError(500, `Invalid check status: "${status}"`);
  }
  const checkNode = stringField(raw, "Node") || node;
  if (checkNode !== node) throw new ConsulSimHttpError(500, "Node mismatch for check");
  if (checkId === "") throw new ConsulSimHttpError(500, "Missing check ID");
  return {
    Node: checkNode,
    CheckID: checkId,
    Name: name,
    Status: status as CheckStatus,
    Notes: stringField(raw, "Notes"),
    Output: stringField(raw, "Output"),
    ServiceID: stringField(raw, "ServiceID"),
  };
}

/** Decodes and checks a register body; throws {@link ConsulSimHttpError} with Consul's answer. */
export function decodeRegisterRequest(body: unknown): RegisterRequest {
  if (!isObject(body)) throw decodeFailed("body must be a JSON object");
  const node = stringField(body, "Node");
  const address = stringField(body, "Address");
  const serviceRaw = objectField(body, "Service");
  const checksRaw: unknown[] = [];
  const check = objectField(body, "Check");
  if (check) checksRaw.push(check);
  const checks = field(body, "Checks");
  if (checks !== undefined && checks !== null) {
    if (!Array.isArray(checks)) throw decodeFailed("Checks must be a list");
    checksRaw.push(...checks);
  }
  if (node === "" || address === "") throw new ConsulSimHttpError(500, "Must provide node and address");
  return {
    Datacenter: stringField(body, "Datacenter"),
    ID: stringField(body, "ID"),
    Node: node,
    Address: address,
    TaggedAddresses: stringMapField(body, "TaggedAddresses"),
    NodeMeta: stringMapField(body, "NodeMeta"),
    SkipNodeUpdate: booleanField(body, "SkipNodeUpdate"),
    Service: serviceRaw ? decodeService(serviceRaw) : undefined,
    Checks: checksRaw.map((raw) => {
      if (!isObject(raw)) throw decodeFailed("each check must be an object");
      return decodeCheck(raw, node);
    }),
  };
}

/** Decodes and checks a deregister body; throws {@link ConsulSimHttpError} with Consul's answer. */
export function decodeDeregisterRequest(body: unknown): DeregisterRequest {
  if (!isObject(body)) throw decodeFailed("body must be a JSON object");
  const node = stringField(body, "Node");
  if (node === "") throw new ConsulSimHttpError(500, "Must provide node");
  return {
    Datacenter: stringField(body, "Datacenter"),
    Node: node,
    ServiceID: stringField(body, "ServiceID"),
    CheckID: stringField(body, "CheckID"),
  };
}
