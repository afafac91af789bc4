/**
 * The one place defaults are applied. Every value here is also the `default` in the kind's JSON Schema (a unit
 * test holds them together). Works on any input: a default is filled only where its parent is an object and the
 * field is absent, so invalid documents can still be checked by the cross-field rules.
 */
import { DEFAULT_NAMESPACE } from "./meta.js";
import { isRecord, type JsonRecord, recordsOf } from "./values.js";

/** Default values, by where they apply. */
export const DEFAULTS = {
  namespace: DEFAULT_NAMESPACE,
  fargateService: {
    desiredCount: 1,
    deletionPolicy: "Delete",
    adopt: false,
    suspend: false,
    runtimePlatform: { cpuArchitecture: "X86_64", operatingSystemFamily: "LINUX" },
    container: { essential: true },
    port: { protocol: "tcp" },
    healthCheck: { intervalSeconds: 30, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 0 },
    network: { assignPublicIp: false },
    deployment: { minimumHealthyPercent: 100, maximumPercent: 200, timeoutSeconds: 900 },
    circuitBreaker: { enable: true, rollback: true },
    cloudMap: { dnsTtl: 10, records: ["A"] },
    consul: { register: true, tags: [], meta: {} },
    vault: { authMountPath: "aws", mode: "sidecar", mountPath: "/vault/secrets", cpu: 32, memory: 64 },
    vaultSecret: { format: "env" },
  },
  cloudMapNamespace: { adopt: false, deletionPolicy: "Delete" },
  catalogSync: {
    direction: { enabled: true, include: [], exclude: [], prefix: "" },
    pollIntervalSeconds: 5,
    deleteGraceSeconds: 30,
    placement: "controller",
    tls: { insecureSkipVerify: false },
    task: { cpu: 256, memory: 512, engine: "builtin" },
  },
  logging: { streamPrefix: "ecs" },
} as const;

/** Sets every absent field of `target` from `defaults` (deep copies, so documents never share arrays). */
function fill(target: unknown, defaults: Readonly<Record<string, unknown>>): void {
  if (!isRecord(target)) return;
  for (const [key, value] of Object.entries(defaults)) {
    if (target[key] === undefined) target[key] = structuredClone(value);
  }
}

/** Returns `target[key]`, creating it as `{}` when absent; undefined when it holds something else. */
function ensureObject(target: unknown, key: string): JsonRecord | undefined {
  if (!isRecord(target)) return undefined;
  if (target[key] === undefined) target[key] = {};
  const value = target[key];
  return isRecord(value) ? value : undefined;
}

function defaultFargateService(spec: JsonRecord): void {
  const d = DEFAULTS.fargateService;
  fill(spec, {
    desiredCount: d.desiredCount,
    deletionPolicy: d.deletionPolicy,
    adopt: d.adopt,
    suspend: d.suspend,
  });
  fill(spec.runtimePlatform, d.runtimePlatform);
  for (const [, container] of recordsOf(spec.containers)) {
    fill(container, d.container);
    for (const [, port] of recordsOf(container.ports)) fill(port, d.port);
    fill(container.healthCheck, d.healthCheck);
  }
  fill(spec.network, d.network);
  fill(spec.logging, DEFAULTS.logging);
  const deployment = ensureObject(spec, "deployment");
  fill(deployment, d.deployment);
  fill(ensureObject(deployment, "circuitBreaker"), d.circuitBreaker);
  if (isRecord(spec.discovery)) {
    fill(spec.discovery.cloudMap, d.cloudMap);
    fill(spec.discovery.consul, d.consul);
  }
  if (isRecord(spec.vault)) {
    fill(spec.vault, d.vault);
    for (const [, secret] of recordsOf(spec.vault.secrets)) fill(secret, d.vaultSecret);
  }
}

function defaultCatalogSync(spec: JsonRecord): void {
  const d = DEFAULTS.catalogSync;
  fill(ensureObject(spec, "toCloudMap"), d.direction);
  fill(ensureObject(spec, "toConsul"), d.direction);
  fill(spec, {
    pollIntervalSeconds: d.pollIntervalSeconds,
    deleteGraceSeconds: d.deleteGraceSeconds,
    placement: d.placement,
  });
  if (isRecord(spec.consul)) fill(spec.consul.tls, d.tls);
  if (isRecord(spec.task)) {
    fill(spec.task, d.task);
    fill(spec.task.logging, DEFAULTS.logging);
  }
}

/**
 * Returns a deep copy of `document` with every default filled in. The kind decides which spec defaults apply;
 * an unknown kind gets only the metadata defaults.
 */
export function applyDefaults<T>(document: T): T {
  const copy = structuredClone(document);
  if (!isRecord(copy)) return copy;
  fill(copy.metadata, { namespace: DEFAULTS.namespace });
  const spec = copy.spec;
  if (!isRecord(spec)) return copy;
  if (copy.kind === "FargateService") defaultFargateService(spec);
  else if (copy.kind === "CatalogSync") defaultCatalogSync(spec);
  else if (copy.kind === "CloudMapNamespace") fill(spec, DEFAULTS.cloudMapNamespace);
  return copy;
}
