/**
 * What `watch` prints, as pure functions of snapshots: plain appended lines (pipes, CI logs) or a block of one
 * line per record redrawn in place with ANSI escapes (terminals).
 */

import type { Condition } from "../crds/meta.js";
import { findCondition } from "../reconcilers/conditions.js";
import type { StoredResource } from "../store/types.js";

/** What one record shows in a watch. */
export interface WatchRow {
  /** `Kind/namespace/name`. */
  key: string;
  /** `fargateservice/web`. */
  ref: string;
  namespace: string;
  /** Ready's status, `Terminating` while deleting, `-` before the controller reports, `Deleted` once gone. */
  ready: string;
  reason: string;
  message: string;
  /** `running/desired` for a FargateService, `-` otherwise. */
  replicas: string;
  /** The rollout state for a FargateService, `-` otherwise. */
  rollout: string;
  /** `observed/generation`: the controller's `status.observedGeneration` against `metadata.generation`. */
  generation: string;
}

/** Records by key, as one poll saw them. */
export type WatchSnapshot = ReadonlyMap<string, WatchRow>;

/** A row of a record. Pure. */
export function rowOf(resource: StoredResource): WatchRow {
  const { metadata, status } = resource;
  const conditions = Array.isArray(status?.conditions) ? (status.conditions as Condition[]) : undefined;
  const ready = findCondition(conditions, "Ready");
  const deleting = metadata.deletionTimestamp !== undefined;
  const isService = resource.kind === "FargateService";
  const replicas = record(status?.replicas);
  const rollout = record(status?.rollout);
  const desired = replicas?.desired ?? resource.spec.desiredCount;
  return {
    key: `${resource.kind}/${metadata.namespace}/${metadata.name}`,
    ref: `${resource.kind.toLowerCase()}/${metadata.name}`,
    namespace: metadata.namespace,
    ready: deleting ? "Terminating" : (ready?.status ?? "-"),
    reason: ready?.reason ?? "",
    message: oneLine(ready?.message ?? ""),
    replicas: isService ? `${text(replicas?.running ?? 0)}/${text(desired ?? "?")}` : "-",
    rollout: isService ? rolloutText(rollout) : "-",
    generation: `${text(status?.observedGeneration ?? "-")}/${metadata.generation}`,
  };
}

/** `IN_PROGRESS`, or with a traffic-shifting strategy `IN_PROGRESS PRODUCTION_TRAFFIC_SHIFT 20%`. */
function rolloutText(rollout: Record<string, unknown> | undefined): string {
  const state = text(rollout?.state ?? "-");
  if (rollout?.state !== "IN_PROGRESS" || rollout.stage === undefined) return state;
  const traffic = typeof rollout.trafficPercent === "number" ? ` ${rollout.trafficPercent}%` : "";
  return `${state} ${text(rollout.stage)}${traffic}`;
}

/** A snapshot of records. Pure. */
export function snapshotOf(resources: readonly StoredResource[]): WatchSnapshot {
  return new Map(resources.map((r) => [`${r.kind}/${r.metadata.namespace}/${r.metadata.name}`, rowOf(r)]));
}

/** A record's row as it changed between two polls. */
export interface WatchChange {
  type: "added" | "modified" | "deleted";
  row: WatchRow;
}

/** Records that appeared, changed what they show, or vanished; in `next`'s order, then the vanished. Pure. */
export function changesBetween(previous: WatchSnapshot, next: WatchSnapshot): WatchChange[] {
  const out: WatchChange[] = [];
  for (const [key, row] of next) {
    const before = previous.get(key);
    if (before === undefined) out.push({ type: "added", row });
    else if (!sameRow(before, row)) out.push({ type: "modified", row });
  }
  for (const [key, row] of previous) {
    if (!next.has(key)) out.push({ type: "deleted", row: deletedRow(row) });
  }
  return out;
}

/** The row a vanished record shows. */
export function deletedRow(row: WatchRow): WatchRow {
  return { ...row, ready: "Deleted", reason: "", message: "", replicas: "-", rollout: "-" };
}

function sameRow(a: WatchRow, b: WatchRow): boolean {
  return (
    a.ready === b.ready &&
    a.reason === b.reason &&
    a.message === b.message &&
    a.replicas === b.replicas &&
    a.rollout === b.rollout &&
    a.generation === b.generation
  );
}

/** Layout options shared by both renderings. */
export interface WatchLayout {
  /** Add a NAMESPACE column (with `-A`). */
  showNamespace: boolean;
}

const HEADERS = ["NAME", "READY", "REASON", "REPLICAS", "ROLLOUT", "OBSERVED/GEN", "MESSAGE"];

