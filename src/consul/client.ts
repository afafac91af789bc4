/**
 * The project's Consul HTTP client, over `fetch`: exactly the calls the catalog sync engine needs. Every failure
 * leaves as one of the errors in errors.ts; a caller's abort leaves as the signal's own reason, untranslated.
 */

import {
  decodeCatalogService,
  decodeHealthEntries,
  decodeLeader,
  decodeNodeServices,
  decodeServiceList,
  MalformedConsulResponse,
} from "./decode.js";
import { type ConsulFailure, translateConsulError } from "./errors.js";
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

/** How to reach Consul. */
export interface ConsulClientOptions {
  /** `host:port` (as `CONSUL_HTTP_ADDR`) or a full `http(s)://host:port` URL. */
  address: string;
  /** Sent as `X-Consul-Token`; never in a URL, message or log. */
  token?: string;
  /** Sent as `?dc=` on every call when set; otherwise Consul uses its own datacenter. */
  datacenter?: string;
  /** Limit for non-blocking calls, and the margin added to a blocking call's wait; default 10 s. */
  requestTimeoutMs?: number;
  /** The `fetch` to use; the global one by default. */
  fetch?: typeof fetch;
}

/** Consul's default wait when a blocking call gives none. */
const CONSUL_DEFAULT_WAIT_MS = 5 * 60_000;

interface Call {
  method: "GET" | "PUT";
  path: string;
  query?: Record<string, string | string[] | undefined>;
  body?: unknown;
  signal: AbortSignal | undefined;
  timeoutMs: number;
}

