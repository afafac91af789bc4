/** The Consul adapter's own shapes (camelCase), independent of Consul's wire format. Types only. */

/** A health check's status. Consul's `maintenance` is `critical` on the wire. */
export type HealthStatus = "passing" | "warning" | "critical";

/** A blocking query's answer: the value and the `X-Consul-Index` to pass as `index` next time. */
export interface Blocking<T> {
  value: T;
  index: number;
}

/** Options of every blocking read. */
export interface BlockingOptions {
  /** Wait for a change after this index; 0 or absent answers at once. See `nextBlockingIndex`. */
  index?: number;
  /** How long Consul may hold the query (Consul: default 5 min, max 10 min, plus up to 1/16 jitter). */
  waitMs?: number;
  signal?: AbortSignal;
}

/** Options of every non-blocking call. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** A node in the catalog. */
export interface ConsulNode {
  name: string;
  /** Empty for external nodes registered without an ID. */
  id: string;
  address: string;
  datacenter: string;
  taggedAddresses: Record<string, string>;
  meta: Record<string, string>;
}

/** A service instance on a node. */
export interface ConsulServiceInstance {
  id: string;
  name: string;
  tags: string[];
  /** Empty means "the node's address". */
  address: string;
  port: number;
  meta: Record<string, string>;
  createIndex: number;
  modifyIndex: number;
}

/** A health check on a node (node-level when `serviceId` is empty). */
export interface ConsulHealthCheck {
  node: string;
  checkId: string;
  name: string;
  status: HealthStatus;
  serviceId: string;
  serviceName: string;
  notes: string;
  output: string;
}

/** One row of a health query: instance, its node, its checks, and their combined status. */
export interface HealthServiceEntry {
  node: ConsulNode;
  service: ConsulServiceInstance;
  checks: ConsulHealthCheck[];
  /** The worst status among `checks` (node and service checks); `passing` when there are none. */
  status: HealthStatus;
}

/** One row of a catalog service query. */
export interface CatalogServiceEntry {
  node: ConsulNode;
  service: ConsulServiceInstance;
}

/** A node and every service instance on it. */
export interface NodeServices {
  node: ConsulNode;
  services: ConsulServiceInstance[];
}

/** A check to register with a service or node. */
export interface CheckRegistration {
  checkId: string;
  name: string;
  status: HealthStatus;
  /** Links the check to a service on the same node; empty for a node check. */
  serviceId?: string;
  notes?: string;
  output?: string;
}

/** A catalog registration: a node, optionally one service and its checks. Upserts by node name and service ID. */
export interface CatalogRegistration {
  node: string;
  address: string;
  nodeId?: string;
  nodeMeta?: Record<string, string>;
  taggedAddresses?: Record<string, string>;
  /** Leave an existing node's address and meta alone (Consul's `SkipNodeUpdate`). */
  skipNodeUpdate?: boolean;
  service?: {
    /** Defaults to `name`. */
    id?: string;
    name: string;
    tags?: string[];
    address?: string;
    port?: number;
    meta?: Record<string, string>;
  };
  checks?: CheckRegistration[];
}

/** What to remove: a service (with its checks), a check, or, with neither, the whole node. */
export interface CatalogDeregistration {
  node: string;
  serviceId?: string;
  checkId?: string;
}
