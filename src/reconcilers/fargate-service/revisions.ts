/**
 * Which task-definition revisions to deregister. Only revisions whose ownership tags are the record's are ever
 * candidates (a family may hold revisions somebody else registered). Pure.
 */
import type { TaskDefinitionRevision } from "../../aws/types.js";
import { isOurs, type OwnerIdentity, ownershipOf } from "../ownership.js";

/** Input of {@link revisionsToPrune}. */
export interface PruneInput {
  /** The family's ACTIVE revisions (any order; others are ignored). */
  revisions: readonly TaskDefinitionRevision[];
  /** The record whose ownership tags mark its revisions. */
  owner: OwnerIdentity;
  /** Owned revisions to keep, newest first, for rollback; below 1 counts as 1. */
  keep: number;
  /** ARNs any deployment still runs: never deregistered. */
  inUse: readonly string[];
}

/** Owned ACTIVE revisions, each ARN once, oldest first (by revision number, then ARN for a stable order). */
function ownedActive(
  revisions: readonly TaskDefinitionRevision[],
  owner: OwnerIdentity,
): TaskDefinitionRevision[] {
  const byArn = new Map<string, TaskDefinitionRevision>();
  for (const r of revisions) {
    if (r.status === "ACTIVE" && isOurs(ownershipOf(r.tags, owner))) byArn.set(r.arn, r);
  }
  return [...byArn.values()].sort(
    (a, b) => a.revision - b.revision || (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0),
  );
}

/**
 * ARNs to deregister while the record lives, oldest first: owned revisions beyond the `keep` newest, except any
 * that a deployment still runs.
 */
export function revisionsToPrune(input: PruneInput): string[] {
  const keep = Number.isFinite(input.keep) ? Math.max(1, Math.floor(input.keep)) : 1;
  const owned = ownedActive(input.revisions, input.owner);
  const inUse = new Set(input.inUse);
  return owned
    .slice(0, Math.max(0, owned.length - keep))
    .filter((r) => !inUse.has(r.arn))
    .map((r) => r.arn);
}

/** Every owned ACTIVE revision ARN, oldest first: deregistered once the ECS service is gone. */
export function ownedRevisionsToDeregisterOnDelete(
  revisions: readonly TaskDefinitionRevision[],
  owner: OwnerIdentity,
): string[] {
  return ownedActive(revisions, owner).map((r) => r.arn);
}
