/**
 * What the engine knows of both sides, as the pure planners read it. Every part says whether its last read
 * succeeded (`fresh`): a failed read keeps the last known state, and nothing that depends on it is written.
 * Types only.
 */
import type { CloudMapHealthStatus, DnsRecord, TagMap } from "../aws/types.js";
import type { HealthStatus } from "../consul/types.js";

/** One Cloud Map service of the namespace as last read. */
export interface ObservedService {
  id: string;
  arn: string;
  name: string;
  dnsRecords: DnsRecord[];
  healthCheck?: "custom" | "route53";
  /** Undefined until its tags were read once. */
  tags?: TagMap;
  /** Instance attributes by id; undefined until listed once (only services the engine cares about are listed). */
  instances?: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Health by instance id (absent: UNKNOWN). */
  health: Readonly<Record<string, CloudMapHealthStatus>>;
  /** False while the last read of this service failed. */
  fresh: boolean;
}

/** The namespace as last read. */
export interface CloudMapSnapshot {
  /** True once a ListServices succeeded. */
  known: boolean;
  services: readonly ObservedService[];
  /** Ids confirmed deleted (GetService: not found) after they left the list: deleted on purpose. */
  gone: ReadonlySet<string>;
}

/** One Consul service instance as the health endpoint showed it. */
export interface ConsulInstance {
  node: string;
  nodeAddress: string;
  serviceId: string;
  /** Empty means the node's address. */
  address: string;
  port: number;
  meta: Readonly<Record<string, string>>;
  /** Worst of its node and service checks. */
  status: HealthStatus;
}

/** One watched Consul service. */
export interface ConsulServiceState {
  /** True once a health read succeeded. */
  known: boolean;
  /** False while its watch fails. */
  fresh: boolean;
  instances: readonly ConsulInstance[];
}

/** The Consul catalog as the watches last saw it. */
export interface ConsulSnapshot {
  /** True once the service list was read. */
  listKnown: boolean;
  /** False while the service-list watch fails. */
  listFresh: boolean;
  /** Every service name in the catalog. */
  names: ReadonlySet<string>;
  /** The watched (included) services by name. */
  services: ReadonlyMap<string, ConsulServiceState>;
}

/** A registration of ours on the synthetic node, as Consul holds it. */
export interface OwnedRegistration {
  serviceId: string;
  name: string;
  tags: readonly string[];
  address: string;
  port: number;
  meta: Readonly<Record<string, string>>;
  /** Status of our check; undefined when the check is missing. */
  checkStatus?: HealthStatus;
}
