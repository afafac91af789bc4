/**
 * A CatalogSync's name claims (../name-claims.ts): every Cloud Map name its engine reports mirroring a Consul
 * service into is claimed for the CatalogSync, so the name stays reserved while its Cloud Map service is briefly
 * gone (the engine removes an emptied one, e.g. while Vault's instances are away from Consul) and no
 * FargateService takes `vault` in between. A claim lasts while the CatalogSync lives and its toCloudMap filters
 * export the name; its cleanup releases them. A name a FargateService claimed first stays the FargateService's
 * (the engine never writes into a Cloud Map service it did not create).
 */
import type { Logger } from "../../log.js";
import type { ResourceStore } from "../../store/types.js";
import { claimName, cloudMapName, type WantedName } from "../name-claims.js";
import type { CatalogSyncRecord } from "./context.js";

const ADVICE = "exclude it from spec.toCloudMap to give the name up";

function mirroredNames(record: CatalogSyncRecord): WantedName[] {
  const sync = record.status.sync;
  // Only the writing engine's report: a waiting engine (or none) mirrors nothing.
  if (sync?.writer !== true) return [];
  const ref = record.spec.cloudMapNamespaceRef;
  return sync.toCloudMap.map((m) => cloudMapName(ref, record.metadata.namespace, m.cloudMapName, ADVICE));
}

/** The claims of every CatalogSync this process reconciles (it remembers what it holds, so steady passes read nothing). */
export class SyncNameClaims {
  /** `<uid>/<generation>` → Cloud Map names claimed under that spec. */
  readonly #held = new Map<string, Set<string>>();

  /** Claims the Cloud Map names the record's last report says its engine mirrors. */
  async claimMirrored(store: ResourceStore, record: CatalogSyncRecord, log: Logger): Promise<void> {
    const key = `${record.metadata.uid}/${record.metadata.generation}`;
    for (const other of this.#held.keys())
      if (other.startsWith(`${record.metadata.uid}/`) && other !== key) this.#held.delete(other);
    const held = this.#held.get(key) ?? new Set<string>();
    this.#held.set(key, held);
    const { namespace, name, uid } = record.metadata;
    const owner = { kind: "CatalogSync" as const, namespace, name, uid };
    for (const wanted of mirroredNames(record)) {
      if (held.has(wanted.name)) continue;
      const holder = await claimName(store, owner, wanted);
      if (holder === undefined) held.add(wanted.name);
      else
        log.info(
          {
            cloudMapName: wanted.name,
            holder: `${holder.owner.kind} ${holder.owner.namespace}/${holder.owner.name}`,
          },
          "a Cloud Map name this CatalogSync mirrors into is claimed by another record",
        );
    }
  }

  /** Releases the record's claims (its cleanup finished). */
  async release(store: ResourceStore, record: CatalogSyncRecord): Promise<void> {
    const names = new Set(mirroredNames(record).map((w) => w.name));
    for (const [key, held] of this.#held) {
      if (!key.startsWith(`${record.metadata.uid}/`)) continue;
      for (const n of held) names.add(n);
      this.#held.delete(key);
    }
    const ref = record.spec.cloudMapNamespaceRef;
    for (const n of names) {
      const { scope } = cloudMapName(ref, record.metadata.namespace, n, ADVICE);
      await store.releaseClaim(scope, n, record.metadata.uid);
    }
  }
}
