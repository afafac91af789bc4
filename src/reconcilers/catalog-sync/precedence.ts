/**
 * Which CatalogSync a reader should look at for a Cloud Map namespace (DESIGN 10, Sync timing). The owner is
 * decided by the controller (namespace-owner.ts); readers without the owner item (the FargateService's
 * ConsulRegistered) find it through what the controller wrote on the status: the one syncing, never by anything a
 * spec writer controls (creationTimestamp, a name that sorts first). Pure.
 */
import type { StoredResource } from "../../store/types.js";

/** `namespace/name` of the CloudMapNamespace a record's `ref` names (namespace defaults to the referrer's). */
export function namespaceRefKey(ref: unknown, referrerNamespace: string): string | undefined {
  if (typeof ref !== "object" || ref === null) return undefined;
  const { name, namespace } = ref as { name?: unknown; namespace?: unknown };
  if (typeof name !== "string") return undefined;
  return `${typeof namespace === "string" ? namespace : referrerNamespace}/${name}`;
}

/** Ready reasons of a CatalogSync that does not sync (the controller's own words on its status). */
const IDLE_REASONS: ReadonlySet<string> = new Set([
  "NamespaceAlreadySynced",
  "NamespaceNotReady",
  "PolicyViolation",
  "InsecureConsulAddress",
  "TokenSourceNotAllowed",
  "InvalidSpec",
]);

/** True when the controller's status says `record` syncs its namespace (it was admitted as the owner). */
export function reportsSyncing(record: StoredResource): boolean {
  const status = record.status;
  if (typeof status?.namespaceId !== "string") return false;
  const conditions = Array.isArray(status.conditions)
    ? (status.conditions as Array<Record<string, unknown>>)
    : [];
  const ready = conditions.find((c) => c.type === "Ready");
  return typeof ready?.reason !== "string" || !IDLE_REASONS.has(ready.reason);
}

/**
 * The live (not deleting) CatalogSyncs among `records` that sync the CloudMapNamespace `refKey` or, by its
 * status, the Cloud Map namespace `namespaceId`; the one the controller reports syncing first, then by name.
 */
export function catalogSyncsOf(
  records: readonly StoredResource[],
  refKey: string,
  namespaceId?: string,
): StoredResource[] {
  const name = (r: StoredResource) => `${r.metadata.namespace}/${r.metadata.name}`;
  return records
    .filter((r) => r.kind === "CatalogSync" && r.metadata.deletionTimestamp === undefined)
    .filter((r) => {
      const key = namespaceRefKey(r.spec.cloudMapNamespaceRef, r.metadata.namespace);
      const id = r.status?.namespaceId;
      return key === refKey || (namespaceId !== undefined && id === namespaceId);
    })
    .sort((a, b) => Number(reportsSyncing(b)) - Number(reportsSyncing(a)) || name(a).localeCompare(name(b)));
}
