/**
 * Memory: 10,000 FargateService records (suspended, so the controller makes no AWS call for them) written
 * with BatchWriteItem into their own table, then a SEPARATE `fargatectl controller` process started on it; once
 * its /readyz says the informers have listed everything, its VmRSS is read from /proc/<pid>/status, and again
 * each second for a few seconds while it works through its queue; the figure is the largest reading.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleepWall } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { BatchWriteCommand } from "@aws-sdk/lib-dynamodb";
import { readEnvironment } from "../../src/config/settings.js";
import { specHash } from "../../src/crds/hash.js";
import { freePort } from "../../src/dev/launch-process.js";
import type { DynamoResourceStore } from "../../src/store/dynamo-store.js";
import { derivedUid, newResourceItem } from "../../src/store/layout.js";
import type { StoredResource } from "../../src/store/types.js";
import type { Cleanup } from "./cleanup.js";
import { BENCH_CREDENTIALS, BENCH_REGION } from "./controller.js";
import { fargateServiceDocument } from "./specs.js";
import { mapLimit, round, waitUntil } from "./stats.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** The `memory` figure. */
export interface MemoryFigure {
  rssMbAt10k: number;
}

/** How the controller process was started. */
export type ControllerEntry = "dist" | "tsx";

/** Figure plus what the meta block records. */
export interface MemoryOutcome {
  figure: MemoryFigure;
  meta: {
    records: number;
    entry: ControllerEntry;
    command: string;
    writeSeconds: number;
    secondsToReady: number;
    rssMbAtReady: number;
    rssMbAtEnd: number;
    heapUsedMbAtEnd: number;
    hwmMb: number;
    /** Seconds from /readyz until every record had its first pass; null when the sampling cap came first. */
    drainedSecondsAfterReady: number | null;
    samples: MemorySample[];
  };
}

/**
 * The node flags the image gives the controller: its Dockerfile's `ENV NODE_OPTIONS="…"`, so the memory figure is
 * the controller's as shipped. Throws when the Dockerfile no longer sets it (then this bench and its docs need a look).
 */
export function shippedNodeFlags(dockerfile = readFileSync(join(REPO, "Dockerfile"), "utf8")): string[] {
  const m = /^ENV NODE_OPTIONS="([^"]*)"\s*$/m.exec(dockerfile);
  if (m?.[1] === undefined) throw new Error('the Dockerfile has no ENV NODE_OPTIONS="…" line');
  return m[1].split(" ").filter((flag) => flag !== "");
}

/** `dist` when the build exists (bin/fargatectl.js needs it), else the TypeScript sources through tsx. */
export function defaultControllerEntry(): ControllerEntry {
  return existsSync(join(REPO, "dist", "cli", "run.js")) ? "dist" : "tsx";
}

function storedRecord(index: number): StoredResource {
  const doc = fargateServiceDocument(index, { suspend: true });
  return {
    apiVersion: doc.apiVersion,
    kind: doc.kind,
    metadata: {
      name: doc.metadata.name,
      namespace: doc.metadata.namespace ?? "default",
      uid: derivedUid({ pk: doc.metadata.namespace ?? "default", sk: `${doc.kind}#${doc.metadata.name}` }),
      generation: 1,
      resourceVersion: "1",
      creationTimestamp: new Date().toISOString(),
      finalizers: [],
      labels: doc.metadata.labels ?? {},
      annotations: {},
      ownerReferences: [],
    },
    spec: doc.spec,
    specHash: specHash(doc.spec),
  };
}

/** Writes `records` items in BatchWriteItem calls of 25, 8 in flight, retrying unprocessed items. */
async function writeRecords(store: DynamoResourceStore, records: number): Promise<void> {
  const batches: Array<Record<string, unknown>[]> = [];
  for (let start = 1; start <= records; start += 25) {
    const batch: Record<string, unknown>[] = [];
    for (let i = start; i < Math.min(start + 25, records + 1); i++) {
      // As the controller leaves them after a first pass: stamped, with the finalizer.
      const record = storedRecord(i);
      batch.push({
        ...newResourceItem(record),
        creationTimestamp: record.metadata.creationTimestamp,
        finalizers: ["fargate-operator/cleanup"],
      });
    }
    batches.push(batch);
  }
  await mapLimit(batches, 8, async (batch) => {
    let pending = batch.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 20) throw new Error("BatchWriteItem kept leaving items unprocessed");
      const out = await store.clients.documents.send(
        new BatchWriteCommand({ RequestItems: { [store.tableName]: pending } }),
      );
      pending = (out.UnprocessedItems?.[store.tableName] ?? []) as typeof pending;
      if (pending.length > 0) await sleepWall(50 * (attempt + 1));
    }
  });
}

async function vmKb(pid: number, field: "VmRSS" | "VmHWM"): Promise<number> {
  const text = await readFile(`/proc/${pid}/status`, "utf8");
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  if (m?.[1] === undefined) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const done = await Promise.race([exited(child).then(() => true), sleepWall(15_000, false, { ref: false })]);
  if (!done) {
    child.kill("SIGKILL");
    await exited(child);
  }
}

/** One reading: RSS from /proc, the rest from the controller's /metrics. */
export interface MemorySample {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  queueDepth: number;
  reconciles: number;
}

