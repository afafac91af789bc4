/** The Cloud Map CreateService input of a FargateService with `discovery.cloudMap`, and its tags. Pure. */
import type { CreateServiceCommandInput } from "@aws-sdk/client-servicediscovery";
import type { FargateServiceSpec } from "../crds/index.js";
import { RenderError } from "./errors.js";
import {
  cloudMapServiceName,
  deletionPolicyTag,
  ownershipTags,
  type RenderContext,
  TagKey,
  userTags,
} from "./names.js";

/** Cloud Map's tag limits: 50 per resource, keys 1–128 and values 0–256 characters of this set. */
const MAX_TAGS = 50;
const MAX_KEY_LENGTH = 128;
const MAX_VALUE_LENGTH = 256;
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/**
 * The Consul mirror's instructions as tags (the CatalogSync reads them): `consul-register` "true", the Consul
 * name, the Consul tags space-separated, one `consul-meta.<key>` per meta entry. Empty without
 * `discovery.consul.register`. A tag Cloud Map cannot store is a RenderError naming the field.
 */
export function consulTagsOf(spec: FargateServiceSpec, metadata: { name: string }): Array<[string, string]> {
  const consul = spec.discovery?.consul;
  if (consul === undefined || !consul.register) return [];
  const out: Array<[string, string]> = [
    [TagKey.ConsulRegister, "true"],
    [TagKey.ConsulName, consul.serviceName ?? cloudMapServiceName(spec, metadata)],
  ];
  if (consul.tags.length > 0) out.push([TagKey.ConsulTags, consul.tags.join(" ")]);
  // A-only services: ECS registers no port, so Consul would get 0; the SRV target's port is the service's port.
  const port = servicePortOf(spec);
  if (port !== undefined) out.push([TagKey.ConsulPort, String(port)]);
  for (const [key, value] of Object.entries(consul.meta).sort(([a], [b]) => a.localeCompare(b))) {
    out.push([`${TagKey.ConsulMetaPrefix}${key}`, value]);
  }
  for (const [key, value] of out) {
    const field = key.startsWith(TagKey.ConsulMetaPrefix)
      ? `discovery.consul.meta.${key.slice(TagKey.ConsulMetaPrefix.length)}`
      : "discovery.consul.tags";
    if (key.length > MAX_KEY_LENGTH || !TAG_TEXT.test(key)) {
      throw new RenderError(
        `${field}: the key does not fit a Cloud Map tag key (${MAX_KEY_LENGTH - TagKey.ConsulMetaPrefix.length} characters at most)`,
      );
    }
    if (value.length > MAX_VALUE_LENGTH || !TAG_TEXT.test(value)) {
      throw new RenderError(
        `${field}: the value does not fit a Cloud Map tag value (at most ${MAX_VALUE_LENGTH} characters of letters, digits, spaces and _ . : / = + - @)`,
      );
    }
  }
  return out;
}

/** The port a Consul registration of this service carries: `cloudMap.port`, else the first container port. */
function servicePortOf(spec: FargateServiceSpec): number | undefined {
  const wanted = spec.discovery?.cloudMap?.port;
  if (wanted !== undefined) return wanted;
  for (const container of spec.containers) {
    // The first single port (a port range has no one port to publish).
    const first = container.ports?.find((p) => p.containerPort !== undefined);
    if (first !== undefined) return first.containerPort;
  }
  return undefined;
}

/**
 * Every tag the Cloud Map service of `spec` carries: the user's, ownership, the deletion policy, then the Consul
 * mirror's instructions.
 */
export function renderCloudMapServiceTags(
  spec: FargateServiceSpec,
  context: RenderContext,
): Record<string, string> {
  const pairs = [
    ...userTags(spec),
    ...ownershipTags(context.metadata),
    deletionPolicyTag(spec),
    ...consulTagsOf(spec, context.metadata),
  ];
  if (pairs.length > MAX_TAGS) {
    throw new RenderError(
      `discovery.consul.meta: ${pairs.length} Cloud Map tags needed, at most ${MAX_TAGS} allowed (use fewer meta entries)`,
    );
  }
  return Object.fromEntries(pairs);
}

/**
 * MULTIVALUE routing with A (and SRV when asked) records at the spec's TTL and a custom health check (ECS reports
 * task health). `CreatorRequestId` is the record's uid, so a retried create never makes a second service.
 */
export function renderCloudMapService(
  spec: FargateServiceSpec,
  context: RenderContext,
  namespaceId: string,
): CreateServiceCommandInput {
  const cloudMap = spec.discovery?.cloudMap;
  if (cloudMap === undefined) throw new RenderError("spec.discovery.cloudMap is not set");
  const records = cloudMap.records.includes("SRV") ? (["A", "SRV"] as const) : (["A"] as const);
  return {
    Name: cloudMapServiceName(spec, context.metadata),
    NamespaceId: namespaceId,
    CreatorRequestId: context.metadata.uid,
    Description: `FargateService ${context.metadata.namespace}/${context.metadata.name}`,
    DnsConfig: {
      RoutingPolicy: "MULTIVALUE",
      DnsRecords: records.map((Type) => ({ Type, TTL: cloudMap.dnsTtl })),
    },
    HealthCheckCustomConfig: {},
    Tags: Object.entries(renderCloudMapServiceTags(spec, context)).map(([Key, Value]) => ({ Key, Value })),
  };
}
