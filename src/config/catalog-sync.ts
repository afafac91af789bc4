/**
 * Settings of `fargatectl catalog-sync` (one sync engine, as a CatalogSync with placement: task runs it): the
 * engine config as JSON in FARGATE_OPERATOR_SYNC_CONFIG (or --sync-config), any field of it overridable by its
 * own flag, plus Consul, the table for the lease and status, and the lease timings. flag > env > default.
 */
import { hostname } from "node:os";
import { LOG_LEVELS, type LogLevel } from "../log.js";
import type { SyncDirectionSettings, SyncEngineConfig } from "../sync/types.js";
import { commonSettings } from "./common.js";
import { parseConsulTokenValue } from "./consul-token.js";
import { parseBoolean, parseDuration, parsePositiveInt, parseToken, setting } from "./settings.js";

/** The environment variable holding a sync task's config (JSON, no secrets). */
export const SYNC_CONFIG_ENV = "FARGATE_OPERATOR_SYNC_CONFIG";

/** The environment variable naming the token's secret, so a sync task can re-read a rotated token. */
export const CONSUL_TOKEN_SECRET_ENV = "FARGATE_OPERATOR_CONSUL_TOKEN_SECRET_ARN";

/** The environment variable a sync task gets its client key and certificate in (one PEM, from Secrets Manager). */
export const CLIENT_PEM_ENV = "FARGATE_OPERATOR_CONSUL_CLIENT_PEM";

/** TLS settings a sync task's config may carry (public: a CA and a name, never a key). */
export interface SyncTaskTls {
  caPem?: string;
  serverName?: string;
  insecureSkipVerify?: boolean;
}

/** What one sync task runs: the engine config plus where Consul is. The token never appears here. */
export interface SyncTaskConfig extends SyncEngineConfig {
  consul: { address: string; tls?: SyncTaskTls };
}

/** A partly given task config (the JSON before the flags fill it in). */
export type PartialTaskConfig = Partial<Omit<SyncTaskConfig, "toCloudMap" | "toConsul">> & {
  toCloudMap?: Partial<SyncDirectionSettings>;
  toConsul?: Partial<SyncDirectionSettings>;
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses the JSON of FARGATE_OPERATOR_SYNC_CONFIG / --sync-config (shape checked once everything is merged). */
export function parseSyncConfigJson(raw: string): PartialTaskConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (cause) {
    throw new Error("must be a JSON object (the sync task's config)", { cause });
  }
  if (!isRecord(parsed)) throw new Error("must be a JSON object (the sync task's config)");
  return parsed as PartialTaskConfig;
}

