/** Settings of `fargatectl controller`: flags > env > defaults, validated once at start. Durations are milliseconds. */
import { hostname } from "node:os";
import { DEFAULT_POLICY_NAMESPACE } from "../crds/namespace-policy.js";
import { LOG_LEVELS, type LogLevel } from "../log.js";
import { type CommonSettings, commonSettings } from "./common.js";
import { parseConsulTokenValue, parseEnvAllowList, parseSecretArnPrefixes } from "./consul-token.js";
import { ConfigError } from "./errors.js";
import { parseOwnRoleArns } from "./own-roles.js";
import {
  parseDuration,
  parsePositiveInt,
  parseToken,
  type ResolvedSettings,
  resolveSettings,
  setting,
} from "./settings.js";
import { DEFAULT_SYNC_IMAGE } from "./version.js";

/** A `host:port` listen address (IPv6 in brackets); port 0 picks a free port. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** Parses `host:port` or `[ipv6]:port`. */
export function parseListenAddress(raw: string): ListenAddress {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(raw.trim());
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (host === undefined || !Number.isInteger(port) || port > 65535) {
    throw new Error("must be host:port such as 127.0.0.1:8080 (port 0 picks a free one)");
  }
  return { host, port };
}

function durationAtLeast(minMs: number): (raw: string) => number {
  return (raw) => {
    const ms = parseDuration(raw);
    if (ms < minMs) throw new Error(`must be at least ${minMs} ms`);
    return ms;
  };
}

function parseLogLevel(raw: string): LogLevel {
  const level = raw.trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    throw new Error(`must be one of ${LOG_LEVELS.join(", ")}`);
  return level as LogLevel;
}

function parsePositiveNumber(raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error("must be a positive number");
  return n;
}

function parseNamespaceName(raw: string): string {
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(raw)) {
    throw new Error("must be a namespace name: a DNS label of lowercase letters, digits and '-'");
  }
  return raw;
}

function parseLeaseName(raw: string): string {
  if (!/^[A-Za-z0-9_.-]{1,200}$/.test(raw)) throw new Error("must be 1-200 characters of [A-Za-z0-9_.-]");
  return raw;
}

/** The status page's address: `host:port`, or "" when disabled (an empty flag or `off`; an empty variable is unset). */
function parseUiAddress(raw: string): string {
  const value = raw.trim();
  if (value === "" || value.toLowerCase() === "off") return "";
  parseListenAddress(value);
  return value;
}

/** What the orphan sweep does with the orphans it finds. */
export type OrphanSweepMode = "delete" | "report";

function parseOrphanSweepMode(raw: string): OrphanSweepMode {
  const mode = raw.trim().toLowerCase();
  if (mode !== "delete" && mode !== "report") throw new Error("must be delete or report");
  return mode;
}

