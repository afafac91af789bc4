/** The fleet page: counts by state per namespace, then one table per kind. Pure: records in, HTML out. */
import type { Kind } from "../crds/meta.js";
import { scrubSecrets } from "../log.js";
import type { StoredResource } from "../store/types.js";
import { escapeHtml, pathSegment } from "./escape.js";
import { renderAge } from "./layout.js";
import {
  conditionsOf,
  dnsNames,
  FleetState,
  fleetState,
  PAGE_KINDS,
  readyReason,
  rolloutOf,
  summarize,
  syncOf,
} from "./model.js";

/** The link of a record's own page. */
export function recordHref(r: { kind: string; metadata: { namespace: string; name: string } }): string {
  return `/r/${pathSegment(r.kind)}/${pathSegment(r.metadata.namespace)}/${pathSegment(r.metadata.name)}`;
}

const STATES = [FleetState.Ready, FleetState.Reconciling, FleetState.Stalled] as const;

function fleet(records: readonly StoredResource[]): string {
  const summary = summarize(records);
  const chips = STATES.map(
    (s) => `<span class="${s}" data-total="${s}"><strong>${summary.total[s]}</strong> ${s}</span>`,
  ).join("");
  const boxes = summary.namespaces
    .map(
      ({ namespace, counts }) =>
        `<div class="nsbox${counts.Stalled > 0 ? " bad" : ""}"><strong>${escapeHtml(namespace)}</strong><br>${STATES.map((s) => `<span class="${counts[s] > 0 ? s : "dim"}" title="${s}">${counts[s]} ${s.toLowerCase()}</span>`).join(" · ")}</div>`,
    )
    .join("");
  return `<section id="fleet"><h2>Fleet <small>${records.length} record${records.length === 1 ? "" : "s"} in ${summary.namespaces.length} namespace${summary.namespaces.length === 1 ? "" : "s"}</small></h2><div class="chips">${chips}</div>
<div class="ns">${boxes}</div></section>`;
}

/** The trio's "off" members say nothing a row needs; every other condition is shown, its message on hover. */
function conditionChips(r: StoredResource): string {
  return conditionsOf(r)
    .filter(
      (c) => c.status === "True" || c.type === "Ready" || (c.type !== "Reconciling" && c.type !== "Stalled"),
    )
    .map((c) => {
      const title =
        c.message === "" ? "" : ` title="${escapeHtml(`${c.reason}: ${scrubSecrets(c.message)}`)}"`;
      const label =
        c.status === "True" ? escapeHtml(c.type) : `${escapeHtml(c.type)}=${escapeHtml(c.status)}`;
      return `<span class="c ${escapeHtml(c.status)}"${title}>${label}</span>`;
    })
    .join("");
}

function nameCell(r: StoredResource): string {
  const labels = Object.entries(r.metadata.labels)
    .map(([k, v]) => `<span class="c lbl">${escapeHtml(k)}=${escapeHtml(v)}</span>`)
    .join("");
  return `<td><a href="${escapeHtml(recordHref(r))}">${escapeHtml(r.metadata.name)}</a>${labels === "" ? "" : ` ${labels}`}</td>`;
}

function stateCells(r: StoredResource): string {
  const state = fleetState(r);
  return `<td class="state ${state}">${state}</td><td>${escapeHtml(readyReason(r))}</td><td>${conditionChips(r)}</td>`;
}

function text(value: unknown): string {
  return value === undefined || value === null ? "" : escapeHtml(String(value));
}

function dns(name: string | undefined): string {
  return name === undefined ? `<span class="dim">—</span>` : escapeHtml(name);
}

