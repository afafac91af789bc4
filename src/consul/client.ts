/**
 * The project's Consul client: exactly the calls the catalog sync engine needs, made through the `consul` npm
 * package (DESIGN 11 "Consul over TLS"). The package does the HTTP: blocking `index`/`wait`, `token`, `dc`,
 * cancellation through its `ctx`, timeouts, and the Node TLS options on its agent. This module keeps what is
 * ours: decoding (decode.ts), translating every failure into errors.ts's kinds, a caller's abort leaving as the
 * signal's own reason, and a token re-read after a 403 (token.ts).
 */
import { EventEmitter } from "node:events";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import Consul from "consul";
import {
  decodeCatalogService,
  decodeHealthEntries,
  decodeLeader,
  decodeNodeServices,
  decodeServiceList,
  MalformedConsulResponse,
} from "./decode.js";
import { ConsulAuthError, type ConsulFailure, translateConsulError, transportFailure } from "./errors.js";
import {
  type PackageApi,
  type PackageCallOptions,
  type PackageResponse,
  registrationBody,
  textOf,
  tlsSettings,
  withResponse,
} from "./package.js";
import { type ConsulTokenSource, fixedToken } from "./token.js";
import type {
  Blocking,
  BlockingOptions,
  CallOptions,
  CatalogDeregistration,
  CatalogRegistration,
  CatalogServiceEntry,
  HealthServiceEntry,
  NodeServices,
} from "./types.js";

/** TLS settings of an `https://` address (Consul's CLI: CONSUL_CACERT, CONSUL_CLIENT_CERT/KEY, ...). */
export interface ConsulTlsOptions {
  /** PEM CA certificate(s) to trust instead of the system store. */
  ca?: string;
  /** PEM client certificate (chain) for mTLS, with `key`. */
  cert?: string;
  /** PEM private key of `cert`. Never logged. */
  key?: string;
  /** The name Consul's certificate must carry; default the address's host. */
  serverName?: string;
  /** Accept any certificate (testing only; the caller warns loudly). */
  insecureSkipVerify?: boolean;
}

/** How to reach Consul. */
export interface ConsulClientOptions {
  /** `host:port` (as `CONSUL_HTTP_ADDR`) or a full `http(s)://host:port` URL. */
  address: string;
  /** Sent as `X-Consul-Token`; never in a URL, message or log. A source is re-read after a 403. */
  token?: string | ConsulTokenSource;
  /** Sent as `?dc=` on every call when set; otherwise Consul uses its own datacenter. */
  datacenter?: string;
  /** Limit for non-blocking calls, and the margin added to a blocking call's wait; default 10 s. */
  requestTimeoutMs?: number;
  /** For `https://` addresses. */
  tls?: ConsulTlsOptions;
}

/** Consul's default wait when a blocking call gives none. */
const CONSUL_DEFAULT_WAIT_MS = 5 * 60_000;

interface Call {
  name: string;
  method: "GET" | "PUT";
  path: string;
  signal: AbortSignal | undefined;
  timeoutMs: number;
  send: (options: PackageCallOptions) => Promise<unknown>;
}

/** A Consul HTTP API client. */
export class ConsulClient {
  readonly #api: PackageApi;
  readonly #agent: HttpAgent;
  readonly #address: string;
  readonly #token: ConsulTokenSource;
  readonly #seenTokens = new Set<string>();
  readonly #datacenter: string | undefined;
  readonly #requestTimeoutMs: number;

  constructor(options: ConsulClientOptions) {
    const base = (
      /^https?:\/\//i.test(options.address) ? options.address : `http://${options.address}`
    ).replace(/\/+$/, "");
    const url = new URL(base);
    this.#address = url.host;
    this.#token = typeof options.token === "object" ? options.token : fixedToken(options.token);
    this.#datacenter = options.datacenter === "" ? undefined : options.datacenter;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    const tls = url.protocol === "https:" ? tlsSettings(options.tls ?? {}) : {};
    // Our own agent, so the TLS settings hold for every socket and `close()` can end them.
    this.#agent =
      url.protocol === "https:"
        ? new HttpsAgent({ keepAlive: true, ...tls })
        : new HttpAgent({ keepAlive: true });
    const ConsulPackage = Consul as unknown as new (options: Record<string, unknown>) => PackageApi;
    this.#api = new ConsulPackage({ baseUrl: `${url.origin}/v1`, agent: this.#agent, ...tls });
  }

  /** `host:port` of the Consul this client talks to. */
  get address(): string {
    return this.#address;
  }

  /** Ends the client's idle keep-alive sockets. */
  close(): void {
    this.#agent.destroy();
  }

