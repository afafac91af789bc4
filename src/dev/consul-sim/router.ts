/**
 * The Consul HTTP API subset the project uses, as a function from a request to a response. No sockets here:
 * the server feeds it, and unit tests can call it directly.
 */

import type { IncomingHttpHeaders } from "node:http";
import { type Authority, presentedToken, resolveAuthority } from "./acl.js";
import { type BlockingQueries, blockingTimeoutMs } from "./blocking.js";
import type { ConsulCatalog, Indexed, ServiceFilter } from "./catalog.js";
import { parseGoDuration } from "./duration.js";
import { anonymousDenied, ConsulSimHttpError, noPathToDatacenter } from "./errors.js";
import { decodeDeregisterRequest, decodeRegisterRequest } from "./requests.js";

/** What the router needs from an HTTP request. */
export interface SimRequest {
  method: string;
  /** The path without the query string, still percent-encoded. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Reads the body as JSON; rejects with Consul's 400 when it is not. */
  readBody(): Promise<unknown>;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
}

/** The response the router decided on. */
export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The simulated server's own identity, as `/v1/agent/self` and `/v1/status/leader` report it. */
export interface SelfIdentity {
  node: string;
  nodeId: string;
  address: string;
  version: string;
}

/** Everything the router reads or writes. */
export interface RouterContext {
  catalog: ConsulCatalog;
  blocking: BlockingQueries;
  datacenter: string;
  aclToken: string | undefined;
  random: () => number;
  self: SelfIdentity;
}

interface Call {
  request: SimRequest;
  authority: Authority;
  minIndex: number;
  waitMs: number | undefined;
}

type Handler = (call: Call, param: string) => Promise<SimResponse>;

const TEXT = { "Content-Type": "text/plain; charset=utf-8" };

/** A plain-text answer, as Consul writes its errors. */
export const textResponse = (status: number, body: string): SimResponse => ({ status, headers: TEXT, body });

function jsonResponse(value: unknown, index?: number): SimResponse {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (index !== undefined) {
    // Consul never sends X-Consul-Index 0: index=0 would never block and clients would busy-loop.
    headers["X-Consul-Index"] = String(Math.max(1, index));
    headers["X-Consul-KnownLeader"] = "true";
    headers["X-Consul-LastContact"] = "0";
    headers["X-Consul-Effective-Consistency"] = "leader";
  }
  return { status: 200, headers, body: JSON.stringify(value) };
}

const GO_TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const GO_FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

function flag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  if (value === null) return false;
  if (value === "" || GO_TRUE.has(value)) return true;
  if (GO_FALSE.has(value)) return false;
  throw new ConsulSimHttpError(400, `Invalid value for ?${name}`);
}

function serviceFilter(query: URLSearchParams): ServiceFilter {
  const nodeMeta: Record<string, string> = {};
  for (const pair of query.getAll("node-meta")) {
    const colon = pair.indexOf(":");
    if (colon === -1) nodeMeta[pair] = "";
    else nodeMeta[pair.slice(0, colon)] = pair.slice(colon + 1);
  }
  return { tags: query.getAll("tag"), nodeMeta };
}

