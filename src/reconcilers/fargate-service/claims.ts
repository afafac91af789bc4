/**
 * Name claims (DESIGN 11, NamespacePolicy, "Whatever the policy says"): a FargateService's Cloud Map service name
 * (unique per CloudMapNamespace) and, with `discovery.consul.register`, its Consul service name (unique across the
 * table: the FargateService cannot know at claim time which Consul datacenter its namespace's CatalogSync writes
 * to, and a CatalogSync may be added or repointed later) belong to the first record that claims them: a claim
 * item in the table, written only by the controller, before the pass makes any AWS call.
 *
 * A claim holds while its owner record exists (or is being cleaned up) and its spec still asks for the name.
 * Otherwise it is stale (the owner is gone without a tombstone, or renamed its service) and the next claimant
 * takes it over, conditional on the claim being unchanged. A deleted owner releases its claims when its cleanup
 * finishes. A claim never overrides what AWS shows: a stale claim's name still held by the old owner's Cloud Map
 * service is refused by the name check that follows (the service's ownership tags).
 */
import type { FargateServiceSpec } from "../../crds/index.js";
import { cloudMapServiceName } from "../../render/index.js";
import { NotFoundError } from "../../store/errors.js";
import type { ClaimOwner, NameClaim, ResourceStore, StoredResource } from "../../store/types.js";
import { validatedSpec } from "../validated-spec.js";
import type { FargateServiceRecord } from "./context.js";

/** The scope of every Consul service name. */
export const CONSUL_SCOPE = "Consul";

/** One name a record claims, with what a message says about it. */
export interface WantedName {
  scope: string;
  name: string;
  /** e.g. `Cloud Map service name web in CloudMapNamespace platform/apps-internal`. */
  what: string;
  /** The spec field that chooses the name. */
  field: string;
}

/** Rounds of claim, check, take over: a taker that loses a race looks at the winner once more. */
const ROUNDS = 3;

/** The scope of Cloud Map service names in CloudMapNamespace `namespace/name`. */
export function cloudMapScope(namespace: string, name: string): string {
  return `CloudMap/${namespace}/${name}`;
}

/** The names a FargateService's (validated) spec claims. */
export function wantedNames(
  spec: FargateServiceSpec,
  metadata: { namespace: string; name: string },
): WantedName[] {
  const cloudMap = spec.discovery?.cloudMap;
  if (cloudMap === undefined) return [];
  const refNamespace = cloudMap.namespaceRef.namespace ?? metadata.namespace;
  const cloudMapName = cloudMapServiceName(spec, metadata);
  const out: WantedName[] = [
    {
      scope: cloudMapScope(refNamespace, cloudMap.namespaceRef.name),
      name: cloudMapName,
      what: `Cloud Map service name ${cloudMapName} in CloudMapNamespace ${refNamespace}/${cloudMap.namespaceRef.name}`,
      field: "spec.discovery.cloudMap.serviceName",
    },
  ];
  const consul = spec.discovery?.consul;
  if (consul?.register === true) {
    const consulName = consul.serviceName ?? cloudMapName;
    out.push({
      scope: CONSUL_SCOPE,
      name: consulName,
      what: `Consul service name ${consulName}`,
      field: "spec.discovery.consul.serviceName",
    });
  }
  return out;
}

/** The claim owner a record writes. */
function ownerOf(record: FargateServiceRecord): ClaimOwner {
  const { namespace, name, uid } = record.metadata;
  return { kind: "FargateService", namespace, name, uid };
}

/** True while `claim` still holds: its owner exists (or is being cleaned up) and still asks for the name. */
export async function claimHolds(store: ResourceStore, claim: NameClaim): Promise<boolean> {
  const { owner } = claim;
  let found: StoredResource;
  try {
    // Through the reconcilers' store, a record that left the table reads as its tombstone while it is cleaned up.
    found = await store.get(owner.kind, owner.namespace, owner.name);
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
  if (found.metadata.uid !== owner.uid) return false;
  if (found.metadata.deletionTimestamp !== undefined || found.kind !== "FargateService") return true;
  let spec: FargateServiceSpec;
  try {
    spec = validatedSpec<FargateServiceSpec>(found);
  } catch {
    // An invalid spec says nothing about names: what it made still runs, so its claims stay.
    return true;
  }
  return wantedNames(spec, found.metadata).some((w) => w.scope === claim.scope && w.name === claim.name);
}

function conflictMessage(wanted: WantedName, claim: NameClaim): string {
  const { owner } = claim;
  return (
    `${wanted.what} is claimed by ${owner.kind} ${owner.namespace}/${owner.name} (since ${claim.claimedAt}); ` +
    `set ${wanted.field} to another name`
  );
}

/** Claims one name; undefined once it is ours, else the conflict message. */
async function claimOne(
  store: ResourceStore,
  owner: ClaimOwner,
  wanted: WantedName,
): Promise<string | undefined> {
  let held = await store.getClaim(wanted.scope, wanted.name);
  for (let round = 1; ; round++) {
    held ??= await store.claimName(wanted.scope, wanted.name, owner);
    if (held.owner.uid === owner.uid) return undefined;
    if (round >= ROUNDS || (await claimHolds(store, held))) return conflictMessage(wanted, held);
    held = await store.takeOverClaim(held, owner);
  }
}

/**
 * Claims every name the record asks for, before any AWS call. Returns the messages of the names somebody else
 * holds (empty: all are the record's now).
 */
export async function claimNames(store: ResourceStore, record: FargateServiceRecord): Promise<string[]> {
  const owner = ownerOf(record);
  const conflicts: string[] = [];
  for (const wanted of wantedNames(record.spec, record.metadata)) {
    const conflict = await claimOne(store, owner, wanted);
    if (conflict !== undefined) conflicts.push(conflict);
  }
  return conflicts;
}

/** Releases the record's claims (its cleanup finished); claims held by somebody else are left alone. */
export async function releaseNames(store: ResourceStore, record: FargateServiceRecord): Promise<void> {
  for (const wanted of wantedNames(record.spec, record.metadata))
    await store.releaseClaim(wanted.scope, wanted.name, record.metadata.uid);
}
