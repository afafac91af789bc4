/** One ECS container definition → one `spec.containers[]` entry, and what of it cannot be carried. Pure. */
import { ECS_CONTAINER_FIELDS } from "../crds/index.js";
import { type Collector, clean, isEmpty, isRecord, type JsonRecord, TEMPLATE } from "./values.js";

/** Container members Fargate (awsvpc) does not take, with why; a false/empty value loses nothing. */
const REFUSED: Record<string, string> = {
  links: "containers of a Fargate task share one network namespace; reach them on localhost instead of links",
  hostname: "Fargate (awsvpc) does not support hostname",
  disableNetworking: "Fargate (awsvpc) does not support disableNetworking",
  privileged: "Fargate does not run privileged containers",
  dnsServers: "Fargate (awsvpc) uses the VPC's DNS servers",
  dnsSearchDomains: "Fargate (awsvpc) uses the VPC's DNS search domains",
  extraHosts: "Fargate (awsvpc) does not support extraHosts",
  dockerSecurityOptions: "Fargate does not support dockerSecurityOptions",
};

/** Members read by name below (the rest pass through as ECS_CONTAINER_FIELDS or are losses). */
const HANDLED = new Set([
  "name",
  "image",
  "command",
  "entryPoint",
  "portMappings",
  "environment",
  "secrets",
  "healthCheck",
  "essential",
  "cpu",
  "memory",
]);
const PASSED: ReadonlySet<string> = new Set(ECS_CONTAINER_FIELDS);

/** NAME → value from ECS's `[{name, value}]` (or a map); a repeated name is a loss (ECS keeps one). */
function mapOf(list: unknown, valueKey: "value" | "valueFrom", path: string, out: Collector) {
  if (isRecord(list)) return Object.fromEntries(Object.entries(list).map(([k, v]) => [k, String(v)]));
  const map: Record<string, string> = {};
  if (!Array.isArray(list)) return map;
  list.forEach((item, i) => {
    if (!isRecord(item) || typeof item.name !== "string") {
      out.lose(`${path}[${i}]`, `not a {name, ${valueKey}} entry`);
      return;
    }
    const value = item[valueKey];
    for (const key of Object.keys(item)) {
      if (key === "name" || key === valueKey) continue;
      out.lose(
        `${path}[${i}].${key}`,
        key === "valueFrom"
          ? "an environment entry has no valueFrom (ECS's KeyValuePair is name and value); a value read from SSM or Secrets Manager belongs in secrets"
          : key === "value"
            ? "a secret takes valueFrom (an ARN or parameter name), not a value"
            : `not a member of an ECS ${valueKey === "value" ? "environment" : "secret"} entry`,
      );
    }
    if (item.name in map && map[item.name] !== String(value ?? "")) {
      out.lose(
        `${path}[${i}]`,
        `${item.name} is set twice with different values; only one can be kept (the first is)`,
      );
      return;
    }
    if (!(item.name in map)) map[item.name] = value === undefined || value === null ? "" : String(value);
  });
  return map;
}

function portsOf(mappings: unknown[], path: string, out: Collector): JsonRecord[] {
  const ports: JsonRecord[] = [];
  mappings.forEach((raw, j) => {
    const at = `${path}[${j}]`;
    if (!isRecord(raw)) {
      out.lose(at, "not a port mapping");
      return;
    }
    const port: JsonRecord = {};
    const containerPort = out.number(raw.containerPort, `${at}.containerPort`);
    const hostPort = out.number(raw.hostPort, `${at}.hostPort`);
    if (containerPort !== undefined) port.containerPort = containerPort;
    if (hostPort !== undefined && hostPort !== 0 && hostPort !== containerPort) {
      out.lose(
        `${at}.hostPort`,
        `hostPort ${hostPort} differs from containerPort ${containerPort}; on Fargate (awsvpc) they are always equal`,
      );
    }
    const protocol = typeof raw.protocol === "string" ? raw.protocol.toLowerCase() : undefined;
    if (protocol === "tcp" || protocol === "udp" || (protocol !== undefined && TEMPLATE.test(protocol))) {
      port.protocol = protocol;
    } else if (protocol !== undefined) {
      out.lose(
        `${at}.protocol`,
        `${JSON.stringify(raw.protocol)} is not a protocol ECS takes (tcp or udp; http, http2 and grpc are appProtocol's); the document says tcp`,
      );
    }
    for (const key of ["name", "appProtocol", "containerPortRange"]) {
      if (raw[key] !== undefined) port[key] = raw[key];
    }
    for (const key of Object.keys(raw)) {
      if (
        !["containerPort", "hostPort", "protocol", "name", "appProtocol", "containerPortRange"].includes(key)
      ) {
        out.lose(`${at}.${key}`, "not a member of an ECS port mapping that a FargateService carries");
      }
    }
    ports.push(port);
  });
  return ports;
}

