/** Consul's JSON shapes, field for field as Consul's HTTP API writes them (PascalCase). Types only. */

/** A health check's status; Consul's `maintenance` checks are `critical` on the wire. */
export type CheckStatus = "passing" | "warning" | "critical";

/** The statuses Consul accepts, in order from best to worst. */
export const CHECK_STATUSES: readonly CheckStatus[] = ["passing", "warning", "critical"];

/** A node as `/v1/catalog/nodes` and `/v1/health/service/:name` return it. */
export interface NodeWire {
  ID: string;
  Node: string;
  Address: string;
  Datacenter: string;
  TaggedAddresses: Record<string, string>;
  Meta: Record<string, string>;
  CreateIndex: number;
  ModifyIndex: number;
}

/** Service weights, used by Consul DNS. */
export interface WeightsWire {
  Passing: number;
  Warning: number;
}

/** A service instance on a node, as `/v1/health/service/:name` and `/v1/catalog/node/:node` return it. */
export interface ServiceWire {
  ID: string;
  Service: string;
  Tags: string[];
  Address: string;
  TaggedAddresses: Record<string, { Address: string; Port: number }>;
  Meta: Record<string, string>;
  Port: number;
  Weights: WeightsWire;
  EnableTagOverride: boolean;
  Kind: string;
  CreateIndex: number;
  ModifyIndex: number;
}

/** A health check, as `/v1/health/checks/:service` returns it. */
export interface CheckWire {
  Node: string;
  CheckID: string;
  Name: string;
  Status: CheckStatus;
  Notes: string;
  Output: string;
  ServiceID: string;
  ServiceName: string;
  ServiceTags: string[];
  Type: string;
  Interval: string;
  Timeout: string;
  ExposedPort: number;
  Definition: Record<string, never>;
  CreateIndex: number;
  ModifyIndex: number;
}

/** One row of `/v1/catalog/service/:name`: the node and the service flattened together. */
export interface ServiceNodeWire {
  ID: string;
  Node: string;
  Address: string;
  Datacenter: string;
  TaggedAddresses: Record<string, string>;
  NodeMeta: Record<string, string>;
  ServiceKind: string;
  ServiceID: string;
  ServiceName: string;
  ServiceTags: string[];
  ServiceAddress: string;
  ServiceTaggedAddresses: Record<string, { Address: string; Port: number }>;
  ServiceWeights: WeightsWire;
  ServiceMeta: Record<string, string>;
  ServicePort: number;
  ServiceEnableTagOverride: boolean;
  CreateIndex: number;
  ModifyIndex: number;
}

/** One row of `/v1/health/service/:name`. */
export interface HealthEntryWire {
  Node: NodeWire;
  Service: ServiceWire;
  Checks: CheckWire[];
}

/** The body of `/v1/catalog/node/:node` (Consul answers `null` for an unknown node). */
export interface NodeServicesWire {
  Node: NodeWire;
  Services: Record<string, ServiceWire>;
}
