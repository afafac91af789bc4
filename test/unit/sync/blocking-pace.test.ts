/**
 * Blocking queries that come back early without a new index wait before the next one: the pace itself (pure), and
 * the engine against a loopback "Consul" that answers every blocking query at once with a fixed index (which drove
 * 1,300 requests/s before). Time is the injected clock's; real time only lets the HTTP round trips run.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/clock.js";
import { BlockingPace } from "../../../src/consul/blocking-index.js";
import { ConsulClient } from "../../../src/consul/client.js";
import { silentLogger } from "../../../src/log.js";
import { createSyncEngine, type SyncEngine } from "../../../src/sync/index.js";
import { FakeCloudMap } from "../../support/fake-cloud-map.js";
import { ALL, OWNER } from "./fixtures.js";

describe("BlockingPace", () => {
  const early = (sent: number, returned: number) => ({ sent, returned, heldMs: 0, waitMs: 60_000 });

  it("waits at least 1 s after an early answer without a new index, doubling to 30 s", () => {
    const pace = new BlockingPace({ random: () => 0 });
    const pauses = Array.from({ length: 8 }, () => pace.after(early(42, 42)));
    expect(pauses).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it("treats an index that went backwards (and was reset) like an unchanged one", () => {
    const pace = new BlockingPace({ random: () => 0 });
    expect(pace.after(early(100, 50))).toBe(1_000);
    expect(pace.after(early(50, 50))).toBe(2_000);
  });

  it("resets when the index moves, following a change at once", () => {
    const pace = new BlockingPace({ random: () => 0 });
    pace.after(early(42, 42));
    pace.after(early(42, 42));
    expect(pace.after(early(42, 43))).toBe(0);
    expect(pace.after(early(43, 43))).toBe(1_000);
  });

  it("spaces a server that answers at once with an ever-rising index", () => {
    const pace = new BlockingPace({ random: () => 0 });
    expect(pace.after(early(0, 7))).toBe(0);
    expect(pace.after(early(7, 8))).toBe(100);
    expect(pace.after(early(8, 9))).toBe(100);
    expect(pace.after({ sent: 9, returned: 10, heldMs: 40_000, waitMs: 60_000 })).toBe(0);
    expect(pace.after(early(10, 11))).toBe(0);
  });

  it("does not wait after an answer Consul held for its wait (a quiet service)", () => {
    const pace = new BlockingPace({ random: () => 0 });
    expect(pace.after(early(42, 42))).toBe(1_000);
    expect(pace.after({ sent: 42, returned: 42, heldMs: 60_000, waitMs: 60_000 })).toBe(0);
    expect(pace.after(early(42, 42))).toBe(1_000);
  });

  it("adds up to 20% jitter and never exceeds its cap", () => {
    const pace = new BlockingPace({ random: () => 0.99, maxMs: 5_000 });
    expect(pace.after(early(1, 1))).toBe(1_198);
    for (let i = 0; i < 5; i++) expect(pace.after(early(1, 1))).toBeLessThanOrEqual(5_000);
  });
});

/** A "Consul" that answers every call at once with X-Consul-Index 42, counting requests by path. */
async function nonBlockingConsul(): Promise<{
  server: Server;
  address: string;
  counts: Map<string, number>;
}> {
  const counts = new Map<string, number>();
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://x").pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const body = path === "/v1/catalog/services" ? { consul: [], web: [] } : [];
    response.writeHead(200, { "Content-Type": "application/json", "X-Consul-Index": "42" });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { server, address: `127.0.0.1:${port}`, counts };
}

const realDelay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the engine against a Consul that never blocks", () => {
  let engine: SyncEngine | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    await engine?.stop();
    await new Promise((resolve) => server?.close(resolve));
  });

  it("sends about one query per second at first, then backs off to one per 30 s", async () => {
    const consulStub = await nonBlockingConsul();
    server = consulStub.server;
    const clock = new ManualClock();
    const cloudMap = new FakeCloudMap();
    const ns = cloudMap.putNamespace({ name: "prod.internal", vpc: "vpc-1" });
    engine = createSyncEngine(
      {
        owner: OWNER,
        cloudMapNamespace: { id: ns.id, dnsName: "prod.internal" },
        toCloudMap: ALL,
        toConsul: { ...ALL, enabled: false },
        pollIntervalMs: 10_000,
        deleteGraceMs: 30_000,
      },
      { consul: new ConsulClient({ address: consulStub.address }), cloudMap, clock, log: silentLogger() },
    );
    await engine.start();
    const list = () => consulStub.counts.get("/v1/catalog/services") ?? 0;
    const health = () => consulStub.counts.get("/v1/health/service/web") ?? 0;
    /** Moves simulated time by `ms` in 500 ms steps, letting the round trips run at each. */
    const run = async (ms: number) => {
      for (let left = ms; left > 0; left -= 500) {
        await realDelay(10);
        await clock.advance(500);
      }
      await realDelay(10);
    };

    await run(10_000);
    // 0 s (index 0), then early answers at ~0, 1, 3, 7 s (pauses 1, 2, 4, 8 s plus jitter).
    expect(list()).toBeGreaterThanOrEqual(3);
    expect(list()).toBeLessThanOrEqual(6);
    expect(health()).toBeLessThanOrEqual(6);

    await run(50_000);
    expect(list()).toBeLessThanOrEqual(9);
    const [listAt60, healthAt60] = [list(), health()];
    // Fully backed off: 30 s between queries.
    await run(120_000);
    expect(list() - listAt60).toBeGreaterThanOrEqual(2);
    expect(list() - listAt60).toBeLessThanOrEqual(5);
    expect(health() - healthAt60).toBeLessThanOrEqual(5);
  }, 30_000);
});