function parseCommaList(raw: string): string[] {
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function parseOwner(raw: string): { namespace: string; name: string } {
  const m = /^([a-z0-9][-a-z0-9]*)\/([a-z0-9][-a-z0-9]*)$/.exec(raw.trim());
  if (m?.[1] === undefined || m[2] === undefined)
    throw new Error("must be <namespace>/<name> of the CatalogSync");
  return { namespace: m[1], name: m[2] };
}

function parseLogLevel(raw: string): LogLevel {
  const level = raw.trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    throw new Error(`must be one of ${LOG_LEVELS.join(", ")}`);
  return level as LogLevel;
}

function parsePrefix(raw: string): string {
  if (!/^([a-z0-9][-a-z0-9]*)?$/.test(raw)) throw new Error("must be lowercase letters, digits and '-'");
  return raw;
}

/** The command's own settings (shown by `fargatectl catalog-sync --help`). */
export const catalogSyncSettings = {
  syncConfig: setting<PartialTaskConfig>({
    flag: "sync-config",
    env: [SYNC_CONFIG_ENV],
    default: undefined,
    description:
      "The engine config as JSON (what a CatalogSync with placement: task passes); flags override fields.",
    parse: parseSyncConfigJson,
  }),
  owner: setting<{ namespace: string; name: string }>({
    flag: "owner",
    env: [],
    default: undefined,
    description: "The CatalogSync this engine belongs to, as <namespace>/<name>.",
    parse: parseOwner,
  }),
  ownerUid: setting<string>({
    flag: "owner-uid",
    env: [],
    default: undefined,
    description: "The CatalogSync's uid: the ownership marker on both sides.",
    parse: parseToken,
  }),
  namespaceId: setting<string>({
    flag: "cloud-map-namespace-id",
    env: [],
    default: undefined,
    description: "Id of the Cloud Map private DNS namespace (ns-...).",
    parse: parseToken,
  }),
  dnsName: setting<string>({
    flag: "cloud-map-dns-name",
    env: [],
    default: undefined,
    description: "DNS name of the Cloud Map namespace (apps.internal).",
    parse: parseToken,
  }),
  datacenter: setting<string>({
    flag: "datacenter",
    env: ["CONSUL_DATACENTER"],
    default: undefined,
    description: "Consul datacenter (default: the agent's).",
    parse: parseToken,
  }),
  consulToken: setting<string>({
    flag: "consul-token",
    env: ["CONSUL_HTTP_TOKEN"],
    default: undefined,
    description: "Consul ACL token (a task gets it from Secrets Manager through ECS). Never logged.",
    parse: parseConsulTokenValue,
  }),
  consulTokenSecretArn: setting<string>({
    flag: "consul-token-secret-arn",
    env: [CONSUL_TOKEN_SECRET_ENV],
    default: undefined,
    description:
      "Secrets Manager ARN the token comes from (a task gets the token itself through ECS): re-read, at most every 30 s, when Consul answers 403, so a rotated token is picked up without a restart (the task role needs secretsmanager:GetSecretValue on it).",
    parse: parseToken,
  }),
  caFile: setting<string>({
    flag: "ca-file",
    env: ["CONSUL_CACERT"],
    default: undefined,
    description:
      "Path of a PEM file of the CA(s) that signed Consul's certificate (as Consul's CLI; default: the system's).",
    parse: parseToken,
  }),
  clientCert: setting<string>({
    flag: "client-cert",
    env: ["CONSUL_CLIENT_CERT"],
    default: undefined,
    description: "Path of the PEM client certificate for a Consul that requires one (with --client-key).",
    parse: parseToken,
  }),
  clientKey: setting<string>({
    flag: "client-key",
    env: ["CONSUL_CLIENT_KEY"],
    default: undefined,
    description: "Path of the PEM private key of --client-cert. Never logged.",
    parse: parseToken,
  }),
  clientPem: setting<string>({
    flag: "client-pem",
    env: [CLIENT_PEM_ENV],
    default: undefined,
    description:
      "The client's PEM key and certificate in one text (a task gets it from Secrets Manager through ECS; --client-cert/--client-key win). Never logged.",
    parse: parseConsulTokenValue,
  }),
  tlsServerName: setting<string>({
    flag: "tls-server-name",
    env: ["CONSUL_TLS_SERVER_NAME"],
    default: undefined,
    description: "The name Consul's certificate must carry (default: the address's host).",
    parse: parseToken,
  }),
  sslVerify: setting<boolean>({
    flag: "http-ssl-verify",
    env: ["CONSUL_HTTP_SSL_VERIFY"],
    default: undefined,
    defaultText: "true",
    description: "Verify Consul's certificate; false is for testing only and is logged as a warning.",
    parse: parseBoolean,
  }),
  toCloudMap: setting<boolean>({
    flag: "to-cloud-map",
    env: [],
    default: undefined,
    defaultText: "true",
    description: "Mirror Consul services into Cloud Map.",
    parse: parseBoolean,
  }),
  toCloudMapInclude: setting<string[]>({
    flag: "to-cloud-map-include",
    env: [],
    default: undefined,
    defaultText: "all",
    description: "Comma-separated Consul names or globs to mirror into Cloud Map.",
    parse: parseCommaList,
  }),
  toCloudMapExclude: setting<string[]>({
    flag: "to-cloud-map-exclude",
    env: [],
    default: undefined,
    defaultText: "none",
    description: "Comma-separated Consul names or globs never mirrored (wins over include).",
    parse: parseCommaList,
  }),
  toCloudMapPrefix: setting<string>({
    flag: "to-cloud-map-prefix",
    env: [],
    default: undefined,
    defaultText: '""',
    description: "Prefix added to Consul names written into Cloud Map.",
    parse: parsePrefix,
  }),
  toConsul: setting<boolean>({
    flag: "to-consul",
    env: [],
    default: undefined,
    defaultText: "true",
    description: "Mirror Cloud Map services into Consul.",
    parse: parseBoolean,
  }),
  toConsulInclude: setting<string[]>({
    flag: "to-consul-include",
    env: [],
    default: undefined,
    defaultText: "all",
    description: "Comma-separated Cloud Map names or globs to mirror into Consul.",
    parse: parseCommaList,
  }),
  toConsulExclude: setting<string[]>({
    flag: "to-consul-exclude",
    env: [],
    default: undefined,
    defaultText: "none",
    description: "Comma-separated Cloud Map names or globs never mirrored (wins over include).",
    parse: parseCommaList,
  }),
  toConsulPrefix: setting<string>({
    flag: "to-consul-prefix",
    env: [],
    default: undefined,
    defaultText: '""',
    description: "Prefix added to Cloud Map names written into Consul.",
    parse: parsePrefix,
  }),
  pollIntervalMs: setting<number>({
    flag: "poll-interval",
    env: [],
    default: undefined,
    defaultText: "5s",
    description: "Cloud Map → Consul poll interval.",
    parse: parseDuration,
  }),
  deleteGraceMs: setting<number>({
    flag: "delete-grace",
    env: [],
    default: undefined,
    defaultText: "30s",
    description: "How long something that vanished without explanation stays before it is removed.",
    parse: parseDuration,
  }),
  table: setting<string>({
    flag: "table",
    env: ["FARGATE_OPERATOR_TABLE"],
    default: undefined,
    description:
      "DynamoDB table of the records: with it, the engine takes the namespace's sync lease and writes its reports onto the CatalogSync's status; without it, neither.",
    parse: parseToken,
  }),
  leaseDurationMs: setting<number>({
    flag: "lease-duration",
    env: ["FARGATE_OPERATOR_LEASE_DURATION"],
    default: 15_000,
    defaultText: "15s",
    description: "How long a standby engine waits on an unchanged sync lease before taking over.",
    parse: parseDuration,
  }),
  leaseHeartbeatMs: setting<number>({
    flag: "lease-heartbeat",
    env: ["FARGATE_OPERATOR_LEASE_HEARTBEAT"],
    default: 5_000,
    defaultText: "5s",
    description: "How often the writing engine renews the sync lease.",
    parse: parseDuration,
  }),
  identity: setting<string>({
    flag: "identity",
    env: ["FARGATE_OPERATOR_IDENTITY"],
    default: `${hostname()}-${process.pid}`,
    defaultText: "<hostname>-<pid>",
    description: "This engine's identity in the lease.",
    parse: parseToken,
  }),
  statusIntervalMs: setting<number>({
    flag: "status-interval",
    env: [],
    default: 30_000,
    defaultText: "30s",
    description: "Least time between status writes that only move sync times (changes are written at once).",
    parse: parseDuration,
  }),
  awsMaxAttempts: setting<number>({
    flag: "aws-max-attempts",
    env: ["FARGATE_OPERATOR_AWS_MAX_ATTEMPTS"],
    default: 3,
    description: "SDK attempts per Cloud Map / DynamoDB call.",
    parse: parsePositiveInt,
  }),
  logLevel: setting<LogLevel>({
    flag: "log-level",
    env: ["FARGATE_OPERATOR_LOG_LEVEL", "LOG_LEVEL"],
    default: "info",
    description: `Log level: ${LOG_LEVELS.join(", ")}.`,
    parse: parseLogLevel,
  }),
} as const;

/** Every setting `fargatectl catalog-sync` reads (the common ones, with its own `table` that has no default). */
export const catalogSyncCommandSettings = { ...commonSettings, ...catalogSyncSettings } as const;
