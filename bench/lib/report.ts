/** latest.json's shape, the DESIGN.md §9 budgets and the printed table. Pure. */
import type { ConvergenceFigure } from "./convergence.js";
import type { ImportFigure } from "./import.js";
import type { MemoryFigure } from "./memory.js";
import type { SteadyStateFigure } from "./steady-state.js";
import type { UiFigure } from "./ui.js";
import type { WatchLatencyFigure } from "./watch-latency.js";

/** p50/p99 of a latency in milliseconds. */
export interface Percentiles {
  p50: number;
  p99: number;
}

/** bench/results/latest.json: exactly these keys (the how goes to latest-meta.json); a figure a phase could not produce is null. */
export interface BenchResults {
  convergence: ConvergenceFigure | null;
  steadyState: SteadyStateFigure | null;
  watchLatencyMs: WatchLatencyFigure | null;
  consulToCloudMapMs: Percentiles | null;
  cloudMapToConsulMs: Percentiles | null;
  memory: MemoryFigure | null;
  /** `fargatectl import` on files, process start included (DESIGN.md §11). */
  import: ImportFigure | null;
  /** The status page's fleet page with 1,000 records, loaded in headless Chromium (DESIGN.md §11). */
  ui: UiFigure | null;
}

/** One line of the table. */
export interface ReportRow {
  figure: string;
  value: string;
  budget: string;
  /** Ratio of value to budget when the budget is a number. */
  ratio: string;
  verdict: "pass" | "FAIL" | "n/a";
}

const fmt = (n: number, digits = 1): string => (Number.isInteger(n) ? String(n) : n.toFixed(digits));

/** Digits for a value: ratios and per-10 figures need more than seconds and milliseconds. */
const digitsFor = (unit: string): number => (unit === "" ? 3 : 1);

function row(
  figure: string,
  value: number | undefined,
  unit: string,
  budget: { limit: number; strict: boolean; text: string } | undefined,
): ReportRow {
  if (value === undefined)
    return { figure, value: "—", budget: budget?.text ?? "—", ratio: "—", verdict: "n/a" };
  const text = `${fmt(value, digitsFor(unit))}${unit}`;
  if (budget === undefined) return { figure, value: text, budget: "—", ratio: "—", verdict: "n/a" };
  const ok = budget.strict ? value < budget.limit : value <= budget.limit;
  const ratio = budget.limit === 0 ? (value === 0 ? "0" : "∞") : fmt(value / budget.limit, 2);
  return { figure, value: text, budget: budget.text, ratio, verdict: ok ? "pass" : "FAIL" };
}

/** The rows of the table, one per figure, with the DESIGN.md §9 budget and the verdict. */
export function reportRows(results: BenchResults): ReportRow[] {
  const c = results.convergence;
  const s = results.steadyState;
  const w = results.watchLatencyMs;
  const c2m = results.consulToCloudMapMs;
  const m2c = results.cloudMapToConsulMs;
  const rows: ReportRow[] = [
    row(`convergence.seconds (${c?.services ?? "?"} services)`, c?.seconds, " s", undefined),
    row("convergence.boundSeconds", c?.boundSeconds, " s", undefined),
    row("convergence.ratioToBound", c?.ratioToBound, "", { limit: 1.2, strict: false, text: "≤ 1.2" }),
    row(`steadyState.awsWriteCalls (${s?.resyncs ?? "?"} resyncs)`, s?.awsWriteCalls, "", {
      limit: 0,
      strict: false,
      text: "0",
    }),
    row("steadyState.describeCallsPer10Services", s?.describeCallsPer10Services, "", {
      limit: 1,
      strict: false,
      text: "≤ 1",
    }),
    row("steadyState.cloudMapCallsPer10Services", s?.cloudMapCallsPer10Services, "", {
      limit: 1,
      strict: false,
      text: "≤ 1",
    }),
    row("watchLatencyMs.p50", w?.p50, " ms", undefined),
    row("watchLatencyMs.p99", w?.p99, " ms", { limit: 1000, strict: true, text: "< 1000 ms" }),
    row("consulToCloudMapMs.p50", c2m?.p50, " ms", undefined),
    row("consulToCloudMapMs.p99", c2m?.p99, " ms", undefined),
    row("cloudMapToConsulMs.p50", m2c?.p50, " ms", undefined),
    row("cloudMapToConsulMs.p99", m2c?.p99, " ms", undefined),
    row("memory.rssMbAt10k", results.memory?.rssMbAt10k, " MB", {
      limit: 256,
      strict: true,
      text: "< 256 MB",
    }),
    row(
      `import.perDefinitionMs.p50 (${results.import?.definitions ?? "?"} files)`,
      results.import?.perDefinitionMs.p50,
      " ms",
      { limit: 500, strict: true, text: "< 500 ms" },
    ),
    row("import.perDefinitionMs.p99", results.import?.perDefinitionMs.p99, " ms", undefined),
    row("ui.pageLoadMsAt1k.p50 (headless Chromium)", results.ui?.pageLoadMsAt1k.p50, " ms", {
      limit: 300,
      strict: true,
      text: "< 300 ms",
    }),
    row("ui.pageLoadMsAt1k.p99", results.ui?.pageLoadMsAt1k.p99, " ms", undefined),
  ];
  return rows;
}

/** The rows as an aligned text table. */
export function formatTable(rows: readonly ReportRow[]): string {
  const header: ReportRow = {
    figure: "figure",
    value: "value",
    budget: "budget",
    ratio: "ratio",
    verdict: "n/a",
  };
  const cells = [header, ...rows].map((r, i) => [
    r.figure,
    r.value,
    r.budget,
    r.ratio,
    i === 0 ? "verdict" : r.verdict === "n/a" ? "" : r.verdict,
  ]);
  const widths = [0, 1, 2, 3, 4].map((col) => Math.max(...cells.map((c) => (c[col] ?? "").length)));
  const line = (c: string[]): string =>
    c
      .map((cell, col) =>
        col === 1 || col === 3 ? cell.padStart(widths[col] ?? 0) : cell.padEnd(widths[col] ?? 0),
      )
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(cells[0] ?? []), rule, ...cells.slice(1).map(line)].join("\n");
}
