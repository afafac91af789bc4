/**
 * Names, ids and ownership markers the sync engine writes (DESIGN 6). Every id is derived from what it stands for,
 * so a restarted engine finds its own work again instead of writing a second copy. Pure.
 */
import { createHash } from "node:crypto";
import type { TagMap } from "../aws/types.js";
import { TagKey } from "../render/names.js";

/** Consul meta keys and Cloud Map instance attribute keys the engine writes. */
export const SyncKey = {
  /** Ownership marker on both sides: the CatalogSync's uid (Consul service meta, Cloud Map instance attribute). */
  Owner: "fargate-operator-sync",
  /** Consul's conventional meta key naming who registered a service (also on the synthetic node). */
  ExternalSource: "external-source",
  /** Consul meta: the Cloud Map service the registration mirrors. */
  CloudMapServiceId: "cloudmap-service-id",
  /** Consul meta: the Cloud Map namespace (DNS name) of that service. */
  CloudMapNamespace: "cloudmap-namespace",
  /** Consul meta: the Cloud Map instance id. */
  CloudMapInstanceId: "cloudmap-instance-id",
  /** Consul meta: the ECS service that registered the instance (ECS deregisters only stopped tasks). */
  EcsService: "cloudmap-ecs-service",
  /** Cloud Map attribute: the Consul node of the mirrored instance. */
  ConsulNode: "consul-node",
  /** Cloud Map attribute: the Consul service id of the mirrored instance. */
  ConsulServiceId: "consul-service-id",
} as const;

/** The `external-source` value of everything the engine registers in Consul. */
export const EXTERNAL_SOURCE = "fargate-operator";

/** Cloud Map attributes ECS writes on the instances of its services. */
export const ECS_ATTRIBUTES = ["ECS_SERVICE_NAME", "ECS_CLUSTER_NAME"] as const;

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** The lease one writer per Cloud Map namespace holds (whichever CatalogSync or process runs the engine). */
export function syncLeaseName(namespaceId: string): string {
  return `catalog-sync/${namespaceId}`;
}

/** Cloud Map instance id of a Consul instance: `c-` + 16 hex of sha256(node/serviceID), stable and short. */
export function cloudMapInstanceId(node: string, serviceId: string): string {
  return `c-${sha256(`${node}/${serviceId}`).slice(0, 16)}`;
}

/** CreatorRequestId of a Cloud Map service the engine creates: a retried create never makes a second one. */
export function syncCreatorRequestId(uid: string, cloudMapName: string): string {
  return `catalog-sync-${sha256(`${uid}/${cloudMapName}`).slice(0, 32)}`;
}

/** The one synthetic Consul node per namespace that holds every Cloud Map instance (a DNS-safe node name). */
export function syncNodeName(dnsName: string): string {
  return `fargate-operator-${dnsName.replace(/[^A-Za-z0-9-]+/g, "-").replace(/-+$/, "")}`;
}

/**
 * Consul service ID of a Cloud Map instance: `<cloud map service name>:<instance id>`. Instance ids are unique
 * only within their service (hand-made ones often repeat), and Cloud Map names are unique in a namespace.
 */
export function consulServiceIdOf(cloudMapName: string, instanceId: string): string {
  return `${cloudMapName}:${instanceId}`;
}

/** The check the engine registers with each mirrored instance. */
export function syncCheckIdOf(consulServiceId: string): string {
  return `fargate-operator:${consulServiceId}`;
}

/** True for a Cloud Map service this CatalogSync created (tagged with its uid); nothing else is ever changed. */
export function isOwnService(tags: Readonly<TagMap> | undefined, uid: string): boolean {
  return tags?.[TagKey.SyncOwner] === uid;
}

/**
 * True for a Consul registration or Cloud Map instance this CatalogSync wrote (meta/attribute carrying its
 * uid). `external-source: fargate-operator` alone, or another uid, is someone else's.
 */
export function isOwnEntry(metaOrAttributes: Readonly<Record<string, string>>, uid: string): boolean {
  return metaOrAttributes[SyncKey.Owner] === uid;
}
