/**
 * What the status page shows of a record, derived from the cached copy only (pure): its fleet state, DNS names,
 * replicas and rollout, sync figures, and a copy of its spec with anything that could be a secret value hidden.
 */
import type { Condition, Kind } from "../crds/meta.js";
import { asNumber, valueAt } from "../crds/values.js";
import { scrubSecrets } from "../log.js";
import type { StoredResource } from "../store/types.js";

/** The three states the fleet is counted by (kstatus). */
export const FleetState = { Ready: "Ready", Reconciling: "Reconciling", Stalled: "Stalled" } as const;

/** One of Ready, Reconciling, Stalled. */
export type FleetState = (typeof FleetState)[keyof typeof FleetState];

/** The kinds the page lists, in the order it shows them. */
export const PAGE_KINDS: readonly Kind[] = [
  "FargateService",
  "CloudMapNamespace",
  "CatalogSync",
  "NamespacePolicy",
];

/** A record's conditions (an empty list when the controller has not reported). */
export function conditionsOf(r: StoredResource): Condition[] {
  const list = r.status?.conditions;
  return Array.isArray(list) ? (list as Condition[]) : [];
}

function condition(r: StoredResource, type: string): Condition | undefined {
  return conditionsOf(r).find((c) => c.type === type);
}

/**
 * Stalled when `Stalled=True`; Ready when `Ready=True` for the spec the record holds; Reconciling otherwise
 * (no status yet, a pass in flight, a spec the controller has not acted on, a deletion under way).
 */
export function fleetState(r: StoredResource): FleetState {
  if (condition(r, "Stalled")?.status === "True") return FleetState.Stalled;
  const observed = r.status?.observedSpecHash;
  const current = typeof observed !== "string" || observed === r.specHash;
  if (condition(r, "Ready")?.status === "True" && current && r.metadata.deletionTimestamp === undefined) {
    return FleetState.Ready;
  }
  return FleetState.Reconciling;
}

/** The Ready condition's reason as `get` shows it (Terminating while deleting, Pending before any report). */
export function readyReason(r: StoredResource): string {
  if (r.metadata.deletionTimestamp !== undefined) return "Terminating";
  const ready = condition(r, "Ready");
  return ready === undefined ? "Pending" : ready.reason;
}

/** Counts by state, in total and per namespace (namespaces sorted). */
export interface FleetSummary {
  total: Record<FleetState, number>;
  namespaces: Array<{ namespace: string; counts: Record<FleetState, number> }>;
}

function zero(): Record<FleetState, number> {
  return { Ready: 0, Reconciling: 0, Stalled: 0 };
}

