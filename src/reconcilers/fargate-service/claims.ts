/**
 * A FargateService's name claims (../name-claims.ts): its Cloud Map service name and, with
 * `discovery.consul.register`, its Consul service name, claimed before the pass makes any AWS call and released
 * when its cleanup finishes. A claim never overrides what AWS shows: a name whose stale claim was taken over but
 * whose Cloud Map service still carries the old owner's tags is refused by the name check that follows.
 */
import type { ResourceStore } from "../../store/types.js";
import { claimName, conflictMessage, fargateServiceNames } from "../name-claims.js";
import type { FargateServiceRecord } from "./context.js";

/**
 * Claims every name the record asks for. Returns the messages of the names somebody else holds (empty: all are
 * the record's now).
 */
export async function claimNames(store: ResourceStore, record: FargateServiceRecord): Promise<string[]> {
  const { namespace, name, uid } = record.metadata;
  const owner = { kind: "FargateService" as const, namespace, name, uid };
  const conflicts: string[] = [];
  for (const wanted of fargateServiceNames(record.spec, record.metadata)) {
    const held = await claimName(store, owner, wanted);
    if (held !== undefined) conflicts.push(conflictMessage(wanted, held));
  }
  return conflicts;
}

/** Releases the record's claims (its cleanup finished); claims held by somebody else are left alone. */
export async function releaseNames(store: ResourceStore, record: FargateServiceRecord): Promise<void> {
  for (const wanted of fargateServiceNames(record.spec, record.metadata))
    await store.releaseClaim(wanted.scope, wanted.name, record.metadata.uid);
}
