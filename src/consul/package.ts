/**
 * The `consul` npm package as src/consul/client.ts calls it: the part of its API we use (its .d.ts leaves out
 * `ctx`, `timeout` and the request pipeline), the one pipeline step we add, and the bodies and options we hand
 * it. No I/O of its own.
 */
import type { EventEmitter } from "node:events";
import type { ConsulTlsOptions } from "./client.js";
import type { CatalogRegistration } from "./types.js";

/** The package's per-call options we use (its `utils.options`): all optional, lowercase as it reads them. */
export interface PackageCallOptions {
  token?: string;
  dc?: string;
  index?: string;
  wait?: string;
  timeout?: number;
  ctx?: EventEmitter & { includeResponse?: boolean };
  [key: string]: unknown;
}

/** The parts of the package's request pipeline (papi) we need for the one call it cannot shape (register). */
export interface PackageRequest {
  name: string;
  path: string;
  type?: string;
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  ctx?: EventEmitter;
  timeout?: number;
}

export interface PackageResponse {
  statusCode?: number;
  headers?: Record<string, string | string[] | undefined>;
  body?: unknown;
}

export type Middleware = (
  request: { err?: unknown; res?: PackageResponse },
  next: (stop: false, error?: unknown, value?: unknown) => void,
) => void;

/** The package's API as this module calls it (its .d.ts leaves out `ctx`, `timeout` and the pipeline). */
export interface PackageApi {
  catalog: {
    service: {
      list(options: PackageCallOptions): Promise<unknown>;
      nodes(options: PackageCallOptions & { service: string; tag?: string[] }): Promise<unknown>;
    };
    node: { services(options: PackageCallOptions & { node: string }): Promise<unknown> };
    deregister(
      options: PackageCallOptions & { node: string; serviceid?: string; checkid?: string },
    ): Promise<unknown>;
  };
  health: {
    service(
      options: PackageCallOptions & { service: string; passing?: boolean; tag?: string[] },
    ): Promise<unknown>;
  };
  status: { leader(options: PackageCallOptions): Promise<unknown> };
  _put(request: PackageRequest, ...middleware: Middleware[]): Promise<unknown>;
  destroy(): void;
}

/** The pipeline step that hands back the response with its body (the package's own `ctx.includeResponse`). */
export const withResponse: Middleware = (request, next) => {
  if (request.err !== undefined) return next(false, request.err);
  next(false, undefined, [request.res, request.res?.body]);
};

/** The Node TLS options of our settings (the package passes these to its agent and requests). */
export function tlsSettings(tls: ConsulTlsOptions): Record<string, unknown> {
  return {
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls.key === undefined ? {} : { key: tls.key }),
    ...(tls.serverName === undefined ? {} : { servername: tls.serverName }),
    rejectUnauthorized: tls.insecureSkipVerify !== true,
  };
}

/** An answer body as text, for error messages. */
export function textOf(body: unknown): string {
  if (body === undefined || body === null) return "";
  if (typeof body === "string") return body;
  if (Buffer.isBuffer(body)) return body.toString();
  return JSON.stringify(body);
}

/** Consul's PascalCase `/v1/catalog/register` body of a registration. */
export function registrationBody(registration: CatalogRegistration): Record<string, unknown> {
  const service = registration.service;
  return {
    Node: registration.node,
    Address: registration.address,
    ID: registration.nodeId,
    NodeMeta: registration.nodeMeta,
    TaggedAddresses: registration.taggedAddresses,
    SkipNodeUpdate: registration.skipNodeUpdate,
    Service: service && {
      ID: service.id ?? service.name,
      Service: service.name,
      Tags: service.tags ?? [],
      Address: service.address ?? "",
      Port: service.port ?? 0,
      Meta: service.meta ?? {},
    },
    Checks: registration.checks?.map((check) => ({
      Node: registration.node,
      CheckID: check.checkId,
      Name: check.name,
      Status: check.status,
      ServiceID: check.serviceId ?? "",
      Notes: check.notes ?? "",
      Output: check.output ?? "",
    })),
  };
}
