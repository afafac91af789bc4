/**
 * The benchmarks of DESIGN.md §9 (issue 8): `node --import tsx bench/run.ts [--quick]`.
 *
 * Starts DynamoDB Local and the AWS simulator (AWS's published ECS token buckets on), runs the real controller
 * in process on a scaled clock it shares with the simulator, and measures convergence, steady-state cost and
 * watch latency; then the resident memory of a separate `fargatectl controller` process over 10,000 records,
 * and the catalog sync figures from bench/sync-latency.ts. Writes bench/results/latest.json (exactly the figures)
 * and bench/results/latest-meta.json (how they were obtained), and prints a table.
 * Every process it starts is stopped, on failure and on SIGINT/SIGTERM too.
 *
 * Options: --quick (100 services; within 5 minutes on 2 cores), --services N, --time-scale S (default 1: on a
 * shared 2-core machine the controller's own wall-clock work, not AWS's buckets, limits it at 2× and above),
 * --records N (memory phase, default 10000), --phases convergence,watch,steady,memory,sync,import,ui (default all),
 * --memory-node-flags=--max-old-space-size=128 (node flags for the memory phase's controller process instead of
 * the image's NODE_OPTIONS; the full run also measures it with none, i.e. a heap sized for this host),
 * --controller-entry dist|tsx (how that process runs; dist when the build exists).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Cleanup } from "./lib/cleanup.js";
import { type BenchController, isReadyNow, startBenchController } from "./lib/controller.js";
import { type ConvergenceOutcome, measureConvergence } from "./lib/convergence.js";
import { measureImport } from "./lib/import.js";
import {
  type ControllerEntry,
  defaultControllerEntry,
  measureMemory,
  shippedNodeFlags,
} from "./lib/memory.js";
import { type BenchResults, formatTable, reportRows } from "./lib/report.js";
import { ScaledClock } from "./lib/scaled-clock.js";
import { BENCH_CLOUD_MAP, BENCH_NAMESPACE, cloudMapNamespaceDocument } from "./lib/specs.js";
import { type BenchStack, ROLLOUT_SECONDS, startBenchStack } from "./lib/stack.js";
import { round, waitUntil } from "./lib/stats.js";
import { measureSteadyState } from "./lib/steady-state.js";
import { measureSync } from "./lib/sync.js";
import { measureUi } from "./lib/ui.js";
import { measureWatchLatency } from "./lib/watch-latency.js";

const RESULTS_DIR = fileURLToPath(new URL("./results/", import.meta.url));
const PHASES = ["convergence", "watch", "steady", "memory", "sync", "import", "ui"] as const;
type Phase = (typeof PHASES)[number];

interface BenchOptions {
  quick: boolean;
  services: number;
  timeScale: number;
  records: number;
  watchWrites: number;
  resyncs: number;
  phases: Set<Phase>;
  entry: ControllerEntry;
  /** Node flags of the memory phase's controller; undefined: the image's NODE_OPTIONS. */
  memoryNodeFlags: string[] | undefined;
}

function positive(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!(n > 0)) throw new Error(`--${name} must be a positive number`);
  return n;
}

function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      services: { type: "string" },
      "time-scale": { type: "string" },
      records: { type: "string" },
      phases: { type: "string" },
      "controller-entry": { type: "string" },
      "memory-node-flags": { type: "string" },
    },
  });
  const quick = values.quick === true;
  const phases = new Set<Phase>();
  for (const p of (values.phases ?? PHASES.join(",")).split(",")) {
    if (!(PHASES as readonly string[]).includes(p))
      throw new Error(`unknown phase ${p}; use ${PHASES.join(",")}`);
    phases.add(p as Phase);
  }
  const entry = values["controller-entry"] ?? defaultControllerEntry();
  if (entry !== "dist" && entry !== "tsx") throw new Error("--controller-entry must be dist or tsx");
  return {
    quick,
    services: Math.round(positive(values.services, quick ? 100 : 500, "services")),
    timeScale: positive(values["time-scale"], 1, "time-scale"),
    records: Math.round(positive(values.records, 10_000, "records")),
    watchWrites: quick ? 50 : 100,
    resyncs: quick ? 3 : 5,
    phases,
    entry,
    memoryNodeFlags: values["memory-node-flags"]?.split(" ").filter((f) => f !== ""),
  };
}

