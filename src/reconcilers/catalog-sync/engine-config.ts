/** The sync engine's configuration from a CatalogSync and its resolved namespace. Pure. */
import type { CatalogSyncSpec, SyncDirection } from "../../crds/catalog-sync.js";
import type { ObjectMeta } from "../../crds/index.js";
import type { SyncDirectionSettings, SyncEngineConfig } from "../../sync/types.js";

function direction(d: SyncDirection): SyncDirectionSettings {
  return { enabled: d.enabled, include: [...d.include], exclude: [...d.exclude], prefix: d.prefix };
}

/** The engine config of `spec` owned by the record `metadata`, syncing namespace `namespaceId`. */
export function engineConfigOf(
  metadata: Pick<ObjectMeta, "uid" | "namespace" | "name">,
  spec: CatalogSyncSpec,
  namespace: { namespaceId: string; dnsName: string },
): SyncEngineConfig {
  return {
    owner: { uid: metadata.uid, namespace: metadata.namespace, name: metadata.name },
    cloudMapNamespace: { id: namespace.namespaceId, dnsName: namespace.dnsName },
    ...(spec.consul?.datacenter === undefined ? {} : { datacenter: spec.consul.datacenter }),
    toCloudMap: direction(spec.toCloudMap),
    toConsul: direction(spec.toConsul),
    pollIntervalMs: spec.pollIntervalSeconds * 1000,
    deleteGraceMs: spec.deleteGraceSeconds * 1000,
  };
}