  /** Service names and their tags (`/v1/catalog/services`); blocks on any catalog service change. */
  async listServices(options: BlockingOptions = {}): Promise<Blocking<Record<string, string[]>>> {
    return this.#blocking("catalog.service.list", "/v1/catalog/services", options, decodeServiceList, (o) =>
      this.#api.catalog.service.list(o),
    );
  }

  /** Instances of `name` with their checks (`/v1/health/service/:name`); blocks on changes to that service. */
  async healthService(
    name: string,
    options: BlockingOptions & { passingOnly?: boolean; tags?: string[] } = {},
  ): Promise<Blocking<HealthServiceEntry[]>> {
    const { passingOnly, tags } = options;
    return this.#blocking("health.service", `/v1/health/service/${name}`, options, decodeHealthEntries, (o) =>
      this.#api.health.service({
        ...o,
        service: name,
        ...(passingOnly ? { passing: true } : {}),
        ...(tags === undefined || tags.length === 0 ? {} : { tag: tags }),
      }),
    );
  }

  /** Instances of `name` without health (`/v1/catalog/service/:name`); blocks on changes to that service. */
  async catalogService(
    name: string,
    options: BlockingOptions & { tags?: string[] } = {},
  ): Promise<Blocking<CatalogServiceEntry[]>> {
    const { tags } = options;
    return this.#blocking(
      "catalog.service.nodes",
      `/v1/catalog/service/${name}`,
      options,
      decodeCatalogService,
      (o) =>
        this.#api.catalog.service.nodes({
          ...o,
          service: name,
          ...(tags === undefined || tags.length === 0 ? {} : { tag: tags }),
        }),
    );
  }

  /** A node and its services (`/v1/catalog/node/:node`); `undefined` when the node is not registered. */
  async nodeServices(node: string, options: CallOptions = {}): Promise<NodeServices | undefined> {
    const path = `/v1/catalog/node/${node}`;
    if (node === "") throw this.#fail({ kind: "invalid-input", detail: "node is required" }, "GET", path);
    const { body } = await this.#call({
      name: "catalog.node.services",
      method: "GET",
      path,
      signal: options.signal,
      timeoutMs: this.#requestTimeoutMs,
      send: (o) => this.#api.catalog.node.services({ ...o, node }),
    });
    return this.#decode(body, decodeNodeServices, "GET", path);
  }

  /**
   * Registers (upserts) a node, optionally a service and checks (`PUT /v1/catalog/register`). The package's
   * `catalog.register` drops a check's `Output` and takes tagged addresses only as `{address, port}`, so this one
   * call sends our own body through the package's request pipeline (same agent, TLS, timeout, cancellation).
   */
  async register(registration: CatalogRegistration, options: CallOptions = {}): Promise<void> {
    const path = "/v1/catalog/register";
    if (registration.node === "" || registration.address === "") {
      throw this.#fail({ kind: "invalid-input", detail: "node and address are required" }, "PUT", path);
    }
    const body = registrationBody(registration);
    await this.#call({
      name: "catalog.register",
      method: "PUT",
      path,
      signal: options.signal,
      timeoutMs: this.#requestTimeoutMs,
      send: (o) =>
        this.#api._put(
          {
            name: "catalog.register",
            path: "/catalog/register",
            type: "json",
            body,
            headers: o.token === undefined ? {} : { "x-consul-token": o.token },
            query: o.dc === undefined ? {} : { dc: o.dc },
            ...(o.ctx === undefined ? {} : { ctx: o.ctx }),
            ...(o.timeout === undefined ? {} : { timeout: o.timeout }),
          },
          withResponse,
        ),
    });
  }

  /** Removes a service, a check, or a whole node (`PUT /v1/catalog/deregister`). */
  async deregister(deregistration: CatalogDeregistration, options: CallOptions = {}): Promise<void> {
    const path = "/v1/catalog/deregister";
    if (deregistration.node === "")
      throw this.#fail({ kind: "invalid-input", detail: "node is required" }, "PUT", path);
    const { serviceId, checkId } = deregistration;
    await this.#call({
      name: "catalog.deregister",
      method: "PUT",
      path,
      signal: options.signal,
      timeoutMs: this.#requestTimeoutMs,
      send: (o) =>
        this.#api.catalog.deregister({
          ...o,
          node: deregistration.node,
          ...(serviceId === undefined ? {} : { serviceid: serviceId }),
          ...(checkId === undefined ? {} : { checkid: checkId }),
        }),
    });
  }

  /** The raft leader's `host:port` (`/v1/status/leader`); empty while there is none. A cheap liveness probe. */
  async leader(options: CallOptions = {}): Promise<string> {
    const path = "/v1/status/leader";
    const { body } = await this.#call({
      name: "status.leader",
      method: "GET",
      path,
      signal: options.signal,
      timeoutMs: this.#requestTimeoutMs,
      send: (o) => this.#api.status.leader(o),
    });
    return this.#decode(body, decodeLeader, "GET", path);
  }

  async #blocking<T>(
    name: string,
    path: string,
    options: BlockingOptions,
    decode: (body: unknown) => T,
    send: (options: PackageCallOptions) => Promise<unknown>,
  ): Promise<Blocking<T>> {
    const blocking = options.index !== undefined && options.index > 0;
    const waitMs = options.waitMs;
    const query: PackageCallOptions = blocking
      ? {
          index: String(options.index),
          ...(waitMs === undefined ? {} : { wait: `${Math.max(1, Math.ceil(waitMs))}ms` }),
        }
      : {};
    // Consul may hold the call for the wait plus 1/16 jitter; past that plus a margin, it is unreachable.
    const held = blocking ? Math.min(waitMs ?? CONSUL_DEFAULT_WAIT_MS, 10 * 60_000) : 0;
    const timeoutMs = Math.ceil(held * (17 / 16)) + this.#requestTimeoutMs;
    const { body, index } = await this.#call({
      name,
      method: "GET",
      path,
      signal: options.signal,
      timeoutMs,
      send: (o) => send({ ...o, ...query }),
    });
    return { value: this.#decode(body, decode, "GET", path), index };
  }

  #decode<T>(body: unknown, decode: (body: unknown) => T, method: string, path: string): T {
    try {
      return decode(body);
    } catch (error) {
      if (error instanceof MalformedConsulResponse)
        throw this.#fail({ kind: "malformed", detail: error.message }, method, path);
      throw error;
    }
  }

  #fail(failure: ConsulFailure, method: string, path: string): Error {
    return translateConsulError(failure, { method, path, address: this.#address }, [...this.#seenTokens]);
  }

  /** One call; after a 403 with a token that a re-read replaced, the same call once more with the new token. */
  async #call(call: Call): Promise<{ body: unknown; index: number }> {
    const token = this.#token.current();
    try {
      return await this.#once(call, token);
    } catch (error) {
      if (!(error instanceof ConsulAuthError) || error.status !== 403) throw error;
      if (!(await this.#token.refresh(token, call.signal))) throw error;
      call.signal?.throwIfAborted();
      return this.#once(call, this.#token.current());
    }
  }

  async #once(call: Call, token: string | undefined): Promise<{ body: unknown; index: number }> {
    call.signal?.throwIfAborted();
    if (token !== undefined) this.#seenTokens.add(token);
    // The package cancels a request when its ctx emits `cancel`.
    const ctx = Object.assign(new EventEmitter(), { includeResponse: true, canceled: false });
    const onAbort = (): void => {
      ctx.canceled = true;
      ctx.emit("cancel");
    };
    call.signal?.addEventListener("abort", onAbort, { once: true });
    let answer: unknown;
    try {
      answer = await call.send({
        ctx,
        timeout: call.timeoutMs,
        ...(token === undefined ? {} : { token }),
        ...(this.#datacenter === undefined ? {} : { dc: this.#datacenter }),
      });
    } catch (error) {
      // The caller's own abort is not a Consul failure: hand back the caller's reason untouched.
      if (call.signal?.aborted) throw call.signal.reason;
      throw this.#fail(this.#failureOf(error, call.timeoutMs), call.method, call.path);
    } finally {
      call.signal?.removeEventListener("abort", onAbort);
    }
    const [response, body] = Array.isArray(answer)
      ? (answer as [PackageResponse, unknown])
      : [undefined, answer];
    const header = response?.headers?.["x-consul-index"];
    const index = typeof header === "string" && /^\d+$/.test(header) ? Number(header) : 0;
    const type = String(response?.headers?.["content-type"] ?? "")
      .split(";")[0]
      ?.trim();
    const decoded = type === "application/json" || type === "text/json";
    return { body: decoded ? (body ?? null) : this.#json(body, call), index };
  }

  #failureOf(error: unknown, timeoutMs: number): ConsulFailure {
    const flags = error as {
      isTimeout?: boolean;
      isCodec?: boolean;
      isResponse?: boolean;
      response?: PackageResponse;
    };
    if (flags.isTimeout === true) return { kind: "timeout", error, timeoutMs };
    if (flags.isCodec === true) return { kind: "malformed", detail: "body is not JSON" };
    if (flags.isResponse === true && flags.response !== undefined) {
      return { kind: "status", status: flags.response.statusCode ?? 0, body: textOf(flags.response.body) };
    }
    return transportFailure(error);
  }

  /** The package decodes JSON only when Consul says `application/json`; anything else must still be JSON. */
  #json(body: unknown, call: Call): unknown {
    if (body === undefined || body === null) return null;
    const text = typeof body === "string" || Buffer.isBuffer(body) ? body.toString() : JSON.stringify(body);
    if (text === "") return null;
    try {
      return JSON.parse(text);
    } catch {
      throw this.#fail({ kind: "malformed", detail: "body is not JSON" }, call.method, call.path);
    }
  }
}
