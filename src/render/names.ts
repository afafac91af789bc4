/** Names, tags and endpoints every renderer shares (DESIGN 10, Names). Pure. */
import { createHash } from "node:crypto";
import type { FargateServiceSpec } from "../crds/index.js";

/** What a renderer knows besides the spec. `accountId` is a placeholder offline. */
export interface RenderContext {
  region: string;
  accountId?: string;
  /** `dnsName` of the referenced CloudMapNamespace, when resolved. */
  namespaceDnsName?: string;
  metadata: RenderMetadata;
}

/** The record identity a render is stamped with. */
export interface RenderMetadata {
  name: string;
  namespace: string;
  uid: string;
  generation: number;
  /** Stamped by the controller before its first create; tells incarnations of one key (one uid) apart. */
  creationTimestamp?: string;
}

/** Account id used when none is known (offline render). */
export const PLACEHOLDER_ACCOUNT_ID = "000000000000";

/** Tag keys the operator writes. */
export const TagKey = {
  Uid: "fargate-operator:uid",
  Namespace: "fargate-operator:namespace",
  Name: "fargate-operator:name",
  Hash: "fargate-operator:hash",
  /**
   * On a FargateService's ECS service and Cloud Map service: its `deletionPolicy` (Delete|Retain), so the orphan
   * sweep knows it after a restart, when no spec of the vanished record is left to read.
   */
  DeletionPolicy: "fargate-operator:deletion-policy",
  /**
   * On a FargateService's ECS service: "true" once `spec.autoscaling` registered a scalable target for it, so the
   * orphan sweep deregisters that target (and calls Application Auto Scaling only for such services).
   */
  Autoscaling: "fargate-operator:autoscaling",
  /** On a FargateService's Cloud Map service: "true" when `discovery.consul.register` asks for a Consul mirror. */
  ConsulRegister: "fargate-operator:consul-register",
  /** On a FargateService's Cloud Map service: the Consul service name (before the CatalogSync's prefix). */
  ConsulName: "fargate-operator:consul-name",
  /** On a FargateService's Cloud Map service: the Consul tags, space-separated. */
  ConsulTags: "fargate-operator:consul-tags",
  /** On a FargateService's Cloud Map service: the port Consul registrations get when ECS records none (A only). */
  ConsulPort: "fargate-operator:consul-port",
  /** Prefix of one tag per Consul meta entry: `fargate-operator:consul-meta.<key>` = value. */
  ConsulMetaPrefix: "fargate-operator:consul-meta.",
  /** On Cloud Map services and instances the catalog sync created: the CatalogSync's uid. */
  SyncOwner: "fargate-operator:catalog-sync",
} as const;

/** ECS task-definition family and ECS service name: `<namespace>-<name>`. */
export function ecsName(metadata: Pick<RenderMetadata, "name" | "namespace">): string {
  return `${metadata.namespace}-${metadata.name}`;
}

/** Cloud Map service name: `discovery.cloudMap.serviceName` or `metadata.name`. */
export function cloudMapServiceName(
  spec: FargateServiceSpec,
  metadata: Pick<RenderMetadata, "name">,
): string {
  return spec.discovery?.cloudMap?.serviceName ?? metadata.name;
}

/** Ownership tags as `[key, value]` pairs, in a fixed order. */
export function ownershipTags(metadata: RenderMetadata): Array<[string, string]> {
  return [
    [TagKey.Uid, metadata.uid],
    [TagKey.Namespace, metadata.namespace],
    [TagKey.Name, metadata.name],
  ];
}

/** The user's tags of a spec (`spec.tags`), sorted by key; they come before ours in every tag list. */
export function userTags(spec: Pick<FargateServiceSpec, "tags">): Array<[string, string]> {
  return Object.entries(spec.tags ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The user's tags of a task-definition revision: `spec.taskDefinitionTags` merged over `spec.tags`, sorted. */
export function taskDefinitionUserTags(
  spec: Pick<FargateServiceSpec, "tags" | "taskDefinitionTags">,
): Array<[string, string]> {
  return userTags({ tags: { ...spec.tags, ...spec.taskDefinitionTags } });
}

/** The deletion-policy tag of a spec: `[TagKey.DeletionPolicy, "Delete" | "Retain"]`. */
export function deletionPolicyTag(spec: Pick<FargateServiceSpec, "deletionPolicy">): [string, string] {
  return [TagKey.DeletionPolicy, spec.deletionPolicy === "Retain" ? "Retain" : "Delete"];
}

/**
 * ECS idempotency token for one generation of one incarnation of a record (ECS allows at most 36 characters).
 * The uid names the key, so a record deleted and written again (generation 1 again) would otherwise send the
 * token of its earlier incarnation's create; the creation time tells them apart.
 */
export function clientTokenOf(
  metadata: Pick<RenderMetadata, "uid" | "generation" | "creationTimestamp">,
): string {
  const incarnation = metadata.creationTimestamp ?? "";
  return createHash("sha256")
    .update(`${metadata.uid}:${incarnation}:${metadata.generation}`)
    .digest("hex")
    .slice(0, 36);
}

/** Both DNS names of a service (DESIGN 10): absent parts are left out. */
export interface Endpoints {
  cloudMap?: string;
  consul?: string;
}

/**
 * `{cloudMap: <cloud map name>.<dnsName>, consul: <consul name>.service.consul}`; `consulPrefix` is the
 * CatalogSync's `toConsul.prefix`.
 */
export function renderEndpoints(
  spec: FargateServiceSpec,
  metadata: Pick<RenderMetadata, "name">,
  namespaceDnsName: string | undefined,
  consulPrefix = "",
): Endpoints {
  const cloudMap = spec.discovery?.cloudMap;
  if (cloudMap === undefined) return {};
  const name = cloudMapServiceName(spec, metadata);
  const out: Endpoints = {};
  if (namespaceDnsName !== undefined) out.cloudMap = `${name}.${namespaceDnsName}`;
  const consul = spec.discovery?.consul;
  if (consul?.register === true) out.consul = `${consulPrefix}${consul.serviceName ?? name}.service.consul`;
  return out;
}