/** Runs `fn`; a failure is recorded in `errors` and gives undefined, so the other phases still run. */
async function attempt<T>(name: string, errors: string[], fn: () => Promise<T>): Promise<T | undefined> {
  const started = performance.now();
  process.stderr.write(`bench: ${name}…\n`);
  try {
    const out = await fn();
    process.stderr.write(`bench: ${name} done in ${round((performance.now() - started) / 1000, 1)} s\n`);
    return out;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    errors.push(`${name}: ${message}`);
    process.stderr.write(`bench: ${name} FAILED: ${message}\n`);
    return undefined;
  }
}

/** Lease times that stay 15 s / 5 s of wall time whatever the scale (a slow DynamoDB Local must not cost the lease). */
function leaseFlags(scale: number): Record<string, string> {
  return { "lease-duration": `${15 * scale}s`, "lease-heartbeat": `${5 * scale}s` };
}

async function controllerPhases(
  stack: BenchStack,
  options: BenchOptions,
  results: BenchResults,
  meta: Record<string, unknown>,
  errors: string[],
  cleanup: Cleanup,
): Promise<void> {
  const { clock } = stack;
  const store = await stack.freshStore("bench-conv");
  await store.apply(cloudMapNamespaceDocument());
  const convergenceFlags = { ...leaseFlags(options.timeScale), "lease-name": "bench-convergence" };
  const controller: BenchController = await startBenchController({
    store,
    awsEndpoint: stack.sim.endpoint,
    clock,
    flags: convergenceFlags,
    logFile: `${RESULTS_DIR}controller-convergence.log`,
  });
  const stopController = cleanup.add("convergence controller", async () => {
    await controller.stop();
  });
  await waitUntil(
    async () => isReadyNow(await store.get("CloudMapNamespace", BENCH_NAMESPACE, BENCH_CLOUD_MAP)),
    "the bench CloudMapNamespace to become Ready",
    60_000,
    100,
  );
  let converged: ConvergenceOutcome | undefined;
  if (options.phases.has("convergence") || options.phases.has("watch") || options.phases.has("steady")) {
    // Convergence is also the set-up of the watch and steady-state phases.
    const timeoutMs = ((3 * (options.services + 60)) / options.timeScale + 120) * 1000;
    converged = await attempt("convergence", errors, () =>
      measureConvergence(stack, store, controller, options.services, timeoutMs),
    );
    if (converged !== undefined) {
      results.convergence = converged.figure;
      meta.convergence = { ...converged.meta, controllerFlags: convergenceFlags };
    }
  }
  if (converged !== undefined && options.phases.has("watch")) {
    const watch = await attempt("watch latency", errors, () =>
      measureWatchLatency(store, controller, options.services, options.watchWrites, 120_000),
    );
    if (watch !== undefined) {
      results.watchLatencyMs = watch.figure;
      meta.watchLatency = watch.meta;
    }
  }
  meta.convergenceController = {
    passes: controller.observations.passes,
    warnings: controller.observations.warnings,
    awsCalls: Object.fromEntries([...controller.observations.awsCalls].sort()),
  };
  await stopController();
  if (converged !== undefined && options.phases.has("steady")) {
    // Steady state runs at wall speed: its resync period must stay long next to the wall time one resync wave
    // takes, and the service cache's max age between the two, as with the defaults (10 m resync, 1 m max age).
    clock.setScale(1);
    const cacheSeconds = Math.max(3, Math.ceil(options.services * 0.02));
    const settings = {
      resyncPeriodSeconds: 2 * cacheSeconds,
      serviceCacheMaxAgeSeconds: cacheSeconds,
      resyncs: options.resyncs,
    };
    const steady = await attempt("steady state", errors, () =>
      measureSteadyState(
        stack,
        store,
        options.services,
        settings,
        leaseFlags(1),
        `${RESULTS_DIR}controller-steady-state.log`,
        cleanup,
      ),
    );
    if (steady !== undefined) {
      results.steadyState = steady.figure;
      meta.steadyState = { ...steady.meta, timeScale: 1 };
    }
  }
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  mkdirSync(RESULTS_DIR, { recursive: true });
  const cleanup = new Cleanup();
  cleanup.stopOnSignals();
  const errors: string[] = [];
  const notes: string[] = [];
  const results: BenchResults = {
    convergence: null,
    steadyState: null,
    watchLatencyMs: null,
    consulToCloudMapMs: null,
    cloudMapToConsulMs: null,
    memory: null,
    import: null,
    ui: null,
  };
  const meta: Record<string, unknown> = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    loadAverageAtStart: loadavg().map((l) => round(l, 2)),
    quick: options.quick,
    services: options.services,
    timeScale: options.timeScale,
    phases: [...options.phases],
  };
  const started = performance.now();
  const clock = new ScaledClock(options.timeScale);
  try {
    const stack = await startBenchStack(clock, cleanup);
    meta.simulator = {
      endpoint: "127.0.0.1 (in process)",
      mode: "lenient",
      rolloutSeconds: ROLLOUT_SECONDS,
      clock: `the bench's scaled clock (${options.timeScale}× wall speed; 1× in the steady-state phase), shared with the in-process controller; the simulator's own timeScale is 1 on top of it`,
      throttling: stack.sim.control.throttling(),
    };
    if (["convergence", "watch", "steady"].some((p) => options.phases.has(p as Phase))) {
      await attempt("controller phases", errors, () =>
        controllerPhases(stack, options, results, meta, errors, cleanup),
      );
    }
    if (options.phases.has("memory")) {
      // The controller as shipped: the image's NODE_OPTIONS (its heap limit), unless the command line says otherwise.
      const runs: Array<{ key: string; flags: string[] }> = [
        { key: "memory", flags: options.memoryNodeFlags ?? shippedNodeFlags() },
      ];
      // The full run also measures it without the flags: V8 then sizes the heap for this host's memory.
      if (!options.quick && options.memoryNodeFlags === undefined)
        runs.push({ key: "memoryHostSizedHeap", flags: [] });
      for (const run of runs) {
        const memoryStore = await stack.freshStore("bench-mem");
        const memory = await attempt(run.key, errors, () =>
          measureMemory(
            memoryStore,
            {
              records: options.records,
              entry: options.entry,
              dynamodbEndpoint: stack.dynamodbEndpoint,
              awsEndpoint: stack.sim.endpoint,
              logFile: `${RESULTS_DIR}controller-${run.key}.log`,
              maxSampleSeconds: options.quick ? 75 : 180,
              afterDrainSeconds: 5,
              nodeFlags: run.flags,
            },
            cleanup,
          ),
        );
        if (memory === undefined) continue;
        if (run.key === "memory") results.memory = memory.figure;
        meta[run.key] = { ...memory.meta, nodeFlags: run.flags, rssMbMax: memory.figure.rssMbAt10k };
      }
      if (options.entry === "tsx")
        notes.push(
          "memory: the controller ran from the TypeScript sources through tsx (no dist/ build), which adds the loader's memory",
        );
    }
  } finally {
    const failures = await cleanup.stopAll();
    for (const f of failures) errors.push(`cleanup: ${f}`);
  }
  if (options.phases.has("sync")) {
    const sync = await attempt("catalog sync latency", errors, () =>
      measureSync(`${RESULTS_DIR}sync-latency.log`, 240_000, cleanup),
    );
    for (const f of await cleanup.stopAll()) errors.push(`cleanup: ${f}`);
    if (sync !== undefined) {
      results.consulToCloudMapMs = sync.consulToCloudMapMs;
      results.cloudMapToConsulMs = sync.cloudMapToConsulMs;
      meta.sync = sync.meta;
      notes.push(`sync: ${sync.note}`);
    }
  }
  if (options.phases.has("import")) {
    const imported = await attempt("import", errors, () => measureImport(options.quick ? 1 : 3));
    if (imported !== undefined) {
      results.import = imported.figure;
      meta.import = imported.meta;
    }
  }
  if (options.phases.has("ui")) {
    const ui = await attempt("status page", errors, () => measureUi(1000, options.quick ? 10 : 30, cleanup));
    for (const f of await cleanup.stopAll()) errors.push(`cleanup: ${f}`);
    if (ui !== undefined) {
      results.ui = ui.figure;
      meta.ui = { ...ui.meta, loadAverage: loadavg().map((l) => round(l, 2)) };
    }
  }
  meta.loadAverageAtEnd = loadavg().map((l) => round(l, 2));
  meta.wallSeconds = round((performance.now() - started) / 1000, 1);
  meta.notes = notes;
  meta.errors = errors;
  writeFileSync(`${RESULTS_DIR}latest.json`, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(`${RESULTS_DIR}latest-meta.json`, `${JSON.stringify(meta, null, 2)}\n`);
  process.stdout.write(`${formatTable(reportRows(results))}\n`);
  for (const note of notes) process.stdout.write(`note: ${note}\n`);
  for (const error of errors) process.stdout.write(`error: ${error}\n`);
  process.stdout.write(`wrote bench/results/latest.json and latest-meta.json (${meta.wallSeconds} s)\n`);
  return errors.length === 0 ? 0 : 1;
}

process.exitCode = await main();
