/** A record's own page: metadata, conditions, status, spec (secret values hidden) and events. Pure. */
import { stringify } from "yaml";
import { scrubSecrets } from "../log.js";
import type { StoredResource } from "../store/types.js";
import { escapeHtml } from "./escape.js";
import { renderAge } from "./layout.js";
import { conditionsOf, dnsNames, fleetState, readyReason, redact } from "./model.js";
import type { EventView } from "./types.js";

function yamlBlock(value: unknown): string {
  return `<pre>${escapeHtml(stringify(redact(value), { lineWidth: 0 }))}</pre>`;
}

function metadataList(r: StoredResource, now: number): string {
  const m = r.metadata;
  const names = dnsNames(r);
  const rows: Array<[string, string]> = [
    ["Kind", escapeHtml(r.kind)],
    ["Namespace", escapeHtml(m.namespace)],
    ["Name", escapeHtml(m.name)],
    ["State", `<span class="state ${fleetState(r)}">${fleetState(r)}</span> ${escapeHtml(readyReason(r))}`],
    ["Generation", `${m.generation} (observed: ${escapeHtml(r.status?.observedGeneration ?? "none")})`],
    [
      "Created",
      m.creationTimestamp === undefined
        ? "&lt;unknown&gt;"
        : `${escapeHtml(m.creationTimestamp)} (${renderAge(m.creationTimestamp, now)} ago)`,
    ],
  ];
  if (m.deletionTimestamp !== undefined) rows.push(["Deleting since", escapeHtml(m.deletionTimestamp)]);
  if (names.cloudMap !== undefined) rows.push(["Cloud Map DNS", escapeHtml(names.cloudMap)]);
  if (names.consul !== undefined) rows.push(["Consul DNS", escapeHtml(names.consul)]);
  const labels = Object.entries(m.labels);
  if (labels.length > 0) {
    rows.push([
      "Labels",
      labels.map(([k, v]) => `<span class="c lbl">${escapeHtml(k)}=${escapeHtml(v)}</span>`).join(""),
    ]);
  }
  const annotations = Object.entries(redact(m.annotations) as Record<string, string>);
  if (annotations.length > 0) {
    rows.push(["Annotations", annotations.map(([k, v]) => `${escapeHtml(k)}=${escapeHtml(v)}`).join("<br>")]);
  }
  if (m.finalizers.length > 0) rows.push(["Finalizers", escapeHtml(m.finalizers.join(", "))]);
  if (m.ownerReferences.length > 0) {
    rows.push(["Owners", escapeHtml(m.ownerReferences.map((o) => `${o.kind}/${o.name}`).join(", "))]);
  }
  return `<dl>${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("")}</dl>`;
}

function conditionsTable(r: StoredResource, now: number): string {
  const list = conditionsOf(r);
  if (list.length === 0) return `<p class="dim">None yet: the controller has not reported.</p>`;
  const rows = list
    .map(
      (c) =>
        `<tr><td>${escapeHtml(c.type)}</td><td><span class="c ${escapeHtml(c.status)}">${escapeHtml(c.status)}</span></td><td>${escapeHtml(c.reason)}</td><td>${renderAge(c.lastTransitionTime, now)}</td><td>${escapeHtml(scrubSecrets(c.message))}</td></tr>`,
    )
    .join("");
  return `<table id="conditions"><thead><tr><th>Type</th><th>Status</th><th>Reason</th><th>Age</th><th>Message</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function eventsTable(events: readonly EventView[], now: number): string {
  if (events.length === 0) return `<p class="dim">No events.</p>`;
  const rows = [...events]
    .sort((a, b) => (a.lastTimestamp < b.lastTimestamp ? 1 : a.lastTimestamp > b.lastTimestamp ? -1 : 0))
    .map(
      (e) =>
        `<tr><td class="${e.type === "Warning" ? "Warning" : ""}">${escapeHtml(e.type)}</td><td>${escapeHtml(e.reason)}</td><td>${renderAge(e.lastTimestamp, now)}${e.count > 1 ? ` (x${e.count} over ${renderAge(e.firstTimestamp, now)})` : ""}</td><td>${escapeHtml(scrubSecrets(e.message))}</td></tr>`,
    )
    .join("");
  return `<table id="events"><thead><tr><th>Type</th><th>Reason</th><th>Age</th><th>Message</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** What the record page shows besides the record: its events when an event reader is wired, or why not. */
export type EventsSection =
  | { shown: false }
  | { shown: true; events: readonly EventView[] }
  | { shown: true; error: string };

/** The record page's content. */
export function renderRecord(r: StoredResource, events: EventsSection, now: number): string {
  const { conditions: _omit, ...status } = r.status ?? {};
  const parts = [
    `<h2>${escapeHtml(r.kind)} ${escapeHtml(r.metadata.namespace)}/${escapeHtml(r.metadata.name)}</h2>`,
    metadataList(r, now),
    `<h2>Conditions</h2>${conditionsTable(r, now)}`,
  ];
  if (events.shown) {
    parts.push(
      `<h2>Events</h2>${"error" in events ? `<p class="dim">Events could not be read: ${escapeHtml(events.error)}</p>` : eventsTable(events.events, now)}`,
    );
  }
  if (Object.keys(status).length > 0) parts.push(`<h2>Status</h2>${yamlBlock(status)}`);
  parts.push(
    `<h2>Spec</h2><p class="dim">Values that could be secrets (plain environment variables, token-like fields) are hidden.</p>${yamlBlock(r.spec)}`,
  );
  return parts.join("\n");
}

/** The page of a key the caches do not hold (any more). */
export function renderMissing(kind: string, namespace: string, name: string): string {
  return `<h2>${escapeHtml(kind)} ${escapeHtml(namespace)}/${escapeHtml(name)}</h2><p class="dim">No such record in the controller's cache (deleted, or not created yet). This page updates when it appears.</p>`;
}
