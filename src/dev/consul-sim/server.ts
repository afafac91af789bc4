/** The Consul simulator's HTTP server: `node:http` around the router, plus in-process controls for tests. */

import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { type Clock, systemClock } from "../../clock.js";
import { presentedToken } from "./acl.js";
import { BlockingQueries } from "./blocking.js";
import { type CatalogSnapshot, ConsulCatalog } from "./catalog.js";
import { ConsulSimHttpError } from "./errors.js";
import { decodeDeregisterRequest, decodeRegisterRequest } from "./requests.js";
import { createRouter, type SelfIdentity, type SimResponse, textResponse } from "./router.js";
import type { CheckStatus } from "./wire.js";

/** Options for {@link startConsulSimulator}. */
export interface ConsulSimulatorOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Host to bind; `127.0.0.1` by default. */
  host?: string;
  /** When set, ACLs are on with this as the management token (see acl.ts for the model). */
  aclToken?: string;
  /** The one datacenter this server knows; `dc1` by default. */
  datacenter?: string;
  /** Timers for blocking-query waits; inject a manual clock to make timeouts deterministic. */
  clock?: Clock;
  /** Source of blocking-query jitter in [0, 1); `() => 0` removes the jitter. */
  random?: () => number;
  /** The simulated server's node name; `consul-sim` by default. */
  nodeName?: string;
  /** Serve HTTPS (as Consul's 8501) with this PEM key and certificate chain instead of HTTP. */
  tls?: ConsulSimulatorTls;
}

/** The simulator's HTTPS front. */
export interface ConsulSimulatorTls {
  key: string;
  cert: string;
  /** CA(s) a client certificate must be signed by (with `requireClientCert`). */
  ca?: string;
  /** Refuse clients without a certificate signed by `ca`, as Consul's `verify_incoming`. */
  requireClientCert?: boolean;
}

/** How the simulator fails while an outage is on. */
export const OutageMode = {
  /** Healthy. */
  None: "none",
  /** Every request gets 500 `No cluster leader`, as during a leader election. */
  LeaderLost: "leader-lost",
  /** The port is closed: connections are refused and open ones are dropped. */
  Refuse: "refuse",
} as const;

/** One of {@link OutageMode}'s values. */
export type OutageMode = (typeof OutageMode)[keyof typeof OutageMode];

/** A service to put in the catalog in one call, with a service check. */
export interface QuickService {
  name: string;
  /** Defaults to `name`. */
  id?: string;
  /** Defaults to `sim-node-1`. */
  node?: string;
  /** The node's address; defaults to `10.0.0.1`. */
  address?: string;
  nodeMeta?: Record<string, string>;
  serviceAddress?: string;
  port?: number;
  tags?: string[];
  meta?: Record<string, string>;
  /** The service check's status; `passing` by default. */
  status?: CheckStatus;
}

/** In-process controls for tests and the dev stack; they bypass ACLs and outages. */
export interface ConsulSimulatorControl {
  /** Applies a `/v1/catalog/register` body (Consul's PascalCase shape); returns the raft index. */
  register(body: unknown): number;
  /** Applies a `/v1/catalog/deregister` body; returns the raft index. */
  deregister(body: unknown): number;
  /** Registers node, service and a `service:<id>` check at once. */
  registerService(service: QuickService): { node: string; serviceId: string; checkId: string; index: number };
  /** Changes one check's status; returns the raft index. */
  setCheckStatus(node: string, checkId: string, status: CheckStatus, output?: string): number;
  /** Starts or ends an outage; resolves once the port state matches. */
  setOutage(mode: OutageMode): Promise<void>;
  /** The current outage mode. */
  outage(): OutageMode;
  /** The last raft index. */
  index(): number;
  /** Everything in the catalog, copied. */
  snapshot(): CatalogSnapshot;
  /** How many blocking queries hang now. */
  blockedQueries(): number;
  /** Resolves once at least `count` blocking queries hang. */
  whenBlocked(count?: number): Promise<void>;
  /** Requests served so far, keyed `METHOD /path` (path parameters kept). */
  requestCounts(): Record<string, number>;
  /** Every distinct ACL token a request presented so far (tests check where a token went). */
  presentedTokens(): string[];
  /** Replaces the management token (a rotated token): the old one gets 403 `ACL not found` from now on. */
  setAclToken(token: string): void;
}

/** A running Consul simulator. */
export interface ConsulSimulator {
  /** `host:port`, the form `CONSUL_HTTP_ADDR` takes. */
  address: string;
  /** `http://host:port`, or `https://host:port` with `tls`. */
  url: string;
  datacenter: string;
  control: ConsulSimulatorControl;
  /** Ends hanging blocking queries, drops every connection and closes the port. */
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

function readJson(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on("error", reject);
    request.on("end", () => {
      if (size > MAX_BODY_BYTES) return reject(new ConsulSimHttpError(413, "Request body too large"));
      const text = Buffer.concat(chunks).toString("utf8");
      // Go's json decoder reports an empty body as EOF.
      if (text.trim() === "") return reject(new ConsulSimHttpError(400, "Request decode failed: EOF"));
      try {
        resolve(JSON.parse(text));
      } catch (error) {
        reject(
          new ConsulSimHttpError(400, `Request decode failed: ${(error as Error).message}`, { cause: error }),
        );
      }
    });
  });
}

