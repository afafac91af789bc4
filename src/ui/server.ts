/**
 * The status page's HTTP adapter: GET/HEAD only, the fleet page, a page per record, and a server-sent-events
 * stream per open page fed by the informer caches' change signal. Updates are coalesced per viewer (at most one
 * every `minUpdateIntervalMs`), a slow viewer is skipped until it drains, and every rendering of the fleet is
 * shared by all viewers of the same cache version: viewers cost memory and CPU, never a table read.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type Clock, systemClock, type TimerHandle } from "../clock.js";
import type { Kind, ResourceKey } from "../crds/meta.js";
import { type Logger, scrubSecrets } from "../log.js";
import { listen } from "../runtime/http-server.js";
import { safeJson } from "./escape.js";
import { LOOPBACK_HOSTS, type Route, route, SECURITY_HEADERS } from "./http.js";
import { renderPage } from "./layout.js";
import { overviewTitle, renderOverview } from "./overview.js";
import { type EventsSection, renderMissing, renderRecord } from "./record.js";
import type { EventLister, RecordSource } from "./types.js";

/** Settings of the status page. */
export interface StatusPageOptions {
  host: string;
  /** 0 picks a free port (tests); the chosen one is in the result and the log. */
  port: number;
  source: RecordSource;
  /** A record's events; no events section without it. */
  events?: EventLister;
  log: Logger;
  clock?: Clock;
  /** Least time between two updates sent to one viewer (ms). */
  minUpdateIntervalMs?: number;
  /** How often an idle stream gets a comment line, so proxies and browsers keep it (ms). */
  heartbeatMs?: number;
  /** How often an open record page re-reads its events (ms). */
  eventsRefreshMs?: number;
  /** Open streams at most; more are refused with 503. */
  maxViewers?: number;
}

/** A running status page. */
export interface StatusPage {
  host: string;
  port: number;
  /** `http://host:port/`. */
  url: string;
  /** Open streams now. */
  viewerCount(): number;
  /** Ends every stream (with a `bye` event) and stops listening. */
  close(): Promise<void>;
}

interface Viewer {
  res: ServerResponse;
  /** The record a record page watches; the whole fleet otherwise. */
  key?: ResourceKey;
  route: Route;
  dirty: boolean;
  lastSent: number;
  timer: TimerHandle | undefined;
  busy: boolean;
  blocked: boolean;
}

