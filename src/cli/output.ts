/** Renders records for people (tables, describe) and for programs (bare JSON or YAML). */
import { stringify } from "yaml";
import { type Condition, type Kind, parseTimestamp } from "../crds/meta.js";
import { valueAt } from "../crds/values.js";
import type { StoredResource } from "../store/types.js";

/** Output formats of `get`. */
export const OutputFormat = { Table: "table", Yaml: "yaml", Json: "json" } as const;

/** One of `table`, `yaml`, `json`. */
export type OutputFormat = (typeof OutputFormat)[keyof typeof OutputFormat];

/** Parses `-o`; throws a clear error for anything else. */
export function parseOutputFormat(raw: string): OutputFormat {
  if (raw === "table" || raw === "yaml" || raw === "json") return raw;
  throw new Error(`-o ${raw}: unknown output format (use table, yaml or json)`);
}

/** The record as users see it: the Kubernetes shape, without store internals. */
export function bareRecord(resource: StoredResource): Record<string, unknown> {
  const out: Record<string, unknown> = {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    metadata: resource.metadata,
    spec: resource.spec,
  };
  if (resource.status !== undefined) out.status = resource.status;
  return out;
}

/** Serialises one record or a list as JSON or YAML. */
export function formatRecords(resources: StoredResource[], format: "yaml" | "json", single: boolean): string {
  const first = resources[0];
  const value =
    single && first !== undefined
      ? bareRecord(first)
      : { apiVersion: "v1", kind: "List", items: resources.map(bareRecord) };
  return format === "json" ? `${JSON.stringify(value, null, 2)}\n` : stringify(value, { lineWidth: 0 });
}

/** Finds a condition by type in a record's status. */
export function findCondition(resource: StoredResource, type: string): Condition | undefined {
  const conditions = resource.status?.conditions;
  if (!Array.isArray(conditions)) return undefined;
  return (conditions as Condition[]).find((c) => c.type === type);
}

/** Human age like kubectl: 45s, 12m, 3h, 5d. */
export function formatAge(from: string | undefined, now: number): string {
  // kubectl's word when there is no time to count from: never an age counted from 1970.
  const start = parseTimestamp(from);
  if (start === undefined) return "<unknown>";
  const seconds = Math.max(0, Math.floor((now - start) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

function readyColumns(resource: StoredResource): [string, string] {
  const ready = findCondition(resource, "Ready");
  if (resource.metadata.deletionTimestamp !== undefined) return ["Terminating", ready?.reason ?? ""];
  return [ready?.status ?? "Unknown", ready?.reason ?? (ready ? "" : "Pending")];
}

function text(value: unknown): string {
  return value === undefined || value === null ? "" : String(value);
}

const COLUMNS: Record<Kind, { headers: string[]; row(r: StoredResource): string[] }> = {
  FargateService: {
    headers: ["READY", "REASON", "REPLICAS", "ROLLOUT", "CLUSTER"],
    row: (r) => {
      const running = valueAt(r.status, "replicas", "running");
      const desired = valueAt(r.status, "replicas", "desired") ?? r.spec.desiredCount;
      return [
        ...readyColumns(r),
        `${text(running ?? 0)}/${text(desired)}`,
        text(valueAt(r.status, "rollout", "state")),
        text(r.spec.cluster),
      ];
    },
  },
  CloudMapNamespace: {
    headers: ["READY", "REASON", "DNS NAME", "VPC", "NAMESPACE ID"],
    row: (r) => [...readyColumns(r), text(r.spec.dnsName), text(r.spec.vpcId), text(r.status?.namespaceId)],
  },
  CatalogSync: {
    headers: ["READY", "REASON", "CLOUD MAP NAMESPACE", "PLACEMENT"],
    row: (r) => [
      ...readyColumns(r),
      text(valueAt(r.spec, "cloudMapNamespaceRef", "name")),
      text(r.spec.placement ?? "controller"),
    ],
  },
  NamespacePolicy: {
    headers: ["READY", "REASON", "GOVERNS", "RULES"],
    row: (r) => [
      ...readyColumns(r),
      text(r.status?.governs) ||
        (r.metadata.name === "default" ? "namespaces without a policy" : `namespace ${r.metadata.name}`),
      // How many lists and limits restrict something (absent fields allow anything).
      String(
        Object.entries(r.spec).reduce(
          (n, [key, value]) =>
            n +
            (key === "limits" && value !== null && typeof value === "object" ? Object.keys(value).length : 1),
          0,
        ),
      ),
    ],
  },
};

/** Renders a kubectl-style table of one kind's records. */
export function formatTable(
  kind: Kind,
  resources: StoredResource[],
  allNamespaces: boolean,
  now: number,
): string {
  const spec = COLUMNS[kind];
  const headers = [...(allNamespaces ? ["NAMESPACE"] : []), "NAME", ...spec.headers, "AGE"];
  const rows = resources.map((r) => [
    ...(allNamespaces ? [r.metadata.namespace] : []),
    r.metadata.name,
    ...spec.row(r),
    formatAge(r.metadata.creationTimestamp, now),
  ]);
  return alignColumns([headers, ...rows]);
}

/** Pads columns to a common width, three spaces apart. */
export function alignColumns(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return `${rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join("   ")
        .trimEnd(),
    )
    .join("\n")}\n`;
}

/** A readable multi-section description of one record: metadata, conditions, status, spec. */
export function formatDescription(resource: StoredResource, now: number): string {
  const m = resource.metadata;
  const lines: string[] = [
    `Name:          ${m.name}`,
    `Namespace:     ${m.namespace}`,
    `Kind:          ${resource.kind}`,
    `UID:           ${m.uid}`,
    `Generation:    ${m.generation} (observed: ${text(resource.status?.observedGeneration) || "none"})`,
    m.creationTimestamp === undefined
      ? "Created:       <unknown> (the controller has not seen the record yet)"
      : `Created:       ${m.creationTimestamp} (${formatAge(m.creationTimestamp, now)} ago)`,
  ];
  if (m.deletionTimestamp !== undefined) lines.push(`Deleting since: ${m.deletionTimestamp}`);
  if (m.finalizers.length > 0) lines.push(`Finalizers:    ${m.finalizers.join(", ")}`);
  const labels = Object.entries(m.labels);
  if (labels.length > 0) lines.push(`Labels:        ${labels.map(([k, v]) => `${k}=${v}`).join(", ")}`);
  const conditions = (resource.status?.conditions as Condition[] | undefined) ?? [];
  lines.push("Conditions:");
  if (conditions.length === 0) lines.push("  (none yet: the controller has not reported)");
  else {
    const table = alignColumns([
      ["TYPE", "STATUS", "REASON", "AGE", "MESSAGE"],
      ...conditions.map((c) => [c.type, c.status, c.reason, formatAge(c.lastTransitionTime, now), c.message]),
    ]);
    lines.push(
      ...table
        .trimEnd()
        .split("\n")
        .map((l) => `  ${l}`),
    );
  }
  const { conditions: _omit, ...restStatus } = resource.status ?? {};
  if (Object.keys(restStatus).length > 0) {
    lines.push("Status:", ...indent(stringify(restStatus, { lineWidth: 0 })));
  }
  lines.push("Spec:", ...indent(stringify(resource.spec, { lineWidth: 0 })));
  return `${lines.join("\n")}\n`;
}

function indent(block: string): string[] {
  return block
    .trimEnd()
    .split("\n")
    .map((l) => `  ${l}`);
}
