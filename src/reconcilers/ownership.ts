/**
 * Who owns an AWS resource, read from its ownership tags (DESIGN 4): ours (this record's uid), another
 * record's, or nobody's. Pure. A resource we do not own is never changed unless the spec says `adopt: true`,
 * and never when another live record owns it.
 */
import type { ObjectMeta } from "../crds/meta.js";
import { TagKey } from "../render/names.js";

/** Outcome of an ownership check. */
export const Ownership = {
  /** Tagged with this record's uid. */
  Ours: "ours",
  /** Tagged by the operator for another record (another uid). */
  OtherRecord: "otherRecord",
  /** No operator tags: made by hand, Terraform or another tool. */
  Unowned: "unowned",
} as const;

/** One of the Ownership values. */
export type Ownership = (typeof Ownership)[keyof typeof Ownership];

/** Reads the ownership of a resource with `tags` relative to the record with `metadata`. */
export function ownershipOf(
  tags: Readonly<Record<string, string>>,
  metadata: Pick<ObjectMeta, "uid">,
): Ownership {
  const uid = tags[TagKey.Uid];
  if (uid === undefined) return Ownership.Unowned;
  return uid === metadata.uid ? Ownership.Ours : Ownership.OtherRecord;
}

/** True when the record may manage the resource: ours, or unowned with `adopt: true`. */
export function mayManage(ownership: Ownership, adopt: boolean): boolean {
  return ownership === Ownership.Ours || (ownership === Ownership.Unowned && adopt);
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