function cells(row: WatchRow, layout: WatchLayout): string[] {
  const base = [
    row.ref,
    row.ready,
    row.reason || "-",
    row.replicas,
    row.rollout,
    row.generation,
    row.message,
  ];
  return layout.showNamespace ? [row.namespace, ...base] : base;
}

function headers(layout: WatchLayout): string[] {
  return layout.showNamespace ? ["NAMESPACE", ...HEADERS] : HEADERS;
}

/** Plain mode: the column widths printed so far (they only grow, so later lines line up with earlier ones). */
export interface PlainView {
  widths: number[];
}

/**
 * Plain mode: the lines to append for a poll. The first poll (`view` undefined) prints a header and every
 * record; later polls print one line per change, aligned with what was printed before where values fit.
 */
export function renderPlain(
  view: PlainView | undefined,
  previous: WatchSnapshot,
  next: WatchSnapshot,
  layout: WatchLayout,
): { view: PlainView; lines: string[] } {
  const rows = changesBetween(previous, next).map((c) => cells(c.row, layout));
  const all = [headers(layout), ...rows];
  const widths = growWidths(view?.widths ?? [], all);
  const lines = all.map((row) => alignRow(row, widths));
  return { view: { widths }, lines: view === undefined ? lines : lines.slice(1) };
}

function growWidths(widths: readonly number[], rows: readonly string[][]): number[] {
  const out = [...widths];
  for (const row of rows) {
    row.forEach((cell, i) => {
      out[i] = Math.max(out[i] ?? 0, cell.length);
    });
  }
  return out;
}

/** Pads every cell but the last to its column's width, three spaces apart (as `get` prints tables). */
function alignRow(row: readonly string[], widths: readonly number[]): string {
  return row
    .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
    .join("   ")
    .trimEnd();
}

/** Terminal mode: the block's state between polls. */
export interface TerminalView {
  /** Keys in the order they first appeared; vanished records keep their line, marked Deleted. */
  order: string[];
  rows: Map<string, WatchRow>;
  /** The lines last drawn (header included). */
  lines: string[];
  /** Column widths so far: they only grow, so a narrower value does not shift every line. */
  widths: number[];
}

/** An empty terminal view. */
export function emptyTerminalView(): TerminalView {
  return { order: [], rows: new Map(), lines: [], widths: [] };
}

/**
 * Terminal mode: the next view and the text (ANSI escapes included) that turns the drawn block into it.
 * Lines are cut to `width - 1` columns so none wraps (a wrapped line would break the cursor arithmetic).
 */
export function renderTerminal(
  view: TerminalView,
  next: WatchSnapshot,
  layout: WatchLayout & { width: number },
): { view: TerminalView; output: string } {
  const order = [...view.order];
  const rows = new Map(view.rows);
  for (const change of changesBetween(snapshotFromView(view), next)) {
    if (!rows.has(change.row.key)) order.push(change.row.key);
    rows.set(change.row.key, change.row);
  }
  const table = [headers(layout), ...order.flatMap((key) => cellsOf(rows.get(key), layout))];
  const widths = growWidths(view.widths, table);
  const lines = table.map((row) => clip(alignRow(row, widths), layout.width));
  return { view: { order, rows, lines, widths }, output: redraw(view.lines, lines) };
}

function cellsOf(row: WatchRow | undefined, layout: WatchLayout): string[][] {
  return row === undefined ? [] : [cells(row, layout)];
}

/** The rows still present (not shown as Deleted), so a record that comes back counts as added again. */
function snapshotFromView(view: TerminalView): WatchSnapshot {
  return new Map([...view.rows].filter(([, row]) => row.ready !== "Deleted"));
}

function clip(line: string, width: number): string {
  const max = Math.max(20, width - 1);
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

const ESC = "\u001b[";

/**
 * ANSI text that rewrites a block drawn as `before` (cursor on the line below it) into `after`: the cursor
 * moves up to the first line that differs, and every line from there is cleared and written again.
 */
export function redraw(before: readonly string[], after: readonly string[]): string {
  let same = 0;
  while (same < before.length && same < after.length && before[same] === after[same]) same++;
  if (same === before.length && same === after.length) return "";
  const up = before.length - same;
  const head = up > 0 ? `${ESC}${up}A` : "";
  const body = after
    .slice(same)
    .map((line) => `\r${ESC}2K${line}\n`)
    .join("");
  // A shorter block (never in practice: rows are only added) must not leave old lines below it.
  const tail = after.length < before.length ? `${ESC}J` : "";
  return `${head}${body}${tail}`;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function text(value: unknown): string {
  return value === undefined || value === null ? "" : String(value);
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, " ").trim();
}
