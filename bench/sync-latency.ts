/**
 * Propagation latency of the catalog sync engine, both ways, on the simulators and the wall clock:
 * `node --import tsx bench/sync-latency.ts [--quick]`, or `measureSyncLatency` from bench/run.ts (whose headline
 * figures are those of the default 5 s poll). For each Cloud Map poll interval (1 s, 5 s) it makes ~30 changes at
 * random moments in each direction (a new Consul instance; a new Cloud Map instance) and measures, per change,
 * the time until the other side shows it (DiscoverInstances; the Consul catalog). Prints p50/p99 and the ratio to
 * consul-aws's 30 s poll (a change waits on average half a poll: p50 15 s, p99 29.7 s), and writes
 * bench/results/sync-latency.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { DiscoverInstancesCommand } from "@aws-sdk/client-servicediscovery";
import { createCloudMapClient } from "../src/aws/clients.js";
import { createAwsGateways } from "../src/aws/index.js";
import { systemClock } from "../src/clock.js";
import { ConsulClient } from "../src/consul/client.js";
import { startAwsSimulator } from "../src/dev/aws-sim/index.js";
import { startConsulSimulator } from "../src/dev/consul-sim/index.js";
import { silentLogger } from "../src/log.js";
import { createSyncEngine, syncNodeName } from "../src/sync/index.js";

/** The default `pollIntervalSeconds` (DESIGN 10): the headline figures are measured with it. */
const DEFAULT_POLL_MS = 5_000;
const CONSUL_AWS_POLL_MS = 30_000;
const CHECK_EVERY_MS = 10;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

interface Figures {
  changes: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Ours divided by consul-aws's (p50 15 000 ms, p99 29 700 ms): lower is better. */
  ratioToConsulAwsP50: number;
  ratioToConsulAwsP99: number;
}

function figures(latencies: number[]): Figures {
  const sorted = [...latencies].sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  const p99 = percentile(sorted, 99);
  return {
    changes: sorted.length,
    p50Ms: Math.round(p50),
    p99Ms: Math.round(p99),
    maxMs: Math.round(sorted.at(-1) ?? Number.NaN),
    ratioToConsulAwsP50: Number((p50 / (CONSUL_AWS_POLL_MS / 2)).toFixed(4)),
    ratioToConsulAwsP99: Number((p99 / (CONSUL_AWS_POLL_MS * 0.99)).toFixed(4)),
  };
}

/** Runs `changes` changes at random moments over `windowMs`, each timed until `visible` says it arrived. */
async function measure(
  changes: number,
  windowMs: number,
  change: (i: number) => Promise<void>,
  visible: () => Promise<Set<number>>,
): Promise<number[]> {
  const at = Array.from({ length: changes }, () => Math.random() * windowMs).sort((a, b) => a - b);
  const madeAt = new Map<number, number>();
  const latencies = new Map<number, number>();
  const start = performance.now();
  let next = 0;
  const deadline = start + windowMs + 60_000;
  while (latencies.size < changes && performance.now() < deadline) {
    while (next < changes && performance.now() - start >= (at[next] ?? 0)) {
      madeAt.set(next, performance.now());
      await change(next);
      next += 1;
    }
    for (const i of await visible()) {
      const made = madeAt.get(i);
      if (made !== undefined && !latencies.has(i)) latencies.set(i, performance.now() - made);
    }
    await sleep(CHECK_EVERY_MS);
  }
  if (latencies.size < changes) throw new Error(`only ${latencies.size} of ${changes} changes arrived`);
  return [...latencies.values()];
}

