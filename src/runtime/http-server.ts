/** The controller's HTTP endpoints: `/healthz` (alive), `/readyz` (caches synced), `/metrics` (Prometheus). */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { Logger } from "../log.js";

/** Settings of the health and metrics server. */
export interface HealthServerOptions {
  host: string;
  /** 0 picks a free port (tests); the chosen one is returned and logged. */
  port: number;
  registry: Registry;
  /** True once every informer has synced. */
  isReady: () => boolean;
  log: Logger;
}

/** A running server. */
export interface HealthServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Starts the server and resolves once it listens. */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
    } else if (path === "/readyz") {
      const ready = options.isReady();
      res
        .writeHead(ready ? 200 : 503, { "content-type": "text/plain" })
        .end(ready ? "ok\n" : "not ready: caches not synced\n");
    } else if (path === "/metrics") {
      options.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": options.registry.contentType }).end(text),
        (error: unknown) => {
          options.log.error({ err: error }, "could not render metrics");
          res.writeHead(500).end();
        },
      );
    } else {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    }
  });
  const address = await listen(server, options.port, options.host);
  options.log.info({ host: address.address, port: address.port }, "health and metrics server listening");
  return {
    host: address.address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Listens on `host:port` (0: a free port) and resolves with the address taken; rejects as `listen` fails. */
export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise<AddressInfo>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
