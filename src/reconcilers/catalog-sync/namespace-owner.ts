/**
 * Which CatalogSync syncs a Cloud Map namespace (DESIGN 10 "Sync timing", 11 "NamespacePolicy"): the first one
 * the controller admits, recorded in an owner item only the controller writes (src/store/sync-owners.ts), kept
 * while that CatalogSync lives and references the namespace, released when it is deleted or withdraws. Nothing a
 * spec writer can put on a record (a creationTimestamp, a name that sorts first) reorders it. The others are
 * NamespaceAlreadySynced. A stale owner (its record gone, or referring elsewhere: read consistently) is taken over
 * with a put conditional on that owner, so two takers never both win.
 */
import type { Logger } from "../../log.js";
import { TemporaryError } from "../../runtime/errors.js";
import { NotFoundError } from "../../store/errors.js";
import type { SyncOwner } from "../../store/sync-owners.js";
import type { ResourceStore } from "../../store/types.js";
import type { CatalogSyncRecord, ExclusivityCheck } from "./context.js";
import type { SyncEngineRegistry } from "./engine-registry.js";
import { namespaceRefKey } from "./precedence.js";

/** Owner items with compare-and-set (the store's DynamoSyncOwners; MemorySyncOwners without a table). */
export interface SyncOwnerBackend {
  readOwner(namespaceId: string): Promise<SyncOwner | undefined>;
  /** With `expectedUid` null only when nobody owns it; else only when `expectedUid` still does. */
  claimOwner(owner: SyncOwner, expectedUid: string | null): Promise<boolean>;
  releaseOwner(namespaceId: string, uid: string): Promise<void>;
  ownedBy(uid: string): Promise<SyncOwner[]>;
}

/** Owner items in memory: for a controller run without a table (tests), where one process is the only writer. */
export class MemorySyncOwners implements SyncOwnerBackend {
  private readonly owners = new Map<string, SyncOwner>();

  async readOwner(namespaceId: string): Promise<SyncOwner | undefined> {
    const owner = this.owners.get(namespaceId);
    return owner === undefined ? undefined : { ...owner };
  }

  async claimOwner(owner: SyncOwner, expectedUid: string | null): Promise<boolean> {
    const current = this.owners.get(owner.namespaceId);
    if (expectedUid === null ? current !== undefined : current?.uid !== expectedUid) return false;
    this.owners.set(owner.namespaceId, { ...owner });
    return true;
  }

  async releaseOwner(namespaceId: string, uid: string): Promise<void> {
    if (this.owners.get(namespaceId)?.uid === uid) this.owners.delete(namespaceId);
  }

  async ownedBy(uid: string): Promise<SyncOwner[]> {
    return [...this.owners.values()].filter((o) => o.uid === uid).map((o) => ({ ...o }));
  }
}

/** What claiming needs. */
export interface ClaimDeps {
  store: Pick<ResourceStore, "get" | "list">;
  owners: SyncOwnerBackend;
  registry: Pick<SyncEngineRegistry, "stop">;
  clock: { now(): number };
  log: Logger;
}

const CLAIM_ATTEMPTS = 3;

function label(owner: Pick<SyncOwner, "namespace" | "name">): string {
  return `${owner.namespace}/${owner.name}`;
}

/** Why `owner` no longer holds its namespace (its record is gone or refers elsewhere), or undefined if it does. */
async function staleness(store: ClaimDeps["store"], owner: SyncOwner): Promise<string | undefined> {
  try {
    const record = await store.get("CatalogSync", owner.namespace, owner.name);
    if (record.metadata.uid !== owner.uid) return "its record is another one now";
    // A deleting owner still holds the namespace: its cleanup releases it.
    const ref = namespaceRefKey(record.spec.cloudMapNamespaceRef, record.metadata.namespace);
    if (ref !== owner.cloudMapNamespaceRef) return `it refers to ${ref ?? "nothing"} now`;
    return undefined;
  } catch (error) {
    if (error instanceof NotFoundError) return "its record is gone";
    throw error;
  }
}

/**
 * Before the first owner item exists (records that synced before owner items did), the CatalogSync whose
 * controller-written status says it syncs the namespace keeps it: another claimant defers to it.
 */
async function reportedSyncer(
  store: ClaimDeps["store"],
  record: CatalogSyncRecord,
  namespaceId: string,
): Promise<string | undefined> {
  if (record.status.namespaceId === namespaceId) return undefined;
  const other = (await store.list("CatalogSync")).find(
    (r) =>
      r.metadata.uid !== record.metadata.uid &&
      r.metadata.deletionTimestamp === undefined &&
      r.status?.namespaceId === namespaceId,
  );
  return other === undefined ? undefined : label(other.metadata);
}

/**
 * Claims the Cloud Map namespace `namespaceId` for `record`: exclusive when it owns it (now or already), else the
 * owner it defers to. Claims the record held on other namespaces (its reference moved) are released.
 */
export async function claimNamespace(
  deps: ClaimDeps,
  record: CatalogSyncRecord,
  namespaceId: string,
): Promise<ExclusivityCheck> {
  const { metadata, spec } = record;
  const ref = `${spec.cloudMapNamespaceRef.namespace ?? metadata.namespace}/${spec.cloudMapNamespaceRef.name}`;
  const me: SyncOwner = {
    namespaceId,
    uid: metadata.uid,
    namespace: metadata.namespace,
    name: metadata.name,
    cloudMapNamespaceRef: ref,
    claimedAt: new Date(deps.clock.now()).toISOString(),
  };
  let owner = await deps.owners.readOwner(namespaceId);
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
    if (owner === undefined) {
      const holder = await reportedSyncer(deps.store, record, namespaceId);
      if (holder !== undefined) return { exclusive: false, holder };
      if (await deps.owners.claimOwner(me, null)) break;
    } else if (owner.uid === me.uid) {
      // Ours already (the uid names the key); a reference that moved to another record of the same namespace is
      // written down, so staleness keeps reading it right.
      if (owner.cloudMapNamespaceRef === ref || (await deps.owners.claimOwner(me, me.uid))) break;
    } else {
      const why = await staleness(deps.store, owner);
      if (why === undefined) return { exclusive: false, holder: label(owner) };
      if (await deps.owners.claimOwner(me, owner.uid)) {
        deps.log.info(
          { namespaceId, previousOwner: label(owner) },
          `took over the namespace from a stale owner (${why})`,
        );
        // Its engine, if it runs here, must not keep writing beside ours.
        await deps.registry.stop(owner.uid);
        break;
      }
    }
    owner = await deps.owners.readOwner(namespaceId);
    if (attempt === CLAIM_ATTEMPTS - 1) {
      throw new TemporaryError(`the owner of Cloud Map namespace ${namespaceId} keeps changing`);
    }
  }
  await releaseClaims(deps, metadata.uid, namespaceId);
  return { exclusive: true };
}

/** Releases every namespace `uid` owns, except `keep`. */
export async function releaseClaims(
  deps: Pick<ClaimDeps, "owners">,
  uid: string,
  keep?: string,
): Promise<void> {
  for (const owned of await deps.owners.ownedBy(uid)) {
    if (owned.namespaceId !== keep) await deps.owners.releaseOwner(owned.namespaceId, uid);
  }
}