/** Starts the page and resolves once it listens. */
export async function startStatusPage(options: StatusPageOptions): Promise<StatusPage> {
  const clock = options.clock ?? systemClock;
  const minInterval = options.minUpdateIntervalMs ?? 250;
  const maxViewers = options.maxViewers ?? 100;
  const { source, log } = options;
  const viewers = new Set<Viewer>();
  let version = 0;
  const epoch = randomBytes(4).toString("hex");
  const token = (): string => `${epoch}.${version}`;
  let overviewCache: { version: number; html: string; title: string } | undefined;
  let closing = false;

  const overview = (): { html: string; title: string } => {
    if (overviewCache?.version !== version) {
      const byKind = new Map(source.kinds().map((k) => [k, source.list(k)] as const));
      overviewCache = { version, html: renderOverview(byKind, clock.now()), title: overviewTitle(byKind) };
    }
    return overviewCache;
  };

  const eventsCache = new Map<ResourceKey, { at: number; section: Promise<EventsSection> }>();
  const eventsOf = (
    key: ResourceKey,
    kind: Kind,
    namespace: string,
    name: string,
  ): Promise<EventsSection> => {
    const lister = options.events;
    if (lister === undefined) return Promise.resolve({ shown: false });
    const hit = eventsCache.get(key);
    if (hit !== undefined && clock.now() - hit.at < 1_000) return hit.section;
    const section = lister({ kind, namespace, name }).then(
      (events): EventsSection => ({ shown: true, events }),
      (error: unknown): EventsSection => ({
        shown: true,
        error: scrubSecrets(error instanceof Error ? error.message : String(error)),
      }),
    );
    eventsCache.set(key, { at: clock.now(), section });
    return section;
  };

  const record = async (r: Route): Promise<{ html: string; title: string }> => {
    const [kind, namespace, name] = r.parts ?? ["", "", ""];
    const found = r.key === undefined ? undefined : source.get(r.key);
    const title = `${kind} ${namespace}/${name} · fargate-operator`;
    if (found === undefined || r.key === undefined)
      return { html: renderMissing(kind, namespace, name), title };
    const events = await eventsOf(r.key, kind as Kind, namespace, name);
    return { html: renderRecord(found, events, clock.now()), title };
  };

  const flush = (v: Viewer): void => {
    v.timer = undefined;
    if (!v.dirty || v.busy || v.blocked || closing) return;
    v.dirty = false;
    v.lastSent = clock.now();
    v.busy = true;
    const content = v.key === undefined ? Promise.resolve(overview()) : record(v.route);
    void content.then(
      (payload) => {
        v.busy = false;
        if (closing || v.res.writableEnded) return;
        if (!v.res.write(`event: update\ndata: ${safeJson(payload)}\n\n`)) {
          v.blocked = true;
          v.res.once("drain", () => {
            v.blocked = false;
            if (v.dirty) schedule(v);
          });
        }
        if (v.dirty) schedule(v);
      },
      (error: unknown) => {
        v.busy = false;
        log.warn({ err: error }, "status page: could not render an update");
      },
    );
  };

  const schedule = (v: Viewer): void => {
    v.dirty = true;
    if (v.timer !== undefined || v.busy || v.blocked) return;
    v.timer = clock.setTimer(() => flush(v), Math.max(0, v.lastSent + minInterval - clock.now()));
  };

  const unsubscribe = source.subscribe((key) => {
    version += 1;
    for (const v of viewers) if (v.key === undefined || v.key === key) schedule(v);
  });

  let ticks = 0;
  let ticker: TimerHandle | undefined;
  const tickMs = Math.min(options.eventsRefreshMs ?? 5_000, options.heartbeatMs ?? 15_000);
  const tick = (): void => {
    ticks += 1;
    const heartbeat = (ticks * tickMs) % (options.heartbeatMs ?? 15_000) < tickMs;
    for (const v of viewers) {
      if (v.key !== undefined && options.events !== undefined) schedule(v);
      if (heartbeat && !v.blocked && !v.res.writableEnded) v.res.write(": heartbeat\n\n");
    }
    ticker = clock.setTimer(tick, tickMs);
  };
  ticker = clock.setTimer(tick, tickMs);

  const openStream = (req: IncomingMessage, res: ServerResponse, r: Route, seen: string | null): void => {
    if (viewers.size >= maxViewers) {
      res.writeHead(503, { ...SECURITY_HEADERS, "content-type": "text/plain", "retry-after": "10" });
      res.end("too many open status pages\n");
      return;
    }
    res.writeHead(200, { ...SECURITY_HEADERS, "content-type": "text/event-stream; charset=utf-8" });
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    res.write("retry: 2000\n\n");
    const v: Viewer = {
      res,
      route: r,
      timer: undefined,
      dirty: false,
      lastSent: 0,
      busy: false,
      blocked: false,
    };
    if (r.key !== undefined) v.key = r.key;
    viewers.add(v);
    const forget = (): void => {
      v.timer?.cancel();
      viewers.delete(v);
    };
    req.once("close", forget);
    res.once("close", forget);
    // The page was rendered at version `seen` (of this server: a restarted controller counts anew); anything
    // since goes out at once.
    if (seen !== token()) schedule(v);
  };

  const server = createServer((req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { ...SECURITY_HEADERS, allow: "GET, HEAD", "content-type": "text/plain" });
      res.end("read-only: GET and HEAD only\n");
      return;
    }
    // Bound to loopback, answer only to loopback names: a web page cannot then read it through DNS rebinding.
    const host = (req.headers.host ?? "").replace(/:\d+$/, "").toLowerCase();
    if (loopbackOnly && !LOOPBACK_HOSTS.has(host)) {
      res.writeHead(421, { ...SECURITY_HEADERS, "content-type": "text/plain" });
      res.end("this status page answers only to 127.0.0.1, localhost or [::1]\n");
      return;
    }
    let url: URL;
    let r: Route | undefined;
    try {
      url = new URL(req.url ?? "/", "http://status.invalid");
      r = route(url.pathname);
    } catch {
      r = undefined;
      url = new URL("http://status.invalid/");
    }
    if (r === undefined) {
      res.writeHead(404, { ...SECURITY_HEADERS, "content-type": "text/plain" });
      res.end("not found\n");
      return;
    }
    if (r.stream) {
      openStream(req, res, r, url.searchParams.get("v"));
      return;
    }
    const streamUrl = `/stream${url.pathname === "/" ? "" : url.pathname}?v=${token()}`;
    const content = r.key === undefined ? Promise.resolve(overview()) : record(r);
    content.then(
      ({ html, title }) => {
        const exists = r.key === undefined || source.get(r.key) !== undefined;
        res.writeHead(exists ? 200 : 404, {
          ...SECURITY_HEADERS,
          "content-type": "text/html; charset=utf-8",
        });
        res.end(renderPage({ title, body: html, streamUrl }));
      },
      (error: unknown) => {
        log.warn({ err: error }, "status page: could not render");
        res.writeHead(500, { ...SECURITY_HEADERS, "content-type": "text/plain" }).end("could not render\n");
      },
    );
  });

  const loopbackOnly = LOOPBACK_HOSTS.has(options.host) || options.host.startsWith("127.");
  const address = await listen(server, options.port, options.host);
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${urlHost}:${address.port}/`;
  log.info({ url }, "status page listening");
  if (!loopbackOnly)
    log.warn({ url }, "status page is not on loopback: anyone who reaches it sees every record");

  return {
    host: address.address,
    port: address.port,
    url,
    viewerCount: () => viewers.size,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        unsubscribe();
        ticker?.cancel();
        for (const v of viewers) {
          v.timer?.cancel();
          if (!v.res.writableEnded) v.res.end("event: bye\ndata: {}\n\n");
        }
        viewers.clear();
        server.close(() => resolve());
        server.closeIdleConnections();
        // Whatever is still open after the goodbyes had a moment to flush is cut.
        setTimeout(() => server.closeAllConnections(), 500).unref();
      }),
  };
}