/** Starts a Consul simulator; it listens before this resolves. */
export async function startConsulSimulator(options: ConsulSimulatorOptions = {}): Promise<ConsulSimulator> {
  const host = options.host ?? "127.0.0.1";
  const datacenter = options.datacenter ?? "dc1";
  const clock = options.clock ?? systemClock;
  const self: SelfIdentity = {
    node: options.nodeName ?? "consul-sim",
    nodeId: randomUUID(),
    address: "127.0.0.1",
    version: "1.20.0",
  };
  const catalog = new ConsulCatalog(datacenter);
  const blocking = new BlockingQueries(clock);
  catalog.onChange(() => blocking.recheckAll());
  bootstrapServerNode(catalog, self);
  // The router reads the token per request, so setAclToken takes effect at once.
  const routerContext = {
    catalog,
    blocking,
    datacenter,
    aclToken: options.aclToken,
    random: options.random ?? Math.random,
    self,
  };
  const route = createRouter(routerContext);

  let outage: OutageMode = OutageMode.None;
  let stopped = false;
  const counts: Record<string, number> = {};
  const tokens = new Set<string>();

  const send = (response: ServerResponse, answer: SimResponse): void => {
    if (response.destroyed || response.headersSent) return;
    response.writeHead(answer.status, answer.headers);
    response.end(answer.body);
  };

  const serve = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? "/", "http://consul-sim.invalid");
    const key = `${request.method ?? "GET"} ${url.pathname}`;
    counts[key] = (counts[key] ?? 0) + 1;
    const token = presentedToken(url.searchParams, request.headers);
    if (token !== "") tokens.add(token);
    if (outage === OutageMode.LeaderLost) {
      return send(response, textResponse(500, "No cluster leader"));
    }
    const gone = new AbortController();
    response.on("close", () => {
      if (!response.writableFinished) gone.abort();
    });
    try {
      const answer = await route({
        method: request.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        headers: request.headers,
        readBody: () => readJson(request),
        signal: gone.signal,
      });
      send(response, answer);
    } catch (error) {
      if (gone.signal.aborted) return;
      send(response, textResponse(500, error instanceof Error ? error.message : String(error)));
    }
  };

  const handler = (request: IncomingMessage, response: ServerResponse): void => void serve(request, response);
  const tls = options.tls;
  const server =
    tls === undefined
      ? createServer(handler)
      : createHttpsServer(
          {
            key: tls.key,
            cert: tls.cert,
            ...(tls.ca === undefined ? {} : { ca: tls.ca }),
            requestCert: tls.requireClientCert === true,
            rejectUnauthorized: tls.requireClientCert === true,
          },
          handler,
        );
  server.keepAliveTimeout = 5_000;
  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });

  await listen(options.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  const address = `${host}:${port}`;

  const control: ConsulSimulatorControl = {
    register: (body) => catalog.register(decodeRegisterRequest(body)),
    deregister: (body) => catalog.deregister(decodeDeregisterRequest(body)),
    registerService(service) {
      const node = service.node ?? "sim-node-1";
      const serviceId = service.id ?? service.name;
      const checkId = `service:${serviceId}`;
      const index = catalog.register(
        decodeRegisterRequest({
          Node: node,
          Address: service.address ?? "10.0.0.1",
          NodeMeta: service.nodeMeta ?? {},
          Service: {
            ID: serviceId,
            Service: service.name,
            Tags: service.tags ?? [],
            Address: service.serviceAddress ?? "",
            Port: service.port ?? 0,
            Meta: service.meta ?? {},
          },
          Check: {
            CheckID: checkId,
            Name: `Service '${service.name}' check`,
            ServiceID: serviceId,
            Status: service.status ?? "passing",
          },
        }),
      );
      return { node, serviceId, checkId, index };
    },
    setCheckStatus: (node, checkId, status, output) => catalog.setCheckStatus(node, checkId, status, output),
    async setOutage(mode) {
      if (stopped) throw new Error("the Consul simulator is stopped");
      const previous = outage;
      outage = mode;
      if (mode !== OutageMode.None) blocking.endAll(new ConsulSimHttpError(500, "No cluster leader"));
      if (mode === OutageMode.Refuse && previous !== OutageMode.Refuse) await close();
      if (mode !== OutageMode.Refuse && previous === OutageMode.Refuse) await listen(port);
    },
    outage: () => outage,
    index: () => catalog.lastIndex(),
    snapshot: () => catalog.snapshot(),
    blockedQueries: () => blocking.count(),
    whenBlocked: (count) => blocking.whenBlocked(count),
    requestCounts: () => ({ ...counts }),
    presentedTokens: () => [...tokens],
    setAclToken(token) {
      routerContext.aclToken = token;
    },
  };

  return {
    address,
    url: `${tls === undefined ? "http" : "https"}://${address}`,
    datacenter,
    control,
    async stop() {
      if (stopped) return;
      stopped = true;
      blocking.endAll(new ConsulSimHttpError(503, "Consul simulator stopped"));
      await close();
    },
  };
}

// A real server's catalog always holds the server's own node, its serfHealth check and the `consul` service.
function bootstrapServerNode(catalog: ConsulCatalog, self: SelfIdentity): void {
  catalog.register(
    decodeRegisterRequest({
      ID: self.nodeId,
      Node: self.node,
      Address: self.address,
      TaggedAddresses: {
        lan: self.address,
        lan_ipv4: self.address,
        wan: self.address,
        wan_ipv4: self.address,
      },
      NodeMeta: { "consul-network-segment": "" },
      Service: { ID: "consul", Service: "consul", Port: 8300 },
      Check: {
        CheckID: "serfHealth",
        Name: "Serf Health Status",
        Status: "passing",
        Output: "Agent alive and reachable",
      },
    }),
  );
}
