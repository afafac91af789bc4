/**
 * `import.perDefinitionMs` (DESIGN.md §11): wall time of `fargatectl import` on files, process start included,
 * over the real-world corpus (test/fixtures/real-world/manifest.json), each definition imported `runs` times
 * one after another. Runs the built CLI (bin/fargatectl.js → dist/) as a user does; without a build it fails
 * and says to run `npm run build`.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { percentile, round } from "./stats.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const CORPUS = join(REPO, "test", "fixtures", "real-world");

/** latest.json's `import` figure. */
export interface ImportFigure {
  perDefinitionMs: { p50: number; p99: number; max: number };
  definitions: number;
  runs: number;
}

/** One corpus entry as manifest.json lists it (paths relative to test/fixtures/real-world/). */
interface CorpusEntry {
  dir: string;
  taskDefinition: string;
  service?: string;
}

function corpus(): CorpusEntry[] {
  const manifest = JSON.parse(readFileSync(join(CORPUS, "manifest.json"), "utf8")) as unknown;
  const entries = Array.isArray(manifest) ? manifest : (manifest as { entries?: unknown }).entries;
  if (!Array.isArray(entries)) throw new Error("test/fixtures/real-world/manifest.json holds no entries");
  return entries as CorpusEntry[];
}

function timeImport(args: string[]): Promise<{ ms: number; code: number | null }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(REPO, "bin", "fargatectl.js"), "import", ...args], {
      stdio: ["ignore", "ignore", "ignore"],
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve({ ms: performance.now() - started, code }));
  });
}

/** Imports every corpus definition `runs` times and returns the percentiles, with exit-code counts for the meta. */
export async function measureImport(
  runs: number,
): Promise<{ figure: ImportFigure; meta: Record<string, unknown> }> {
  if (!existsSync(join(REPO, "dist", "cli", "run.js")))
    throw new Error("import phase: no build in dist/; run `npm run build` first");
  const entries = corpus();
  const samples: number[] = [];
  const exitCodes: Record<string, number> = {};
  for (let run = 0; run < runs; run++) {
    for (const entry of entries) {
      const args = ["--task-definition", join(CORPUS, entry.taskDefinition), "-o", "json"];
      if (entry.service !== undefined) args.push("--service", join(CORPUS, entry.service));
      const { ms, code } = await timeImport(args);
      samples.push(ms);
      exitCodes[String(code)] = (exitCodes[String(code)] ?? 0) + 1;
    }
  }
  const p = (q: number): number => round(percentile(samples, q) ?? Number.NaN, 1);
  return {
    figure: {
      perDefinitionMs: { p50: p(50), p99: p(99), max: round(Math.max(...samples), 1) },
      definitions: entries.length,
      runs,
    },
    meta: {
      command:
        "node bin/fargatectl.js import --task-definition FILE [--service FILE] -o json (one process each)",
      corpus: "test/fixtures/real-world/manifest.json",
      exitCodes,
      samples: samples.length,
    },
  };
}