function metricSum(text: string, name: string, labels = ""): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name) || line.startsWith("#")) continue;
    const rest = line.slice(name.length);
    if (!(rest.startsWith(" ") || rest.startsWith("{"))) continue;
    if (labels !== "" && !rest.includes(labels)) continue;
    sum += Number(rest.slice(rest.lastIndexOf(" ") + 1)) || 0;
  }
  return sum;
}

async function sample(pid: number, port: number): Promise<MemorySample> {
  const rssKb = await vmKb(pid, "VmRSS");
  let text = "";
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5_000) });
    text = await res.text();
  } catch {
    // A busy controller may not answer in time; the RSS reading still counts.
  }
  const mb = (bytes: number): number => round(bytes / 1024 / 1024, 1);
  return {
    rssMb: round(rssKb / 1024, 1),
    heapUsedMb: mb(metricSum(text, "nodejs_heap_size_used_bytes")),
    heapTotalMb: mb(metricSum(text, "nodejs_heap_size_total_bytes")),
    queueDepth: text === "" ? -1 : metricSum(text, "workqueue_depth", 'kind="FargateService"'),
    reconciles: metricSum(text, "reconcile_total", 'kind="FargateService"'),
  };
}

async function readyz(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Options of {@link measureMemory}. */
export interface MemoryOptions {
  records: number;
  entry: ControllerEntry;
  dynamodbEndpoint: string;
  awsEndpoint: string;
  logFile: string;
  /** Cap on the 1 s sampling after /readyz. */
  maxSampleSeconds: number;
  /** Seconds sampled after the queue drained. */
  afterDrainSeconds: number;
  /** Extra node flags for the controller process (e.g. `--max-old-space-size=128`); none by default. */
  nodeFlags: string[];
}

/** Fills `store`'s table, runs the controller process on it and reads its resident memory. */
export async function measureMemory(
  store: DynamoResourceStore,
  options: MemoryOptions,
  cleanup: Cleanup,
): Promise<MemoryOutcome> {
  const writeStart = performance.now();
  await writeRecords(store, options.records);
  const writeSeconds = (performance.now() - writeStart) / 1000;
  const port = await freePort();
  const cli = options.entry === "dist" ? ["bin/fargatectl.js"] : ["--import", "tsx", "src/cli/run.ts"];
  const args = [
    ...cli,
    "controller",
    "--table",
    store.tableName,
    "--region",
    BENCH_REGION,
    "--metrics-address",
    `127.0.0.1:${port}`,
    "--ui-address",
    "127.0.0.1:0",
    "--lease-name",
    "bench-memory",
    "--log-level",
    "warn",
  ];
  const parent = readEnvironment();
  const log = createWriteStream(options.logFile, { flags: "w" });
  const child = spawn(process.execPath, [...options.nodeFlags, ...args], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: parent.PATH ?? "/usr/bin:/bin",
      HOME: parent.HOME ?? "/tmp",
      AWS_ACCESS_KEY_ID: BENCH_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: BENCH_CREDENTIALS.secretAccessKey,
      AWS_REGION: BENCH_REGION,
      AWS_ENDPOINT_URL_DYNAMODB: options.dynamodbEndpoint,
      AWS_ENDPOINT_URL_ECS: options.awsEndpoint,
      AWS_ENDPOINT_URL_SERVICEDISCOVERY: options.awsEndpoint,
    },
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const stop = cleanup.add("memory controller process", async () => {
    await stopChild(child);
    log.end();
  });
  try {
    const pid = child.pid;
    if (pid === undefined) throw new Error("the controller process did not start");
    const started = performance.now();
    await waitUntil(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(
            `the controller process exited (${child.exitCode ?? child.signalCode}); see ${options.logFile}`,
          );
        return readyz(port);
      },
      `the controller process to list ${options.records} records (/readyz)`,
      180_000,
      100,
    );
    const secondsToReady = (performance.now() - started) / 1000;
    const samples: MemorySample[] = [await sample(pid, port)];
    // Until the queue has drained (every record had its first pass) and a few seconds more, capped.
    let drainedAt: number | undefined;
    const deadline = performance.now() + options.maxSampleSeconds * 1000;
    while (performance.now() < deadline) {
      await sleepWall(1_000);
      const now = await sample(pid, port);
      samples.push(now);
      if (drainedAt === undefined && now.queueDepth === 0 && now.reconciles >= options.records)
        drainedAt = performance.now();
      if (drainedAt !== undefined && performance.now() - drainedAt >= options.afterDrainSeconds * 1000) break;
    }
    const hwm = await vmKb(pid, "VmHWM");
    const mb = (kb: number): number => round(kb / 1024, 1);
    const last = samples[samples.length - 1] as MemorySample;
    return {
      figure: { rssMbAt10k: Math.max(...samples.map((x) => x.rssMb)) },
      meta: {
        records: options.records,
        entry: options.entry,
        command: `node ${[...options.nodeFlags, ...args.slice(0, cli.length + 1)].join(" ")} --table …`,
        writeSeconds: round(writeSeconds, 1),
        secondsToReady: round(secondsToReady, 1),
        rssMbAtReady: samples[0]?.rssMb ?? 0,
        rssMbAtEnd: last.rssMb,
        heapUsedMbAtEnd: last.heapUsedMb,
        hwmMb: mb(hwm),
        drainedSecondsAfterReady:
          drainedAt === undefined ? null : round((drainedAt - started) / 1000 - secondsToReady, 1),
        samples,
      },
    };
  } finally {
    await stop();
  }
}
