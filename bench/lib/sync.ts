/**
 * The catalog sync engine's propagation figures come from bench/sync-latency.ts (the sync engine's own bench,
 * a script): it runs as a child process, writes bench/results/sync-latency.json, and the figures at the
 * CatalogSync's default Cloud Map poll interval (5 s) are taken from there. Without the script both stay null.
 */
import { spawn } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { setTimeout as sleepWall } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { Cleanup } from "./cleanup.js";
import type { Percentiles } from "./report.js";

/** The two sync figures, what the meta block records, and a note on where they came from. */
export interface SyncOutcome {
  consulToCloudMapMs: Percentiles | null;
  cloudMapToConsulMs: Percentiles | null;
  note: string;
  meta: Record<string, unknown>;
}

/** The CatalogSync's default `pollIntervalSeconds`, in ms: the interval whose figures are reported. */
export const DEFAULT_POLL_INTERVAL_MS = 5_000;

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const SCRIPT = fileURLToPath(new URL("../sync-latency.ts", import.meta.url));
const OUTPUT = fileURLToPath(new URL("../results/sync-latency.json", import.meta.url));

interface DirectionFigures {
  p50Ms: number;
  p99Ms: number;
}

function isDirection(value: unknown): value is DirectionFigures {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return typeof v.p50Ms === "number" && typeof v.p99Ms === "number";
}

/** Runs bench/sync-latency.ts (bounded by `timeoutMs`) and reads its JSON. */
export async function measureSync(
  logFile: string,
  timeoutMs: number,
  cleanup: Cleanup,
): Promise<SyncOutcome> {
  if (!existsSync(SCRIPT)) {
    return {
      consulToCloudMapMs: null,
      cloudMapToConsulMs: null,
      note: "bench/sync-latency.ts does not exist (the catalog sync engine's bench); both sync figures are null",
      meta: {},
    };
  }
  await rm(OUTPUT, { force: true });
  const log = createWriteStream(logFile, { flags: "w" });
  const child = spawn(process.execPath, ["--import", "tsx", SCRIPT], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exit = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  const stop = cleanup.add("sync-latency process", async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      if ((await Promise.race([exit, sleepWall(10_000, "timeout", { ref: false })])) === "timeout")
        child.kill("SIGKILL");
      await exit;
    }
    log.end();
  });
  try {
    const code = await Promise.race([exit, sleepWall(timeoutMs, "timeout" as const, { ref: false })]);
    if (code !== 0) throw new Error(`bench/sync-latency.ts ended with ${code}; see ${logFile}`);
  } finally {
    await stop();
  }
  const parsed = JSON.parse(await readFile(OUTPUT, "utf8")) as { results?: unknown; runs?: unknown };
  // The script's author has called the list both `results` and `runs`.
  const list = parsed.runs ?? parsed.results;
  const results = Array.isArray(list) ? (list as Array<Record<string, unknown>>) : [];
  const chosen = results.find((r) => r.pollIntervalMs === DEFAULT_POLL_INTERVAL_MS) ?? results[0];
  const toCloudMap = chosen?.toCloudMap;
  const toConsul = chosen?.toConsul;
  if (!isDirection(toCloudMap) || !isDirection(toConsul))
    throw new Error("bench/results/sync-latency.json has no toCloudMap/toConsul p50Ms/p99Ms figures");
  return {
    consulToCloudMapMs: { p50: toCloudMap.p50Ms, p99: toCloudMap.p99Ms },
    cloudMapToConsulMs: { p50: toConsul.p50Ms, p99: toConsul.p99Ms },
    note: `from bench/sync-latency.ts at a ${chosen?.pollIntervalMs} ms Cloud Map poll (the CatalogSync default); every interval it ran is in latest-meta.json's sync`,
    meta: {
      source: "bench/results/sync-latency.json",
      byPollInterval: results.map((r) => ({
        pollIntervalMs: r.pollIntervalMs,
        toCloudMap: r.toCloudMap,
        toConsul: r.toConsul,
      })),
    },
  };
}