function healthCheckOf(raw: JsonRecord, path: string, out: Collector): JsonRecord {
  const check: JsonRecord = {};
  if (raw.command !== undefined) check.command = raw.command;
  const pairs = [
    ["interval", "intervalSeconds"],
    ["timeout", "timeoutSeconds"],
    ["retries", "retries"],
    ["startPeriod", "startPeriodSeconds"],
  ] as const;
  for (const [from, to] of pairs) {
    const value = out.number(raw[from], `${path}.${from}`);
    if (value !== undefined) check[to] = value;
  }
  for (const key of Object.keys(raw)) {
    if (key !== "command" && !pairs.some(([from]) => from === key)) {
      out.lose(`${path}.${key}`, "not a member of an ECS health check");
    }
  }
  return check;
}

/** Converts `containerDefinitions[index]`. */
export function containerOf(raw: JsonRecord, index: number, out: Collector): JsonRecord {
  const path = `containerDefinitions[${index}]`;
  const c: JsonRecord = {};
  if (raw.name !== undefined) c.name = raw.name;
  if (raw.image !== undefined) c.image = raw.image;
  for (const key of ["command", "entryPoint"]) {
    if (!isEmpty(raw[key])) c[key] = raw[key];
  }
  if (Array.isArray(raw.portMappings) && raw.portMappings.length > 0) {
    c.ports = portsOf(raw.portMappings, `${path}.portMappings`, out);
  }
  if (!isEmpty(raw.environment)) c.environment = mapOf(raw.environment, "value", `${path}.environment`, out);
  if (!isEmpty(raw.secrets)) c.secrets = mapOf(raw.secrets, "valueFrom", `${path}.secrets`, out);
  // ECS documents that a secret must not share its name with an environment variable; the spec refuses it.
  if (isRecord(c.environment) && isRecord(c.secrets) && Array.isArray(raw.secrets)) {
    raw.secrets.forEach((item, i) => {
      const name = isRecord(item) ? item.name : undefined;
      if (typeof name !== "string" || !(name in (c.environment as JsonRecord))) return;
      out.lose(
        `${path}.secrets[${i}]`,
        `${name} is also an environment variable; ECS documents that a secret's name must not be shared with an environment variable (keep one of the two)`,
      );
    });
  }
  if (isRecord(raw.healthCheck)) c.healthCheck = healthCheckOf(raw.healthCheck, `${path}.healthCheck`, out);
  const essential = out.boolean(raw.essential, `${path}.essential`);
  if (essential !== undefined) c.essential = essential;
  for (const key of ["cpu", "memory"]) {
    const value = out.number(raw[key], `${path}.${key}`);
    if (value !== undefined) c[key] = value;
  }
  for (const [key, value] of Object.entries(raw)) {
    if (HANDLED.has(key)) continue;
    if (PASSED.has(key)) {
      const cleaned = isEmpty(value) ? undefined : clean(value);
      if (cleaned !== undefined) c[key] = cleaned;
    } else if (key in REFUSED) {
      if (!isEmpty(value) && value !== false) out.lose(`${path}.${key}`, REFUSED[key] as string);
    } else if (value !== undefined && value !== null) {
      out.lose(`${path}.${key}`, "not an ECS container field a FargateService carries");
    }
  }
  return c;
}
