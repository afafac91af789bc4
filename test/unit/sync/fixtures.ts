/** Builders of the planners' inputs for the sync unit tests. */
import type { CloudMapHealthStatus, TagMap } from "../../../src/aws/types.js";
import type { HealthStatus } from "../../../src/consul/types.js";
import { TagKey } from "../../../src/render/names.js";
import type {
  CloudMapSnapshot,
  ConsulInstance,
  ConsulServiceState,
  ConsulSnapshot,
  ObservedService,
  OwnedRegistration,
} from "../../../src/sync/model.js";
import type { SyncDirectionSettings } from "../../../src/sync/types.js";

export const UID = "uid-ours";
export const OWNER = { uid: UID, namespace: "default", name: "sync" };
export const ALL: SyncDirectionSettings = { enabled: true, include: [], exclude: [], prefix: "" };

/** A Consul instance. */
export function consulInstance(
  node: string,
  serviceId: string,
  ip: string,
  status: HealthStatus = "passing",
) {
  const instance: ConsulInstance = {
    node,
    nodeAddress: "10.255.0.1",
    serviceId,
    address: ip,
    port: 8200,
    meta: {},
    status,
  };
  return instance;
}

/** A Consul snapshot with these services (all known and fresh unless said). */
export function consulSnapshot(
  services: Record<string, ConsulInstance[]>,
  overrides: Partial<ConsulSnapshot> = {},
  state: Partial<ConsulServiceState> = {},
): ConsulSnapshot {
  return {
    listKnown: true,
    listFresh: true,
    names: new Set(["consul", ...Object.keys(services)]),
    services: new Map(
      Object.entries(services).map(([name, instances]) => [
        name,
        { known: true, fresh: true, instances, ...state },
      ]),
    ),
    ...overrides,
  };
}

/** A Cloud Map service. */
export function service(
  id: string,
  name: string,
  tags: TagMap | undefined,
  instances: Record<string, Record<string, string>> | undefined = {},
  health: Record<string, CloudMapHealthStatus> = {},
  extra: Partial<ObservedService> = {},
): ObservedService {
  return {
    id,
    arn: `arn:aws:servicediscovery:us-east-1:123456789012:service/${id}`,
    name,
    dnsRecords: [
      { Type: "A", TTL: 10 },
      { Type: "SRV", TTL: 10 },
    ],
    healthCheck: "custom",
    ...(tags === undefined ? {} : { tags }),
    ...(instances === undefined ? {} : { instances: new Map(Object.entries(instances)) }),
    health,
    fresh: true,
    ...extra,
  };
}

/** One of our services (tagged with our uid). */
export function ours(
  id: string,
  name: string,
  instances: Record<string, Record<string, string>> = {},
  health: Record<string, CloudMapHealthStatus> = {},
  extra: Partial<ObservedService> = {},
): ObservedService {
  return service(id, name, { [TagKey.SyncOwner]: UID }, instances, health, extra);
}

/** The namespace as read. */
export function cloudMapSnapshot(services: ObservedService[], gone: string[] = []): CloudMapSnapshot {
  return { known: true, services, gone: new Set(gone) };
}

/** A registration of ours in Consul. */
export function registration(
  serviceId: string,
  name: string,
  cloudMapServiceId: string,
  extra: Partial<OwnedRegistration> = {},
): OwnedRegistration {
  return {
    serviceId,
    name,
    tags: [],
    address: "10.1.0.1",
    port: 0,
    meta: { "fargate-operator-sync": UID, "cloudmap-service-id": cloudMapServiceId },
    checkStatus: "passing",
    ...extra,
  };
}
