/**
 * Which CatalogSync syncs a Cloud Map namespace (DESIGN 10, Sync timing): one per namespace; when several name the
 * same one, the oldest (creationTimestamp, then namespace/name) wins and the others are NamespaceAlreadySynced.
 * Pure; the CatalogSync reconciler and the FargateService's ConsulRegistered both read it.
 */
import type { ObjectMeta } from "../../crds/meta.js";
import type { StoredResource } from "../../store/types.js";

/** `namespace/name` of the CloudMapNamespace a record's `ref` names (namespace defaults to the referrer's). */
export function namespaceRefKey(ref: unknown, referrerNamespace: string): string | undefined {
  if (typeof ref !== "object" || ref === null) return undefined;
  const { name, namespace } = ref as { name?: unknown; namespace?: unknown };
  if (typeof name !== "string") return undefined;
  return `${typeof namespace === "string" ? namespace : referrerNamespace}/${name}`;
}

/** Negative when `a` takes precedence over `b`. */
export function compareSyncPrecedence(
  a: Pick<ObjectMeta, "creationTimestamp" | "namespace" | "name">,
  b: Pick<ObjectMeta, "creationTimestamp" | "namespace" | "name">,
): number {
  // A record the controller has not stamped yet is the newest: it cannot displace one already syncing.
  const at = (t: string | undefined): number => (t === undefined ? Number.POSITIVE_INFINITY : Date.parse(t));
  const byAge = at(a.creationTimestamp) - at(b.creationTimestamp);
  if (byAge !== 0 && !Number.isNaN(byAge)) return byAge;
  return `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`);
}

/**
 * The live (not deleting) CatalogSyncs among `records` that sync the CloudMapNamespace `refKey` or, by its
 * status, the Cloud Map namespace `namespaceId`; the one that syncs it first.
 */
export function catalogSyncsOf(
  records: readonly StoredResource[],
  refKey: string,
  namespaceId?: string,
): StoredResource[] {
  return records
    .filter((r) => r.kind === "CatalogSync" && r.metadata.deletionTimestamp === undefined)
    .filter((r) => {
      const key = namespaceRefKey(r.spec.cloudMapNamespaceRef, r.metadata.namespace);
      const id = r.status?.namespaceId;
      return key === refKey || (namespaceId !== undefined && id === namespaceId);
    })
    .sort((a, b) => compareSyncPrecedence(a.metadata, b.metadata));
}
