/**
 * Names before writes (DESIGN 11): a FargateService's ECS service `<namespace>-<name>` and its Cloud Map service
 * name can be held by another record (`a-b/c` and `a/b-c` both make `a-b-c`) or by something made outside the
 * operator. The pass checks both before its first AWS write, so a loser registers no revision in the winner's
 * family and creates no Cloud Map service. First of all, the Cloud Map and Consul names are claimed in the table
 * (claims.ts): a name another record claimed first is `NameConflict` without a single AWS call. A name held by
 * another record's resource is `NameConflict`, by an unowned resource without `adopt: true` `AlreadyExists`;
 * either is re-checked every NAME_CONFLICT_RECHECK_MS (the holder may go away) instead of waiting for a spec
 * change as other permanent failures do.
 */
import { AwsNotFoundError } from "../../aws/errors.js";
import type { EcsService } from "../../aws/types.js";
import { cloudMapServiceName, ecsName, TagKey } from "../../render/index.js";
import { PermanentError } from "../../runtime/errors.js";
import { describeOwner, mayManage, type OwnerIdentity, Ownership, ownershipOf } from "../ownership.js";
import { claimNames } from "./claims.js";
import type { FargateServiceRecord, NamespaceResolution } from "./context.js";
import type { FargateServiceStepDeps } from "./steps.js";

/** How often a record whose name is taken looks again (one DescribeServices, or one Cloud Map listing and tag read). */
export const NAME_CONFLICT_RECHECK_MS = 60_000;

/** Condition reasons of a taken name. */
export const NameReason = {
  /** Another record's resource holds the name. */
  NameConflict: "NameConflict",
  /** A resource made outside the operator holds the name and the spec does not say `adopt: true`. */
  AlreadyExists: "AlreadyExists",
} as const;

/** A name this record needs is taken: Stalled with this reason and message, re-checked after a while. */
export class NameConflictError extends PermanentError {
  constructor(reason: (typeof NameReason)[keyof typeof NameReason], message: string) {
    super(reason, message);
  }
}

/** The record's identity for ownership checks (with the legacy uid its item may still hold). */
export function identityOf(record: FargateServiceRecord): OwnerIdentity {
  const { uid, namespace, name } = record.metadata;
  return { uid, namespace, name, legacyUid: record.legacyUid };
}

/** Tags as a map from ECS `{key, value}` pairs. */
export function ecsTags(service: EcsService): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of service.tags ?? []) if (t.key !== undefined && t.value !== undefined) out[t.key] = t.value;
  return out;
}

/**
 * Throws NameConflictError unless the record may manage a resource with `tags` (ours, or unowned with adopt).
 * `what` names the resource, `kind` the kind that makes such resources, `rename` what the user can change.
 */
export function assertNameFree(
  record: FargateServiceRecord,
  tags: Readonly<Record<string, string>>,
  what: string,
  kind: string,
  rename: string,
): void {
  const ownership = ownershipOf(tags, identityOf(record));
  if (mayManage(ownership, record.spec.adopt)) return;
  if (ownership === Ownership.Unowned) {
    throw new NameConflictError(
      NameReason.AlreadyExists,
      `${what} already exists and was not created by this record; set spec.adopt: true to take it over`,
    );
  }
  const { namespace, name } = record.metadata;
  if (tags[TagKey.Namespace] === namespace && tags[TagKey.Name] === name) {
    // Same key, another uid: made by this key's record under an earlier version (random uids) whose item no
    // longer carries that uid. Nothing proves it ours, so it is left alone; the message says how to take it.
    throw new NameConflictError(
      NameReason.NameConflict,
      `${what} is tagged for ${namespace}/${name} with uid ${tags[TagKey.Uid] ?? "(none)"}, not this record's ` +
        `uid ${record.metadata.uid} (made before uids were derived from keys?); set its tag ${TagKey.Uid} to ` +
        `${record.metadata.uid} to take it over, or delete it`,
    );
  }
  throw new NameConflictError(
    NameReason.NameConflict,
    `${what} belongs to ${describeOwner(tags, kind)}; ${rename}`,
  );
}

/** True when the status says this pass's Cloud Map service was already made (or adopted) under this name. */
function cloudMapNameSettled(record: FargateServiceRecord, dnsName: string): boolean {
  const name = cloudMapServiceName(record.spec, record.metadata);
  return record.status.cloudMap !== undefined && record.status.endpoints?.cloudMap === `${name}.${dnsName}`;
}

/**
 * Checks the names the pass is about to write under and returns the same-named ECS service it observed (absent:
 * undefined), so the ECS step needs no second read. Throws NameConflictError when a name is taken.
 */
export async function checkNames(
  deps: FargateServiceStepDeps,
  record: FargateServiceRecord,
  namespace: NamespaceResolution | undefined,
  maxAgeMs: number,
  signal: AbortSignal,
): Promise<EcsService | undefined> {
  const conflicts = await claimNames(deps.store, record);
  if (conflicts.length > 0) throw new NameConflictError(NameReason.NameConflict, conflicts.join("; "));
  const { cluster } = record.spec;
  const name = ecsName(record.metadata);
  const observed = await deps.ecs.describeService(cluster, name, { maxAgeMs, signal });
  if (observed !== undefined) {
    assertNameFree(
      record,
      ecsTags(observed),
      `ECS service ${name} in cluster ${cluster}`,
      "FargateService",
      "rename this record",
    );
  }
  if (record.spec.discovery?.cloudMap !== undefined && namespace?.ready === true) {
    if (!cloudMapNameSettled(record, namespace.dnsName)) {
      const cloudMapName = cloudMapServiceName(record.spec, record.metadata);
      const cache = deps.cloudMapCache;
      const existing = await cache.serviceNamed(namespace.namespaceId, cloudMapName, maxAgeMs, signal);
      // Its owner decides whether this record may create or adopt under the name: read fresh, whatever is cached.
      const tags =
        existing === undefined
          ? undefined
          : await cache.tags(existing.arn, { fresh: true, signal }).catch((error: unknown) => {
              if (!(error instanceof AwsNotFoundError)) throw error;
              cache.forgetService(existing.id);
              return undefined;
            });
      if (tags !== undefined) {
        assertNameFree(
          record,
          tags,
          `Cloud Map service ${cloudMapName} in namespace ${namespace.dnsName}`,
          "FargateService",
          "set spec.discovery.cloudMap.serviceName to another name",
        );
      }
    }
  }
  return observed;
}
