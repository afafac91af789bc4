/**
 * Resolves `fargatectl catalog-sync`'s settings: flag > env > default for each, then the task config merged (the
 * JSON of FARGATE_OPERATOR_SYNC_CONFIG first, each flag over its field) and checked, every problem in one error.
 */
import type { SyncDirectionSettings } from "../sync/types.js";
import {
  catalogSyncCommandSettings,
  type catalogSyncSettings,
  type SyncTaskConfig,
  type SyncTaskTls,
} from "./catalog-sync.js";
import type { CommonSettings } from "./common.js";
import { ConfigError } from "./errors.js";
import { type ResolvedSettings, resolveSettings } from "./settings.js";

/** Resolved settings of `fargatectl catalog-sync`, the task config merged and checked. */
export type CatalogSyncCommandSettings = Omit<CommonSettings, "table"> &
  Omit<ResolvedSettings<typeof catalogSyncSettings>, "syncConfig"> & { task: SyncTaskConfig };

function direction(
  from: Partial<SyncDirectionSettings> | undefined,
  flags: {
    enabled: boolean | undefined;
    include: string[] | undefined;
    exclude: string[] | undefined;
    prefix: string | undefined;
  },
  where: string,
  problems: string[],
): SyncDirectionSettings {
  const list = (value: unknown, key: string): string[] => {
    if (value === undefined) return [];
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
    problems.push(`${where}.${key} must be a list of names`);
    return [];
  };
  const enabled = flags.enabled ?? from?.enabled ?? true;
  const prefix = flags.prefix ?? from?.prefix ?? "";
  if (typeof enabled !== "boolean") problems.push(`${where}.enabled must be true or false`);
  if (typeof prefix !== "string") problems.push(`${where}.prefix must be a string`);
  return {
    enabled: enabled === true,
    include: flags.include ?? list(from?.include, "include"),
    exclude: flags.exclude ?? list(from?.exclude, "exclude"),
    prefix: typeof prefix === "string" ? prefix : "",
  };
}

function nonEmpty(value: unknown, what: string, problems: string[]): string {
  if (typeof value === "string" && value.trim() !== "") return value;
  problems.push(`${what} is required`);
  return "";
}

function positive(value: unknown, fallback: number, what: string, problems: string[]): number {
  if (value === undefined) return fallback;
  if (typeof value === "number" && Number.isFinite(value) && value > 0) return value;
  problems.push(`${what} must be a positive number of milliseconds`);
  return fallback;
}

/** The task's TLS settings: the JSON's, each overridden by its Consul-CLI-named flag or variable. */
function taskTls(
  from: unknown,
  settings: { tlsServerName?: string | undefined; sslVerify?: boolean | undefined },
  problems: string[],
): SyncTaskTls | undefined {
  const json = (typeof from === "object" && from !== null ? from : {}) as Record<string, unknown>;
  if (from !== undefined && (typeof from !== "object" || from === null))
    problems.push("consul.tls must be an object");
  const caPem = json.caPem;
  if (caPem !== undefined && typeof caPem !== "string") problems.push("consul.tls.caPem must be PEM text");
  const serverName = settings.tlsServerName ?? json.serverName;
  if (serverName !== undefined && typeof serverName !== "string")
    problems.push("consul.tls.serverName must be a host name");
  const skip = settings.sslVerify === undefined ? json.insecureSkipVerify : !settings.sslVerify;
  if (skip !== undefined && typeof skip !== "boolean")
    problems.push("consul.tls.insecureSkipVerify must be true or false");
  const tls: SyncTaskTls = {
    ...(typeof caPem === "string" ? { caPem } : {}),
    ...(typeof serverName === "string" ? { serverName } : {}),
    ...(skip === true ? { insecureSkipVerify: true } : {}),
  };
  return Object.keys(tls).length === 0 ? undefined : tls;
}

/** Resolves every setting and merges the task config (JSON, then flags); throws one ConfigError listing all problems. */
export function resolveCatalogSyncSettings(
  flags: Readonly<Record<string, string | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
): CatalogSyncCommandSettings {
  const { syncConfig, ...settings } = resolveSettings(catalogSyncCommandSettings, flags, env);
  const json = syncConfig ?? {};
  const problems: string[] = [];
  const owner = json.owner;
  const task: SyncTaskConfig = {
    owner: {
      uid: nonEmpty(settings.ownerUid ?? owner?.uid, "owner uid (--owner-uid or owner.uid)", problems),
      namespace: nonEmpty(
        settings.owner?.namespace ?? owner?.namespace,
        "owner namespace (--owner or owner.namespace)",
        problems,
      ),
      name: nonEmpty(settings.owner?.name ?? owner?.name, "owner name (--owner or owner.name)", problems),
    },
    cloudMapNamespace: {
      id: nonEmpty(
        settings.namespaceId ?? json.cloudMapNamespace?.id,
        "Cloud Map namespace id (--cloud-map-namespace-id or cloudMapNamespace.id)",
        problems,
      ),
      dnsName: nonEmpty(
        settings.dnsName ?? json.cloudMapNamespace?.dnsName,
        "Cloud Map DNS name (--cloud-map-dns-name or cloudMapNamespace.dnsName)",
        problems,
      ),
    },
    consul: {
      address: nonEmpty(
        settings.consulAddress ?? json.consul?.address,
        "Consul address (--consul-address, CONSUL_HTTP_ADDR or consul.address)",
        problems,
      ),
    },
    toCloudMap: direction(
      json.toCloudMap,
      {
        enabled: settings.toCloudMap,
        include: settings.toCloudMapInclude,
        exclude: settings.toCloudMapExclude,
        prefix: settings.toCloudMapPrefix,
      },
      "toCloudMap",
      problems,
    ),
    toConsul: direction(
      json.toConsul,
      {
        enabled: settings.toConsul,
        include: settings.toConsulInclude,
        exclude: settings.toConsulExclude,
        prefix: settings.toConsulPrefix,
      },
      "toConsul",
      problems,
    ),
    pollIntervalMs: positive(
      settings.pollIntervalMs ?? json.pollIntervalMs,
      5_000,
      "pollIntervalMs",
      problems,
    ),
    deleteGraceMs: positive(settings.deleteGraceMs ?? json.deleteGraceMs, 30_000, "deleteGraceMs", problems),
  };
  const tls = taskTls(json.consul?.tls, settings, problems);
  if (tls !== undefined) task.consul.tls = tls;
  if ((settings.clientCert === undefined) !== (settings.clientKey === undefined)) {
    problems.push("--client-cert (CONSUL_CLIENT_CERT) and --client-key (CONSUL_CLIENT_KEY) go together");
  }
  const datacenter = settings.datacenter ?? json.datacenter;
  if (typeof datacenter === "string" && datacenter !== "") task.datacenter = datacenter;
  if (settings.leaseDurationMs <= settings.leaseHeartbeatMs) {
    problems.push("--lease-duration must be longer than --lease-heartbeat");
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...settings, task };
}
