/**
 * Who owns an AWS resource, read from its ownership tags (DESIGN 4, 11): ours only when the tags' uid, namespace
 * AND name all match the record; another record's when any `fargate-operator:*` tag is there but does not match;
 * nobody's without such tags. Pure. A resource we do not own is never changed unless the spec says `adopt: true`,
 * and never when it carries another record's tags.
 */
import type { ObjectMeta } from "../crds/meta.js";
import { TagKey } from "../render/names.js";

/** Outcome of an ownership check. */
export const Ownership = {
  /** Tagged with this record's uid, namespace and name. */
  Ours: "ours",
  /**
   * Tagged with this record's namespace and name and the random uid an earlier version gave it (still in the
   * item's legacy `uid` attribute): ours, and re-tagged with the derived uid.
   */
  OursLegacy: "oursLegacy",
  /** Carries operator tags that do not all match this record: another record's (or tampered with). */
  OtherRecord: "otherRecord",
  /** No operator tags: made by hand, Terraform or another tool. */
  Unowned: "unowned",
} as const;

/** One of the Ownership values. */
export type Ownership = (typeof Ownership)[keyof typeof Ownership];

/** What ownership is checked against: the record's identity (and the legacy uid its item may still hold). */
export interface OwnerIdentity extends Pick<ObjectMeta, "uid" | "namespace" | "name"> {
  legacyUid?: string | undefined;
}

const OPERATOR_TAG_PREFIX = "fargate-operator:";

/** Reads the ownership of a resource with `tags` relative to the record `identity`. */
export function ownershipOf(tags: Readonly<Record<string, string>>, identity: OwnerIdentity): Ownership {
  const uid = tags[TagKey.Uid];
  const sameKey = tags[TagKey.Namespace] === identity.namespace && tags[TagKey.Name] === identity.name;
  if (sameKey && uid === identity.uid) return Ownership.Ours;
  if (sameKey && uid !== undefined && uid === identity.legacyUid) return Ownership.OursLegacy;
  const tagged = Object.keys(tags).some((key) => key.startsWith(OPERATOR_TAG_PREFIX));
  return tagged ? Ownership.OtherRecord : Ownership.Unowned;
}

/** True for a resource this record made (whatever uid it was tagged with then). */
export function isOurs(ownership: Ownership): boolean {
  return ownership === Ownership.Ours || ownership === Ownership.OursLegacy;
}

/** True when the record may manage the resource: ours, or unowned with `adopt: true`. */
export function mayManage(ownership: Ownership, adopt: boolean): boolean {
  return isOurs(ownership) || (ownership === Ownership.Unowned && adopt);
}

/** True when the resource must be (re-)tagged as this record's before it is managed: adopted or legacy. */
export function needsOwnershipTags(ownership: Ownership): boolean {
  return ownership === Ownership.Unowned || ownership === Ownership.OursLegacy;
}

/**
 * Who owns a resource carrying operator tags, for messages: `<kind> <namespace>/<name>` from its tags (`kind` is
 * the kind that makes such resources), a CatalogSync's mirror, or the raw uid when the tags name no record.
 */
export function describeOwner(tags: Readonly<Record<string, string>>, kind: string): string {
  const namespace = tags[TagKey.Namespace];
  const name = tags[TagKey.Name];
  if (namespace !== undefined && name !== undefined) return `${kind} ${namespace}/${name}`;
  if (tags[TagKey.SyncOwner] !== undefined) return `the CatalogSync with uid ${tags[TagKey.SyncOwner]}`;
  if (tags[TagKey.Uid] !== undefined) return `the record with uid ${tags[TagKey.Uid]}`;
  return "another record (its fargate-operator tags name none)";
}

/** The ownership tags of `metadata` as a map (for tagging an adopted resource). */
export function ownershipTagMap(
  metadata: Pick<ObjectMeta, "uid" | "namespace" | "name">,
): Record<string, string> {
  return {
    [TagKey.Uid]: metadata.uid,
    [TagKey.Namespace]: metadata.namespace,
    [TagKey.Name]: metadata.name,
  };
}