/** Creates the request handler over `context`. */
export function createRouter(context: RouterContext): (request: SimRequest) => Promise<SimResponse> {
  const { catalog, blocking } = context;

  // Reads under the anonymous token are filtered to nothing, as Consul's ACL filter does with default deny.
  const query = async <T>(call: Call, read: () => Indexed<T>, hidden: T): Promise<SimResponse> => {
    const guarded = (): Indexed<T> => {
      const result = read();
      return call.authority === "anonymous" ? { value: hidden, index: result.index } : result;
    };
    const timeout = blockingTimeoutMs(call.waitMs, context.random);
    const result = await blocking.block(guarded, call.minIndex, timeout, call.request.signal);
    return jsonResponse(result.value, result.index);
  };

  const requireWrite = (call: Call, permission: string, resource: string): void => {
    if (call.authority === "anonymous") throw anonymousDenied(permission, resource);
  };

  const checkBodyDatacenter = (datacenter: string): void => {
    if (datacenter !== "" && datacenter !== context.datacenter) throw noPathToDatacenter();
  };

  const routes: Record<string, { method: string; handler: Handler }> = {
    "/v1/catalog/register": {
      method: "PUT",
      handler: async (call) => {
        const registration = decodeRegisterRequest(await call.request.readBody());
        checkBodyDatacenter(registration.Datacenter);
        if (registration.Service) requireWrite(call, "service:write", registration.Service.Service);
        requireWrite(call, "node:write", registration.Node);
        catalog.register(registration);
        return jsonResponse(true);
      },
    },
    "/v1/catalog/deregister": {
      method: "PUT",
      handler: async (call) => {
        const deregistration = decodeDeregisterRequest(await call.request.readBody());
        checkBodyDatacenter(deregistration.Datacenter);
        requireWrite(call, "node:write", deregistration.Node);
        catalog.deregister(deregistration);
        return jsonResponse(true);
      },
    },
    "/v1/catalog/services": {
      method: "GET",
      handler: (call) => query(call, () => catalog.listServices(), {}),
    },
    "/v1/catalog/service/": {
      method: "GET",
      handler: (call, name) => {
        if (name === "") throw new ConsulSimHttpError(400, "Missing service name");
        const filter = serviceFilter(call.request.query);
        return query(call, () => catalog.serviceNodes(name, filter), []);
      },
    },
    "/v1/catalog/nodes": {
      method: "GET",
      handler: (call) => query(call, () => catalog.listNodes(), []),
    },
    "/v1/catalog/node/": {
      method: "GET",
      handler: (call, node) => {
        if (node === "") throw new ConsulSimHttpError(400, "Missing node name");
        return query(call, () => catalog.nodeServices(node), null);
      },
    },
    "/v1/health/service/": {
      method: "GET",
      handler: (call, name) => {
        if (name === "") throw new ConsulSimHttpError(400, "Missing service name");
        const filter = {
          ...serviceFilter(call.request.query),
          passingOnly: flag(call.request.query, "passing"),
        };
        return query(call, () => catalog.healthService(name, filter), []);
      },
    },
    "/v1/health/checks/": {
      method: "GET",
      handler: (call, name) => {
        if (name === "") throw new ConsulSimHttpError(400, "Missing service name");
        return query(call, () => catalog.serviceChecks(name), []);
      },
    },
    "/v1/agent/self": {
      method: "GET",
      handler: async (call) => {
        if (call.authority === "anonymous") throw anonymousDenied("agent:read", context.self.node);
        return jsonResponse(agentSelf(context));
      },
    },
    "/v1/status/leader": {
      method: "GET",
      handler: async () => jsonResponse(`${context.self.address}:8300`),
    },
  };

  return async (request) => {
    const route = findRoute(routes, request.path);
    if (!route) return textResponse(404, "404 page not found\n");
    const { method, handler } = route.entry;
    if (request.method !== method) {
      return {
        status: 405,
        headers: { ...TEXT, Allow: method },
        body: `method ${request.method} not allowed`,
      };
    }
    try {
      const { minIndex, waitMs } = parseWaitAndIndex(request.query);
      const dc = request.query.get("dc");
      if (dc && dc !== context.datacenter) throw noPathToDatacenter();
      // Status endpoints resolve no token in Consul; every other one does.
      const authority =
        route.prefix === "/v1/status/leader"
          ? "open"
          : resolveAuthority(presentedToken(request.query, request.headers), context.aclToken);
      return await handler({ request, authority, minIndex, waitMs }, route.param);
    } catch (error) {
      if (error instanceof ConsulSimHttpError) return textResponse(error.status, error.message);
      throw error;
    }
  };
}

function findRoute<T>(
  routes: Record<string, T>,
  path: string,
): { entry: T; prefix: string; param: string } | undefined {
  for (const [prefix, entry] of Object.entries(routes)) {
    if (prefix.endsWith("/") ? path.startsWith(prefix) : path === prefix) {
      const raw = path.slice(prefix.length);
      let param: string;
      try {
        param = decodeURIComponent(raw);
      } catch {
        param = raw;
      }
      return { entry, prefix, param };
    }
  }
  return undefined;
}

function parseWaitAndIndex(query: URLSearchParams): { minIndex: number; waitMs: number | undefined } {
  let waitMs: number | undefined;
  const wait = query.get("wait");
  if (wait) {
    waitMs = parseGoDuration(wait);
    if (waitMs === undefined) throw new ConsulSimHttpError(400, "Invalid wait time");
  }
  let minIndex = 0;
  const index = query.get("index");
  if (index) {
    if (!/^\d+$/.test(index) || !Number.isSafeInteger(Number(index))) {
      throw new ConsulSimHttpError(400, "Invalid index");
    }
    minIndex = Number(index);
  }
  return { minIndex, waitMs };
}

function agentSelf(context: RouterContext): unknown {
  const { self, datacenter } = context;
  return {
    Config: {
      Datacenter: datacenter,
      PrimaryDatacenter: datacenter,
      NodeName: self.node,
      NodeID: self.nodeId,
      Revision: "consul-sim",
      Server: true,
      Version: self.version,
    },
    Member: {
      Name: self.node,
      Addr: self.address,
      Port: 8301,
      Tags: { dc: datacenter, role: "consul", build: self.version },
      Status: 1,
    },
    Meta: {},
  };
}
