/** The status page's HTTP adapter over a real loopback socket, with a manual clock for its coalescing. */
import { request } from "node:http";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/clock.js";
import { MemoryRecordSource } from "../../../src/ui/memory-source.js";
import { type StatusPage, startStatusPage } from "../../../src/ui/server.js";
import type { EventLister } from "../../../src/ui/types.js";
import { readyService } from "../../support/ui-records.js";

const log = pino({ level: "silent" });

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(page: StatusPage, path: string, init: { method?: string; host?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: page.port,
        path,
        method: init.method ?? "GET",
        headers: { host: init.host ?? `127.0.0.1:${page.port}` },
      },
      (res) => {
        let body = "";
        res.on("data", (d: Buffer) => {
          body += d.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** An open event stream: the `update` payloads received so far, and everything raw. */
function openStream(page: StatusPage, path: string) {
  const updates: Array<{ html: string; title: string }> = [];
  let raw = "";
  let pending = "";
  let ended = false;
  const req = request(
    { host: "127.0.0.1", port: page.port, path, headers: { host: `localhost:${page.port}` } },
    (res) => {
      res.on("data", (d: Buffer) => {
        raw += d.toString();
        pending += d.toString();
        let end = pending.indexOf("\n\n");
        while (end >= 0) {
          const m = /^event: update\ndata: (.*)$/.exec(pending.slice(0, end));
          if (m !== null) updates.push(JSON.parse(m[1] ?? "{}"));
          pending = pending.slice(end + 2);
          end = pending.indexOf("\n\n");
        }
      });
      res.on("end", () => {
        ended = true;
      });
    },
  );
  req.end();
  return { updates, raw: () => raw, ended: () => ended, close: () => req.destroy() };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("status page server", () => {
  let page: StatusPage | undefined;
  afterEach(async () => {
    await page?.close();
    page = undefined;
  });

  it("serves the fleet and record pages read-only, with a strict policy, to loopback names only", async () => {
    const source = new MemoryRecordSource();
    source.put(readyService("team-a", "web"));
    page = await startStatusPage({ host: "127.0.0.1", port: 0, source, log, clock: new ManualClock() });
    expect(page.url).toBe(`http://127.0.0.1:${page.port}/`);
    const home = await call(page, "/");
    expect(home.status).toBe(200);
    expect(home.body).toContain("web.service.consul");
    expect(String(home.headers["content-security-policy"])).toContain("default-src 'none'");
    expect(home.headers["x-content-type-options"]).toBe("nosniff");
    expect((await call(page, "/r/FargateService/team-a/web")).body).toContain(`<table id="conditions">`);
    expect((await call(page, "/r/FargateService/team-a/gone")).status).toBe(404);
    expect((await call(page, "/r/Secret/team-a/web")).status).toBe(404);
    expect((await call(page, "/", { method: "HEAD" })).body).toBe("");
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      const reply = await call(page, "/", { method });
      expect(reply.status).toBe(405);
      expect(reply.headers.allow).toBe("GET, HEAD");
    }
    // A DNS-rebinding page reaches the socket under its own name and is refused.
    expect((await call(page, "/", { host: "attacker.example:8081" })).status).toBe(421);
  });

  it("streams changes from the source, coalesced per viewer, with heartbeats and a goodbye on close", async () => {
    const source = new MemoryRecordSource();
    const clock = new ManualClock();
    page = await startStatusPage({
      host: "127.0.0.1",
      port: 0,
      source,
      log,
      clock,
      minUpdateIntervalMs: 250,
    });
    const version = /data-stream="\/stream\?v=([0-9a-f]+\.\d+)"/.exec((await call(page, "/")).body)?.[1];
    expect(version).toBeDefined();
    const stream = openStream(page, `/stream?v=${version}`);
    await until(() => page?.viewerCount() === 1, "the viewer");
    // The first change goes out at once; the nine after it wait for the interval and go out as one update.
    source.put(readyService("team-a", "svc-0"));
    await clock.advance(0);
    await until(() => stream.updates.length === 1, "the first update");
    for (let i = 1; i < 10; i++) source.put(readyService("team-a", `svc-${i}`));
    await clock.advance(100);
    await new Promise((r) => setTimeout(r, 50));
    expect(stream.updates.length).toBe(1);
    await clock.advance(150);
    await until(() => stream.updates.length === 2, "the coalesced update");
    expect(stream.updates[1]?.html).toContain("svc-9");
    await clock.advance(15_000);
    await until(() => stream.raw().includes(": heartbeat"), "a heartbeat");
    await page.close();
    page = undefined;
    await until(() => stream.ended(), "the end of the stream");
    expect(stream.raw()).toContain("event: bye");
  });

  it("sends a stream opened for an older rendering (or another controller's) the current page at once", async () => {
    const source = new MemoryRecordSource();
    source.put(readyService("team-a", "web"));
    const clock = new ManualClock();
    page = await startStatusPage({ host: "127.0.0.1", port: 0, source, log, clock });
    const stream = openStream(page, "/stream/r/FargateService/team-a/web?v=0123abcd.7");
    await until(() => page?.viewerCount() === 1, "the viewer");
    await clock.advance(0);
    await until(() => stream.updates.length === 1, "the catch-up update");
    expect(stream.updates[0]?.html).toContain(`<table id="conditions">`);
    stream.close();
  });

  it("shows a record's events from the injected reader, and none without it", async () => {
    const source = new MemoryRecordSource();
    source.put(readyService("team-a", "web"));
    const asked: string[] = [];
    const events: EventLister = async (involved) => {
      asked.push(`${involved.kind}/${involved.namespace}/${involved.name}`);
      return [
        {
          type: "Normal",
          reason: "ServiceCreated",
          message: "created service web",
          count: 1,
          firstTimestamp: "2025-01-01T00:00:00Z",
          lastTimestamp: "2025-01-01T00:00:00Z",
          involved,
        },
      ];
    };
    page = await startStatusPage({
      host: "127.0.0.1",
      port: 0,
      source,
      log,
      clock: new ManualClock(),
      events,
    });
    const body = (await call(page, "/r/FargateService/team-a/web")).body;
    expect(body).toContain("created service web");
    expect(asked).toEqual(["FargateService/team-a/web"]);
    await page.close();
    page = await startStatusPage({ host: "127.0.0.1", port: 0, source, log, clock: new ManualClock() });
    expect((await call(page, "/r/FargateService/team-a/web")).body).not.toContain("<h2>Events</h2>");
  });
});
