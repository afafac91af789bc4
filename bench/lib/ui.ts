/**
 * `ui.pageLoadMsAt1k` (DESIGN.md §11): the status page's fleet page with 1,000 records in the cache, loaded
 * in headless Chromium (Debian's chromium-headless-shell through playwright-core) from the real page server
 * on 127.0.0.1: navigation start to the `load` event as the driver sees it (request, server render, transfer,
 * parse, the page's script), a fresh page each time. The server-side render + transfer alone (an HTTP GET of
 * the page) goes to the meta for comparison.
 */
import { existsSync } from "node:fs";
import { pino } from "pino";
import { chromium } from "playwright-core";
import { specHash } from "../../src/crds/hash.js";
import { API_VERSION, type Kind } from "../../src/crds/meta.js";
import type { StoredResource } from "../../src/store/types.js";
import { MemoryRecordSource } from "../../src/ui/memory-source.js";
import { startStatusPage } from "../../src/ui/server.js";
import type { Cleanup } from "./cleanup.js";
import { percentile, round } from "./stats.js";

/** latest.json's `ui` figure. */
export interface UiFigure {
  pageLoadMsAt1k: { p50: number; p99: number; max: number };
  records: number;
  samples: number;
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium-headless-shell";

function condition(type: string, status: string, reason: string, message: string) {
  return {
    type,
    status,
    reason,
    message,
    lastTransitionTime: "2026-12-01T00:00:00.000Z",
    observedGeneration: 1,
  };
}

/** Record `i` of the bench fleet: mostly FargateServices, some namespaces and syncs; a few not Ready. */
export function benchRecord(i: number): StoredResource {
  const kind: Kind = i % 20 === 0 ? "CloudMapNamespace" : i % 20 === 1 ? "CatalogSync" : "FargateService";
  const namespace = `team-${String(i % 25).padStart(2, "0")}`;
  const name = `svc-${String(i).padStart(4, "0")}`;
  const ready = i % 10 !== 3;
  const spec: Record<string, unknown> =
    kind === "FargateService"
      ? {
          cluster: "apps",
          desiredCount: 3,
          containers: [{ name: "app", image: "public.ecr.aws/nginx/nginx:1.27" }],
        }
      : kind === "CloudMapNamespace"
        ? { dnsName: `${name}.internal`, vpcId: "vpc-0123456789abcdef0" }
        : { cloudMapNamespaceRef: { name: "apps-internal" }, placement: "controller" };
  const reason = ready ? "Ready" : "RolloutInProgress";
  const status: Record<string, unknown> = {
    observedGeneration: 1,
    conditions: [
      condition("Ready", ready ? "True" : "False", reason, ready ? "" : "1 of 3 tasks running"),
      condition("Reconciling", ready ? "False" : "True", reason, ready ? "" : "1 of 3 tasks running"),
      condition("Stalled", "False", reason, ""),
    ],
  };
  if (kind === "FargateService") {
    status.replicas = { desired: 3, running: ready ? 3 : 1, pending: ready ? 0 : 2 };
    status.rollout = {
      state: ready ? "COMPLETED" : "IN_PROGRESS",
      deploymentId: `ecs-svc/${i}`,
      startedAt: "2026-12-01T00:00:00.000Z",
    };
    status.endpoints = { cloudMap: `${name}.apps.internal`, consul: `${name}.service.consul` };
  }
  if (kind === "CatalogSync") {
    status.sync = {
      writer: true,
      toCloudMap: [
        { consulName: "vault", cloudMapName: "vault", cloudMapServiceId: "srv-1", instances: 3, healthy: 3 },
      ],
      toConsul: [],
      writes: { toCloudMap: 12, toConsul: 0 },
      lagMs: { toCloudMap: 21 },
      lastSyncToCloudMap: "2026-12-01T00:00:00.000Z",
      errors: {},
      reportedAt: "2026-12-01T00:00:00.000Z",
    };
  }
  return {
    apiVersion: API_VERSION,
    kind,
    metadata: {
      name,
      namespace,
      uid: `uid-${i}`,
      generation: 1,
      resourceVersion: "3",
      creationTimestamp: "2026-12-01T00:00:00.000Z",
      finalizers: ["fargate-operator/cleanup"],
      labels: { app: name, team: namespace },
      annotations: {},
      ownerReferences: [],
    },
    spec,
    status,
    specHash: specHash(spec),
  };
}

/** Loads the fleet page `samples` times (after `warmup` loads) and returns the percentiles and the meta. */
export async function measureUi(
  records: number,
  samples: number,
  cleanup: Cleanup,
): Promise<{ figure: UiFigure; meta: Record<string, unknown> }> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium-headless-shell (.ci/run does)`);
  const source = new MemoryRecordSource();
  for (let i = 0; i < records; i++) source.put(benchRecord(i));
  const page = await startStatusPage({ host: "127.0.0.1", port: 0, source, log: pino({ level: "silent" }) });
  const stopPage = cleanup.add("status page", () => page.close());
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
  const stopBrowser = cleanup.add("chromium", () => browser.close());
  try {
    const loads: number[] = [];
    let rows = 0;
    for (let i = 0; i < samples + 2; i++) {
      const tab = await browser.newPage();
      const started = performance.now();
      await tab.goto(page.url, { waitUntil: "load" });
      const ms = performance.now() - started;
      if (i >= 2) loads.push(ms);
      rows = await tab.locator("tbody tr[data-key]").count();
      await tab.close();
    }
    if (rows !== records) throw new Error(`the page showed ${rows} records, not ${records}`);
    const serverSide: number[] = [];
    let bytes = 0;
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      bytes = (await (await fetch(page.url)).arrayBuffer()).byteLength;
      serverSide.push(performance.now() - started);
    }
    const p = (values: number[], q: number) => round(percentile(values, q) ?? Number.NaN, 1);
    return {
      figure: {
        pageLoadMsAt1k: { p50: p(loads, 50), p99: p(loads, 99), max: round(Math.max(...loads), 1) },
        records,
        samples,
      },
      meta: {
        measuredIn: `headless Chromium (${browser.version()}, ${CHROMIUM}) via playwright-core: navigation to the load event, a fresh tab per sample, 2 warm-up loads not counted`,
        pageBytes: bytes,
        serverRenderAndTransferMs: { p50: p(serverSide, 50), p99: p(serverSide, 99) },
        samplesMs: loads.map((ms) => round(ms, 1)),
      },
    };
  } finally {
    await stopBrowser();
    await stopPage();
  }
}
