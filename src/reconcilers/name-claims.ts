/**
 * Name claims (DESIGN 11, NamespacePolicy, "Whatever the policy says"): a Cloud Map service name (unique per
 * CloudMapNamespace) and a Consul service name (unique across the table) belong to the first record that claims
 * them, as a claim item in the table that only the controller writes.
 *
 * - A FargateService claims its Cloud Map name and, with `discovery.consul.register`, its Consul name before its
 *   pass makes any AWS call (fargate-service/claims.ts). The Consul scope is the whole table, not a datacenter: at
 *   claim time a FargateService cannot know which datacenter its namespace's CatalogSync writes to (a CatalogSync
 *   may come later or be repointed), and a refused name costs a rename where a shared one costs a hijacked name.
 * - A CatalogSync claims each Cloud Map name it mirrors a Consul service into (catalog-sync/name-claims.ts), so a
 *   name like `vault` stays reserved while its Cloud Map service is briefly gone (emptied and removed when Vault's
 *   instances left Consul) and no FargateService can slip in between.
 *
 * A claim holds while its owner exists (or is being cleaned up) and still wants the name: a FargateService whose
 * spec asks for it, a CatalogSync whose toCloudMap filters still export it. Otherwise it is stale (the owner is gone
 * without a tombstone, or renamed) and the next claimant takes it over, conditional on it being unchanged.
 */
import type { CatalogSyncSpec } from "../crds/catalog-sync.js";
import type { FargateServiceSpec } from "../crds/index.js";
import { cloudMapServiceName } from "../render/index.js";
import { NotFoundError } from "../store/errors.js";
import type { ClaimOwner, NameClaim, ResourceStore, StoredResource } from "../store/types.js";
import { sourceNameOf } from "../sync/filters.js";
import { isExported } from "../sync/plan-to-cloud-map.js";
import { validatedSpec } from "./validated-spec.js";

/** The scope of every Consul service name. */
export const CONSUL_SCOPE = "Consul";

/** One name a record claims, with what a message says about it. */
export interface WantedName {
  scope: string;
  name: string;
  /** e.g. `Cloud Map service name web in CloudMapNamespace platform/apps-internal`. */
  what: string;
  /** What the claimant can do instead, e.g. `set spec.discovery.cloudMap.serviceName to another name`. */
  advice: string;
}

/** Rounds of claim, check, take over: a taker that loses a race looks at the winner once more. */
const ROUNDS = 3;

/** The scope of Cloud Map service names in CloudMapNamespace `namespace/name`. */
export function cloudMapScope(namespace: string, name: string): string {
  return `CloudMap/${namespace}/${name}`;
}

/** The Cloud Map name `name` in the CloudMapNamespace `ref` (relative to `referrerNamespace`). */
export function cloudMapName(
  ref: { name: string; namespace?: string | undefined },
  referrerNamespace: string,
  name: string,
  advice: string,
): WantedName {
  const namespace = ref.namespace ?? referrerNamespace;
  return {
    scope: cloudMapScope(namespace, ref.name),
    name,
    what: `Cloud Map service name ${name} in CloudMapNamespace ${namespace}/${ref.name}`,
    advice,
  };
}

/** The names a FargateService's (validated) spec claims. */
export function fargateServiceNames(
  spec: FargateServiceSpec,
  metadata: { namespace: string; name: string },
): WantedName[] {
  const cloudMap = spec.discovery?.cloudMap;
  if (cloudMap === undefined) return [];
  const name = cloudMapServiceName(spec, metadata);
  const advice = "set spec.discovery.cloudMap.serviceName to another name";
  const out = [cloudMapName(cloudMap.namespaceRef, metadata.namespace, name, advice)];
  const consul = spec.discovery?.consul;
  if (consul?.register === true) {
    const consulName = consul.serviceName ?? name;
    out.push({
      scope: CONSUL_SCOPE,
      name: consulName,
      what: `Consul service name ${consulName}`,
      advice: "set spec.discovery.consul.serviceName to another name",
    });
  }
  return out;
}

/** True while a CatalogSync still exports into the Cloud Map name `claim` holds (its namespace, its filters). */
function catalogSyncWants(spec: CatalogSyncSpec, namespace: string, claim: NameClaim): boolean {
  const ref = spec.cloudMapNamespaceRef;
  if (cloudMapScope(ref.namespace ?? namespace, ref.name) !== claim.scope || !spec.toCloudMap.enabled)
    return false;
  const source = sourceNameOf(claim.name, spec.toCloudMap.prefix);
  return source !== undefined && isExported(source, spec.toCloudMap);
}

/** True while `claim` still holds: its owner exists (or is being cleaned up) and still wants the name. */
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
  if (found.metadata.deletionTimestamp !== undefined) return true;
  try {
    if (found.kind === "FargateService") {
      const wanted = fargateServiceNames(validatedSpec<FargateServiceSpec>(found), found.metadata);
      return wanted.some((w) => w.scope === claim.scope && w.name === claim.name);
    }
    if (found.kind === "CatalogSync")
      return catalogSyncWants(validatedSpec<CatalogSyncSpec>(found), found.metadata.namespace, claim);
  } catch {
    // An invalid spec says nothing about names: what it made still runs, so its claims stay.
  }
  return true;
}

/** Claims one name for `owner`; undefined once it is the owner's, else the claim that holds it. */
export async function claimName(
  store: ResourceStore,
  owner: ClaimOwner,
  wanted: Pick<WantedName, "scope" | "name">,
): Promise<NameClaim | undefined> {
  let held = await store.getClaim(wanted.scope, wanted.name);
  for (let round = 1; ; round++) {
    held ??= await store.claimName(wanted.scope, wanted.name, owner);
    if (held.owner.uid === owner.uid) return undefined;
    if (round >= ROUNDS || (await claimHolds(store, held))) return held;
    held = await store.takeOverClaim(held, owner);
  }
}

/** The message of a name somebody else holds. */
export function conflictMessage(wanted: WantedName, claim: NameClaim): string {
  const { owner } = claim;
  return (
    `${wanted.what} is claimed by ${owner.kind} ${owner.namespace}/${owner.name} (since ${claim.claimedAt}); ` +
    wanted.advice
  );
}