/** The controller's own settings (shown by `fargatectl controller --help`). */
export const controllerSettings = {
  concurrency: setting<number>({
    flag: "concurrency",
    env: ["FARGATE_OPERATOR_CONCURRENCY"],
    default: 4,
    description: "Reconcile workers per kind (passes of different records at once).",
    parse: parsePositiveInt,
  }),
  resyncPeriodMs: setting<number>({
    flag: "resync-period",
    env: ["FARGATE_OPERATOR_RESYNC_PERIOD"],
    default: 600_000,
    defaultText: "10m",
    description: "Period of the low-priority resync of every record, plus up to 10% jitter (0 disables).",
    parse: parseDuration,
  }),
  reconcileTimeoutMs: setting<number>({
    flag: "reconcile-timeout",
    env: ["FARGATE_OPERATOR_RECONCILE_TIMEOUT"],
    default: 300_000,
    defaultText: "5m",
    description: "Timeout of one reconcile pass.",
    parse: durationAtLeast(1),
  }),
  shutdownTimeoutMs: setting<number>({
    flag: "shutdown-timeout",
    env: ["FARGATE_OPERATOR_SHUTDOWN_TIMEOUT"],
    default: 30_000,
    defaultText: "30s",
    description: "On SIGTERM/SIGINT, how long passes in flight may finish before they are aborted.",
    parse: parseDuration,
  }),
  leaseName: setting<string>({
    flag: "lease-name",
    env: ["FARGATE_OPERATOR_LEASE_NAME"],
    default: "fargate-operator-controller",
    description: "Name of the leader-election lease item (pk=_lease).",
    parse: parseLeaseName,
  }),
  leaseDurationMs: setting<number>({
    flag: "lease-duration",
    env: ["FARGATE_OPERATOR_LEASE_DURATION"],
    default: 15_000,
    defaultText: "15s",
    description: "How long a standby waits on an unchanged lease before taking over.",
    parse: durationAtLeast(1),
  }),
  leaseHeartbeatMs: setting<number>({
    flag: "lease-heartbeat",
    env: ["FARGATE_OPERATOR_LEASE_HEARTBEAT"],
    default: 5_000,
    defaultText: "5s",
    description: "How often the leader renews the lease and a standby re-reads it.",
    parse: durationAtLeast(1),
  }),
  identity: setting<string>({
    flag: "identity",
    env: ["FARGATE_OPERATOR_IDENTITY"],
    default: `${hostname()}-${process.pid}`,
    defaultText: "<hostname>-<pid>",
    description: "This process's identity in the lease (unique among controllers).",
    parse: parseToken,
  }),
  metricsAddress: setting<string>({
    flag: "metrics-address",
    env: ["FARGATE_OPERATOR_METRICS_ADDRESS"],
    default: "127.0.0.1:8080",
    description: "host:port for /healthz, /readyz and /metrics (port 0 picks a free one, logged at start).",
    parse: (raw) => {
      parseListenAddress(raw);
      return raw.trim();
    },
  }),
  uiAddress: setting<string>({
    flag: "ui-address",
    env: ["FARGATE_OPERATOR_UI_ADDRESS"],
    default: "127.0.0.1:8081",
    description:
      "host:port of the read-only status page (port 0 picks a free one, logged at start); empty or `off` disables it. Keep it on loopback: it shows every record to whoever reaches it.",
    parse: parseUiAddress,
  }),
  retryBaseDelayMs: setting<number>({
    flag: "retry-base-delay",
    env: ["FARGATE_OPERATOR_RETRY_BASE_DELAY"],
    default: 1_000,
    defaultText: "1s",
    description: "First backoff after a failed pass, doubled per failure in a row.",
    parse: durationAtLeast(1),
  }),
  retryMaxDelayMs: setting<number>({
    flag: "retry-max-delay",
    env: ["FARGATE_OPERATOR_RETRY_MAX_DELAY"],
    default: 300_000,
    defaultText: "5m",
    description: "Cap of the per-record backoff.",
    parse: durationAtLeast(1),
  }),
  retryRatePerSecond: setting<number>({
    flag: "retry-qps",
    env: ["FARGATE_OPERATOR_RETRY_QPS"],
    default: 10,
    description: "Global rate of failure retries per second (not requeues or resyncs).",
    parse: parsePositiveNumber,
  }),
  retryBurst: setting<number>({
    flag: "retry-burst",
    env: ["FARGATE_OPERATOR_RETRY_BURST"],
    default: 100,
    description: "Burst of the global failure-retry bucket.",
    parse: parsePositiveInt,
  }),
  watchPollIntervalMs: setting<number>({
    flag: "watch-poll-interval",
    env: ["FARGATE_OPERATOR_WATCH_POLL_INTERVAL"],
    default: undefined,
    description:
      "Poll interval of stream shards and of the polling fallback (the store's default when unset).",
    parse: durationAtLeast(1),
  }),
  keepRevisions: setting<number>({
    flag: "keep-revisions",
    env: ["FARGATE_OPERATOR_KEEP_REVISIONS"],
    default: 5,
    description:
      "Task-definition revisions kept per FargateService for rollback; older owned ones are deregistered.",
    parse: parsePositiveInt,
  }),
  rolloutPollIntervalMs: setting<number>({
    flag: "rollout-poll-interval",
    env: ["FARGATE_OPERATOR_ROLLOUT_POLL_INTERVAL"],
    default: 5_000,
    defaultText: "5s",
    description:
      "How often a record is looked at again while a rollout, a namespace operation or a deletion runs.",
    parse: durationAtLeast(1),
  }),
  serviceCacheMaxAgeMs: setting<number>({
    flag: "service-cache-max-age",
    env: ["FARGATE_OPERATOR_SERVICE_CACHE_MAX_AGE"],
    default: 60_000,
    defaultText: "1m",
    description:
      "Age of a batched DescribeServices observation, and of a namespace's Cloud Map service listing, a resync may use (fresh reads after changes).",
    parse: parseDuration,
  }),
  orphanSweepIntervalMs: setting<number>({
    flag: "orphan-sweep-interval",
    env: ["FARGATE_OPERATOR_ORPHAN_SWEEP_INTERVAL"],
    default: 300_000,
    defaultText: "5m",
    description:
      "How often the leader looks for AWS resources whose ownership tags name a record the table no longer holds (0 disables).",
    parse: parseDuration,
  }),
  orphanSweep: setting<OrphanSweepMode>({
    flag: "orphan-sweep",
    env: ["FARGATE_OPERATOR_ORPHAN_SWEEP"],
    default: "delete",
    description:
      "What the orphan sweep does with what it finds: delete (honouring each resource's deletion-policy tag) or report (log and count only).",
    parse: parseOrphanSweepMode,
  }),
  eventTtlMs: setting<number>({
    flag: "event-ttl",
    env: ["FARGATE_OPERATOR_EVENT_TTL"],
    default: 7 * 24 * 3_600_000,
    defaultText: "7d",
    description:
      "How long an event item stays in the table after its last occurrence (DynamoDB TTL on expiresAt; at least 1s).",
    parse: parseDuration,
  }),
  awsMaxAttempts: setting<number>({
    flag: "aws-max-attempts",
    env: ["FARGATE_OPERATOR_AWS_MAX_ATTEMPTS"],
    default: 3,
    description: "SDK attempts per ECS/Cloud Map call (standard retry mode) after client-side pacing.",
    parse: parsePositiveInt,
  }),
  consulToken: setting<string>({
    flag: "consul-token",
    env: ["CONSUL_HTTP_TOKEN"],
    default: undefined,
    description:
      "The controller's own Consul ACL token; sent only to the controller's own --consul-address, never to an address from a spec. Never logged.",
    parse: parseConsulTokenValue,
  }),
  consulTokenEnvAllow: setting<string[]>({
    flag: "consul-token-env-allow",
    env: ["FARGATE_OPERATOR_CONSUL_TOKEN_ENV_ALLOW"],
    default: [],
    defaultText: "none",
    description:
      "Comma-separated environment variables a CatalogSync's consul.tokenFrom.env may name (NAME, or PREFIX* for every variable starting with PREFIX).",
    parse: parseEnvAllowList,
  }),
  consulTokenSecretPrefixes: setting<string[]>({
    flag: "consul-token-secret-prefixes",
    env: ["FARGATE_OPERATOR_CONSUL_TOKEN_SECRET_PREFIXES"],
    default: [],
    defaultText: "none",
    description:
      "Comma-separated Secrets Manager ARN prefixes a CatalogSync's consul.tokenFrom.secretArn must start with.",
    parse: parseSecretArnPrefixes,
  }),
  ownRoleArns: setting<string[]>({
    flag: "own-role-arns",
    env: ["FARGATE_OPERATOR_OWN_ROLE_ARNS"],
    default: [],
    defaultText: "none",
    description:
      "Comma-separated ARNs of the controller's own task and execution roles (role or assumed-role ARNs): a record naming one of them in any role field is refused, whatever its NamespacePolicy says.",
    parse: parseOwnRoleArns,
  }),
  syncImage: setting<string>({
    flag: "sync-image",
    env: ["FARGATE_OPERATOR_SYNC_IMAGE"],
    default: DEFAULT_SYNC_IMAGE,
    description: "Image of the `fargatectl catalog-sync` task a CatalogSync with placement: task runs.",
    parse: parseToken,
  }),
  policyNamespace: setting<string>({
    flag: "policy-namespace",
    env: ["FARGATE_OPERATOR_POLICY_NAMESPACE"],
    default: DEFAULT_POLICY_NAMESPACE,
    description:
      "The only namespace whose NamespacePolicy records count: each governs the namespace it is named after, `default` every namespace without its own.",
    parse: parseNamespaceName,
  }),
  logLevel: setting<LogLevel>({
    flag: "log-level",
    env: ["FARGATE_OPERATOR_LOG_LEVEL", "LOG_LEVEL"],
    default: "info",
    description: `Log level: ${LOG_LEVELS.join(", ")}.`,
    parse: parseLogLevel,
  }),
} as const;

/** Resolved controller settings. */
export type ControllerSettings = ResolvedSettings<typeof controllerSettings>;

/** Every setting `fargatectl controller` reads: the common ones and the controller's. */
export const controllerCommandSettings = { ...commonSettings, ...controllerSettings } as const;

/** Resolved settings of `fargatectl controller`. */
export type ControllerCommandSettings = CommonSettings & ControllerSettings;

/** Resolves and validates every setting at once (cross-field rules too); throws one ConfigError listing all problems. */
export function resolveControllerSettings(
  flags: Readonly<Record<string, string | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
): ControllerCommandSettings {
  const settings = resolveSettings(controllerCommandSettings, flags, env);
  const problems: string[] = [];
  if (settings.leaseDurationMs <= settings.leaseHeartbeatMs) {
    problems.push(
      `--lease-duration (${settings.leaseDurationMs} ms) must be longer than --lease-heartbeat (${settings.leaseHeartbeatMs} ms)`,
    );
  }
  if (settings.retryMaxDelayMs < settings.retryBaseDelayMs) {
    problems.push("--retry-max-delay must not be shorter than --retry-base-delay");
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return settings;
}