/** A Consul HTTP API client. */
export class ConsulClient {
  readonly #baseUrl: string;
  readonly #address: string;
  readonly #token: string | undefined;
  readonly #datacenter: string | undefined;
  readonly #requestTimeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: ConsulClientOptions) {
    const base = /^https?:\/\//.test(options.address) ? options.address : `http://${options.address}`;
    this.#baseUrl = base.replace(/\/+$/, "");
    this.#address = new URL(this.#baseUrl).host;
    this.#token = options.token === "" ? undefined : options.token;
    this.#datacenter = options.datacenter === "" ? undefined : options.datacenter;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#fetch = options.fetch ?? fetch;
  }

  /** `host:port` of the Consul this client talks to. */
  get address(): string {
    return this.#address;
  }

  /** Service names and their tags (`/v1/catalog/services`); blocks on any catalog service change. */
  async listServices(options: BlockingOptions = {}): Promise<Blocking<Record<string, string[]>>> {
    return this.#blocking("/v1/catalog/services", {}, options, decodeServiceList);
  }

  /** Instances of `name` with their checks (`/v1/health/service/:name`); blocks on changes to that service. */
  async healthService(
    name: string,
    options: BlockingOptions & { passingOnly?: boolean; tags?: string[] } = {},
  ): Promise<Blocking<HealthServiceEntry[]>> {
    const query = { passing: options.passingOnly ? "true" : undefined, tag: options.tags };
    return this.#blocking(`/v1/health/service/${segment(name)}`, query, options, decodeHealthEntries);
  }

  /** Instances of `name` without health (`/v1/catalog/service/:name`); blocks on changes to that service. */
  async catalogService(
    name: string,
    options: BlockingOptions & { tags?: string[] } = {},
  ): Promise<Blocking<CatalogServiceEntry[]>> {
    return this.#blocking(
      `/v1/catalog/service/${segment(name)}`,
      { tag: options.tags },
      options,
      decodeCatalogService,
    );
  }

  /** A node and its services (`/v1/catalog/node/:node`); `undefined` when the node is not registered. */
  async nodeServices(node: string, options: CallOptions = {}): Promise<NodeServices | undefined> {
    const path = `/v1/catalog/node/${segment(node)}`;
    const { body } = await this.#call({
      method: "GET",
      path,
      signal: options.signal,
      timeoutMs: this.#requestTimeoutMs,
    });
    return this.#decode(body, decodeNodeServices, "GET", path);
  }

  /** Registers (upserts) a node, optionally a service and checks (`PUT /v1/catalog/register`). */
  async register(registration: CatalogRegistration, options: CallOptions = {}): Promise<void> {
    const path = "/v1/catalog/register";
    if (registration.node === "" || registration.address === "") {
      throw this.#fail({ kind: "invalid-input", detail: "node and address are required" }, "PUT", path);
    }
    const service = registration.service;
    const body = {
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
    await this.#call({
      method: "PUT",
      path,
      body,
      signal: options.signal,
      timeoutMs: this.#requestTimeoutMs,
    });
  }

  /** Removes a service, a check, or a whole node (`PUT /v1/catalog/deregister`). */
  async deregister(deregistration: CatalogDeregistration, options: CallOptions = {}): Promise<void> {
    const path = "/v1/catalog/deregister";
    if (deregistration.node === "")
      throw this.#fail({ kind: "invalid-input", detail: "node is required" }, "PUT", path);
    const body = {
      Node: deregistration.node,
      ServiceID: deregistration.serviceId,
      CheckID: deregistration.checkId,
    };
    await this.#call({
      method: "PUT",
      path,
      body,
      signal: options.signal,
      timeoutMs: this.#requestTimeoutMs,
    });
  }

  /** The raft leader's `host:port` (`/v1/status/leader`); empty while there is none. A cheap liveness probe. */
  async leader(options: CallOptions = {}): Promise<string> {
    const path = "/v1/status/leader";
    const { body } = await this.#call({
      method: "GET",
      path,
      signal: options.signal,
      timeoutMs: this.#requestTimeoutMs,
    });
    return this.#decode(body, decodeLeader, "GET", path);
  }

  async #blocking<T>(
    path: string,
    query: Record<string, string | string[] | undefined>,
    options: BlockingOptions,
    decode: (body: unknown) => T,
  ): Promise<Blocking<T>> {
    const blocking = options.index !== undefined && options.index > 0;
    const waitMs = options.waitMs;
    const fullQuery = {
      ...query,
      index: blocking ? String(options.index) : undefined,
      wait: blocking && waitMs !== undefined ? `${Math.max(1, Math.ceil(waitMs))}ms` : undefined,
    };
    // Consul may hold the call for the wait plus 1/16 jitter; past that plus a margin, it is unreachable.
    const held = blocking ? Math.min(waitMs ?? CONSUL_DEFAULT_WAIT_MS, 10 * 60_000) : 0;
    const timeoutMs = Math.ceil(held * (17 / 16)) + this.#requestTimeoutMs;
    const { body, index } = await this.#call({
      method: "GET",
      path,
      query: fullQuery,
      signal: options.signal,
      timeoutMs,
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
    return translateConsulError(
      failure,
      { method, path, address: this.#address },
      this.#token ? [this.#token] : [],
    );
  }

  async #call(call: Call): Promise<{ body: unknown; index: number }> {
    const url = new URL(this.#baseUrl + call.path);
    for (const [key, value] of Object.entries({ ...call.query, dc: this.#datacenter })) {
      for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value])
        url.searchParams.append(key, item);
    }
    const headers: Record<string, string> = { Accept: "application/json" };
    if (this.#token) headers["X-Consul-Token"] = this.#token;
    if (call.body !== undefined) headers["Content-Type"] = "application/json";
    const timeout = AbortSignal.timeout(call.timeoutMs);
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
    const init: RequestInit = { method: call.method, headers, signal };
    if (call.body !== undefined) init.body = JSON.stringify(call.body);
    let status: number;
    let text: string;
    let indexHeader: string | null;
    try {
      const response = await this.#fetch(url, init);
      status = response.status;
      indexHeader = response.headers.get("X-Consul-Index");
      text = await response.text();
    } catch (error) {
      // The caller's own abort is not a Consul failure: hand back the caller's reason untouched.
      if (call.signal?.aborted) throw call.signal.reason;
      if (timeout.aborted)
        throw this.#fail({ kind: "timeout", error, timeoutMs: call.timeoutMs }, call.method, call.path);
      throw this.#fail({ kind: "network", error }, call.method, call.path);
    }
    if (status < 200 || status > 299)
      throw this.#fail({ kind: "status", status, body: text }, call.method, call.path);
    let body: unknown;
    try {
      body = text === "" ? null : JSON.parse(text);
    } catch {
      throw this.#fail({ kind: "malformed", detail: "body is not JSON" }, call.method, call.path);
    }
    const index = indexHeader !== null && /^\d+$/.test(indexHeader) ? Number(indexHeader) : 0;
    return { body, index };
  }
}

// Names go in one path segment; Consul decodes it back.
const segment = (name: string): string => encodeURIComponent(name);