function lag(ms: number | undefined): string {
  if (ms === undefined) return "—";
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

interface KindTable {
  headers: string[];
  cells(r: StoredResource, now: number): string;
}

const TABLES: Record<Kind, KindTable> = {
  FargateService: {
    headers: ["Replicas", "Rollout", "Cloud Map DNS", "Consul DNS"],
    cells: (r) => {
      const ro = rolloutOf(r);
      const names = dnsNames(r);
      const traffic = ro.trafficPercent === undefined ? "" : ` · ${ro.trafficPercent}% traffic`;
      return `<td class="num">${ro.running}/${ro.desired}${ro.pending > 0 ? ` <span class="dim">(${ro.pending} pending)</span>` : ""}</td>
<td><progress max="${Math.max(ro.desired, 1)}" value="${Math.min(ro.running, Math.max(ro.desired, 1))}"></progress> ${text(ro.state)}${traffic}</td>
<td>${dns(names.cloudMap)}</td><td>${dns(names.consul)}</td>`;
    },
  },
  CloudMapNamespace: {
    headers: ["DNS name", "VPC", "Namespace ID"],
    cells: (r) =>
      `<td>${dns(dnsNames(r).cloudMap)}</td><td>${text(r.spec.vpcId)}</td><td>${text(r.status?.namespaceId)}</td>`,
  },
  CatalogSync: {
    headers: ["Cloud Map namespace", "Placement", "→ Cloud Map", "→ Consul", "Writes", "Lag", "Last sync"],
    cells: (r, now) => {
      const s = syncOf(r);
      const ref = r.spec.cloudMapNamespaceRef as { name?: unknown } | undefined;
      const last = [s.lastSyncToCloudMap, s.lastSyncToConsul]
        .filter((t): t is string => t !== undefined)
        .sort()
        .at(-1);
      return `<td>${text(ref?.name)}</td><td>${text(r.status?.placement ?? r.spec.placement ?? "controller")}</td>
<td class="num">${s.toCloudMap}</td><td class="num">${s.toConsul}</td>
<td class="num">${(s.writesToCloudMap ?? 0) + (s.writesToConsul ?? 0)}</td>
<td>${lag(s.lagMsToCloudMap)} / ${lag(s.lagMsToConsul)}</td><td>${last === undefined ? "—" : renderAge(last, now)}${s.errors.length > 0 ? `<br><span class="Stalled">${escapeHtml(s.errors.join("; "))}</span>` : ""}</td>`;
    },
  },
  NamespacePolicy: {
    headers: ["Governs"],
    cells: (r) =>
      `<td>${text(r.status?.governs) || (r.metadata.name === "default" ? "namespaces without a policy" : `namespace ${escapeHtml(r.metadata.name)}`)}</td>`,
  },
};

function byNamespaceAndName(a: StoredResource, b: StoredResource): number {
  const ka = `${a.metadata.namespace}\u0000${a.metadata.name}`;
  const kb = `${b.metadata.namespace}\u0000${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function kindTable(kind: Kind, records: StoredResource[], now: number): string {
  const table = TABLES[kind];
  const head = ["Namespace", "Name", "State", "Reason", "Conditions", ...table.headers, "Age"]
    .map((h) => `<th>${escapeHtml(h)}</th>`)
    .join("");
  const rows = records
    .sort(byNamespaceAndName)
    .map(
      (r) =>
        `<tr data-key="${escapeHtml(`${r.kind}/${r.metadata.namespace}/${r.metadata.name}`)}"><td>${escapeHtml(r.metadata.namespace)}</td>${nameCell(r)}${stateCells(r)}${table.cells(r, now)}<td>${renderAge(r.metadata.creationTimestamp, now)}</td></tr>`,
    )
    .join("\n");
  return `<section id="kind-${kind}"><h2>${kind} <small>${records.length}</small></h2>
<table class="k k-${kind}"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></section>`;
}

/** The fleet page's content: the summary, then a table per kind that has records. */
export function renderOverview(
  recordsByKind: ReadonlyMap<Kind, readonly StoredResource[]>,
  now: number,
): string {
  const all = [...recordsByKind.values()].flat();
  const tables = PAGE_KINDS.filter((k) => (recordsByKind.get(k)?.length ?? 0) > 0).map((k) =>
    kindTable(k, [...(recordsByKind.get(k) ?? [])], now),
  );
  return `${fleet(all)}\n${tables.length === 0 ? `<p class="dim">No records yet.</p>` : tables.join("\n")}`;
}

/** The fleet page's title: the counts, so a background tab shows trouble. */
export function overviewTitle(recordsByKind: ReadonlyMap<Kind, readonly StoredResource[]>): string {
  const { total } = summarize([...recordsByKind.values()].flat());
  return `${total.Stalled > 0 ? `${total.Stalled} stalled · ` : ""}${total.Ready} ready · fargate-operator`;
}