/** Counts the records by state, in total and per namespace. */
export function summarize(records: readonly StoredResource[]): FleetSummary {
  const total = zero();
  const byNamespace = new Map<string, Record<FleetState, number>>();
  for (const r of records) {
    const state = fleetState(r);
    total[state] += 1;
    const counts = byNamespace.get(r.metadata.namespace) ?? zero();
    counts[state] += 1;
    byNamespace.set(r.metadata.namespace, counts);
  }
  const namespaces = [...byNamespace.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([namespace, counts]) => ({ namespace, counts }));
  return { total, namespaces };
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Both DNS names of a FargateService as the controller reported them (`status.endpoints`), or of a namespace. */
export function dnsNames(r: StoredResource): { cloudMap?: string; consul?: string } {
  if (r.kind === "CloudMapNamespace") {
    const name = str(r.spec.dnsName);
    return name === undefined ? {} : { cloudMap: name };
  }
  const cloudMap = str(valueAt(r.status, "endpoints", "cloudMap"));
  const consul = str(valueAt(r.status, "endpoints", "consul"));
  return { ...(cloudMap === undefined ? {} : { cloudMap }), ...(consul === undefined ? {} : { consul }) };
}

/** A FargateService's replicas and rollout: running of desired, and the rollout's state and traffic shift. */
export interface RolloutView {
  running: number;
  desired: number;
  pending: number;
  state?: string;
  /** Percent of production traffic on the new revision (traffic-shifting strategies only). */
  trafficPercent?: number;
}

/** The replicas and rollout of a FargateService (desired from the spec until the controller reports). */
export function rolloutOf(r: StoredResource): RolloutView {
  const desired = asNumber(valueAt(r.status, "replicas", "desired")) ?? asNumber(r.spec.desiredCount) ?? 0;
  const traffic = asNumber(valueAt(r.status, "rollout", "trafficPercent"));
  const state = str(valueAt(r.status, "rollout", "state"));
  return {
    running: asNumber(valueAt(r.status, "replicas", "running")) ?? 0,
    desired,
    pending: asNumber(valueAt(r.status, "replicas", "pending")) ?? 0,
    ...(state === undefined ? {} : { state }),
    ...(traffic === undefined ? {} : { trafficPercent: traffic }),
  };
}

/** A CatalogSync's figures: services mirrored each way, writes, lag and last rounds, current errors. */
export interface SyncView {
  toCloudMap: number;
  toConsul: number;
  writesToCloudMap?: number;
  writesToConsul?: number;
  lagMsToCloudMap?: number;
  lagMsToConsul?: number;
  lastSyncToCloudMap?: string;
  lastSyncToConsul?: string;
  errors: string[];
}

/** The sync figures of a CatalogSync's last report (zeros before the first). */
export function syncOf(r: StoredResource): SyncView {
  const sync = valueAt(r.status, "sync");
  const count = (dir: string): number => {
    const list = valueAt(sync, dir);
    return Array.isArray(list) ? list.length : 0;
  };
  const pick = (key: string, value: number | string | undefined) =>
    value === undefined ? {} : { [key]: value };
  const errors = [
    str(valueAt(sync, "errors", "toCloudMap")),
    str(valueAt(sync, "errors", "toConsul")),
  ].filter((e): e is string => e !== undefined);
  return {
    toCloudMap: count("toCloudMap"),
    toConsul: count("toConsul"),
    ...pick("writesToCloudMap", asNumber(valueAt(sync, "writes", "toCloudMap"))),
    ...pick("writesToConsul", asNumber(valueAt(sync, "writes", "toConsul"))),
    ...pick("lagMsToCloudMap", asNumber(valueAt(sync, "lagMs", "toCloudMap"))),
    ...pick("lagMsToConsul", asNumber(valueAt(sync, "lagMs", "toConsul"))),
    ...pick("lastSyncToCloudMap", str(valueAt(sync, "lastSyncToCloudMap"))),
    ...pick("lastSyncToConsul", str(valueAt(sync, "lastSyncToConsul"))),
    errors: errors.map(scrubSecrets),
  };
}

/** What stands for a hidden value. */
export const HIDDEN = "(hidden)";

/** Keys whose string values may be credentials (an ARN or a variable name pointing at one is fine). */
const SECRET_KEY = /pass(word|wd)?|secret|token|api[-_]?key|private[-_]?key|credential|auth/i;

function looksLikeReference(value: string): boolean {
  return value.startsWith("arn:");
}

/**
 * A copy of `value` with anything that could be a secret value hidden: every value of a container's plain
 * `environment` (ECS shows them to anyone who can read the task definition, and people put passwords there),
 * string values under secret-sounding keys (`splunk-token`, `apikey`...) unless they are ARNs, and anything
 * token-shaped left in other strings. Names stay, so the page still says which variables exist.
 */
export function redact(value: unknown, key = "", parentKey = ""): unknown {
  if (typeof value === "string") {
    if (parentKey === "environment") return HIDDEN;
    if (looksLikeReference(value)) return value;
    return SECRET_KEY.test(key) ? HIDDEN : scrubSecrets(value);
  }
  if (Array.isArray(value)) {
    // ECS's own shape of environment: [{ name, value }].
    if (key === "environment") {
      return value.map((e) =>
        e !== null && typeof e === "object"
          ? { ...(e as object), ...("value" in e ? { value: HIDDEN } : {}) }
          : HIDDEN,
      );
    }
    return value.map((v) => redact(v, key, parentKey));
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redact(v, k, key);
    return out;
  }
  return value;
}