/** One engine on fresh simulators at `pollIntervalMs`, `changes` changes each way. */
async function run(pollIntervalMs: number, changes: number) {
  const consulSim = await startConsulSimulator();
  const awsSim = await startAwsSimulator({ throttling: false });
  const config = {
    region: "us-east-1",
    endpoints: { ecs: awsSim.endpoint, serviceDiscovery: awsSim.endpoint },
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
    maxAttempts: 1,
    ecsBuckets: false as const,
  };
  const aws = createAwsGateways(config);
  const discovery = createCloudMapClient(config);
  const dnsName = "bench.internal";
  const op = await aws.cloudMap.createPrivateDnsNamespace({
    name: dnsName,
    vpc: "vpc-1",
    creatorRequestId: "b",
    tags: {},
  });
  while ((await aws.cloudMap.getOperation(op)).status !== "SUCCESS") await sleep(100);
  const namespaceId = (await aws.cloudMap.getOperation(op)).targets.NAMESPACE ?? "";
  const handMade = await aws.cloudMap.createService({
    Name: "legacy",
    NamespaceId: namespaceId,
    DnsConfig: { RoutingPolicy: "MULTIVALUE", DnsRecords: [{ Type: "A", TTL: 10 }] },
  });
  consulSim.control.registerService({
    name: "vault",
    id: "vault-seed",
    node: "seed",
    address: "10.0.0.1",
    port: 8200,
  });
  const all = { enabled: true, include: [], exclude: [], prefix: "" };
  const engine = createSyncEngine(
    {
      owner: { uid: "bench-uid", namespace: "default", name: "bench" },
      cloudMapNamespace: { id: namespaceId, dnsName },
      toCloudMap: all,
      toConsul: all,
      pollIntervalMs,
      deleteGraceMs: 30_000,
    },
    {
      consul: new ConsulClient({ address: consulSim.address }),
      cloudMap: aws.cloudMap,
      clock: systemClock,
      log: silentLogger(),
      // The bench makes bursts of changes; pacing is not what it measures.
      tuning: {
        cloudMapWrites: { perSecond: 1_000, burst: 1_000 },
        consulWrites: { perSecond: 1_000, burst: 1_000 },
      },
    },
  );
  await engine.start();
  const node = syncNodeName(dnsName);
  const windowMs = Math.max(15_000, (changes / 5) * pollIntervalMs);
  try {
    // Wait for the seed to arrive both ways before measuring.
    while ((engine.report().toCloudMap[0]?.instances ?? 0) < 1) await sleep(50);

    const [toCloudMap, toConsul] = await Promise.all([
      measure(
        changes,
        windowMs,
        async (i) => {
          consulSim.control.registerService({
            name: "vault",
            id: `vault-${i}`,
            node: `node-${i}`,
            address: `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`,
            port: 8200,
          });
        },
        async () => {
          const out = await discovery.send(
            new DiscoverInstancesCommand({ NamespaceName: dnsName, ServiceName: "vault" }),
          );
          const seen = new Set<number>();
          for (const instance of out.Instances ?? []) {
            const id = instance.Attributes?.["consul-service-id"] ?? "";
            if (id.startsWith("vault-") && id !== "vault-seed") seen.add(Number(id.slice("vault-".length)));
          }
          return seen;
        },
      ),
      measure(
        changes,
        windowMs,
        async (i) => {
          await aws.cloudMap.registerInstance(handMade.id, `i-${i}`, {
            AWS_INSTANCE_IPV4: `10.2.0.${i + 1}`,
          });
        },
        async () => {
          const seen = new Set<number>();
          for (const s of consulSim.control.snapshot().services)
            if (s.Node === node && s.ID.startsWith("legacy:i-"))
              seen.add(Number(s.ID.slice("legacy:i-".length)));
          return seen;
        },
      ),
    ]);
    return {
      pollIntervalMs,
      toCloudMap: figures(toCloudMap),
      toConsul: figures(toConsul),
      engineReport: engine.report(),
      awsCalls: awsSim.control.counters(),
      consulRequests: consulSim.control.requestCounts(),
    };
  } finally {
    await engine.stop();
    aws.destroy();
    discovery.destroy();
    await consulSim.stop();
    await awsSim.stop();
  }
}

/** What bench/run.ts reads: the default poll's p50/p99 each way, plus every run's details. */
export interface SyncLatencyResult {
  consulToCloudMapMs: { p50: number; p99: number };
  cloudMapToConsulMs: { p50: number; p99: number };
  runs: Array<Awaited<ReturnType<typeof run>>>;
}

/** Measures both directions: 30 changes at 1 s and 5 s polls, or 10 at 5 s only with `quick`. */
export async function measureSyncLatency(options: { quick: boolean }): Promise<SyncLatencyResult> {
  const changes = options.quick ? 10 : 30;
  const intervals = options.quick ? [DEFAULT_POLL_MS] : [1_000, DEFAULT_POLL_MS];
  const runs = [];
  for (const pollIntervalMs of intervals) runs.push(await run(pollIntervalMs, changes));
  const headline = runs.find((r) => r.pollIntervalMs === DEFAULT_POLL_MS) ?? runs[0];
  if (headline === undefined) throw new Error("no run");
  return {
    consulToCloudMapMs: { p50: headline.toCloudMap.p50Ms, p99: headline.toCloudMap.p99Ms },
    cloudMapToConsulMs: { p50: headline.toConsul.p50Ms, p99: headline.toConsul.p99Ms },
    runs,
  };
}

async function main(): Promise<void> {
  const { runs } = await measureSyncLatency({ quick: process.argv.includes("--quick") });
  const line = (label: string, f: Figures) =>
    `${label.padEnd(22)} p50 ${String(f.p50Ms).padStart(6)} ms  p99 ${String(f.p99Ms).padStart(6)} ms  ` +
    `(${(CONSUL_AWS_POLL_MS / 2 / Math.max(1, f.p50Ms)).toFixed(0)}x / ${(
      (CONSUL_AWS_POLL_MS * 0.99) / Math.max(1, f.p99Ms)
    ).toFixed(0)}x faster than consul-aws's 30 s poll at p50 / p99)`;
  for (const r of runs) {
    console.log(`poll interval ${r.pollIntervalMs} ms, ${r.toCloudMap.changes} changes each way`);
    console.log(line("  Consul → Cloud Map", r.toCloudMap));
    console.log(line("  Cloud Map → Consul", r.toConsul));
  }
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  const out = new URL("./results/sync-latency.json", import.meta.url);
  const consulAws = {
    pollMs: CONSUL_AWS_POLL_MS,
    p50Ms: CONSUL_AWS_POLL_MS / 2,
    p99Ms: CONSUL_AWS_POLL_MS * 0.99,
  };
  const body = {
    bench: "sync-latency",
    at: new Date().toISOString(),
    node: process.version,
    consulAws,
    runs,
  };
  writeFileSync(out, `${JSON.stringify(body, null, 2)}\n`);
  console.log(`wrote ${out.pathname}`);
}

// Run only when executed directly, not when bench/run.ts imports measureSyncLatency.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
