/**
 * Ownership from tags: ours only when uid, namespace AND name are the record's (or namespace and name with the
 * legacy uid its item still holds); any other operator tag is another record's and names it; no operator tag is
 * nobody's.
 */
import { describe, expect, it } from "vitest";
import {
  describeOwner,
  mayManage,
  needsOwnershipTags,
  Ownership,
  ownershipOf,
  ownershipTagMap,
} from "../../../src/reconcilers/ownership.js";
import { TagKey } from "../../../src/render/names.js";
import { derivedUid } from "../../../src/store/layout.js";

const ME = { uid: derivedUid({ pk: "a", sk: "FargateService#b-c" }), namespace: "a", name: "b-c" };
const THEM = { uid: derivedUid({ pk: "a-b", sk: "FargateService#c" }), namespace: "a-b", name: "c" };

describe("ownershipOf", () => {
  it("is ours only when uid, namespace and name all match", () => {
    expect(ownershipOf(ownershipTagMap(ME), ME)).toBe(Ownership.Ours);
    expect(ownershipOf({ ...ownershipTagMap(ME), [TagKey.Name]: "other" }, ME)).toBe(Ownership.OtherRecord);
    expect(ownershipOf({ ...ownershipTagMap(ME), [TagKey.Namespace]: "a-b" }, ME)).toBe(
      Ownership.OtherRecord,
    );
    expect(ownershipOf({ [TagKey.Uid]: ME.uid }, ME)).toBe(Ownership.OtherRecord);
  });

  it("takes another record's tags for what they are, even a uid forged onto our key", () => {
    expect(ownershipOf(ownershipTagMap(THEM), ME)).toBe(Ownership.OtherRecord);
    expect(ownershipOf({ ...ownershipTagMap(ME), [TagKey.Uid]: THEM.uid }, ME)).toBe(Ownership.OtherRecord);
    expect(mayManage(Ownership.OtherRecord, true)).toBe(false);
  });

  it("counts any fargate-operator tag as an owner, and no such tag as nobody", () => {
    expect(ownershipOf({ [TagKey.SyncOwner]: THEM.uid }, ME)).toBe(Ownership.OtherRecord);
    expect(ownershipOf({ [TagKey.ConsulRegister]: "true" }, ME)).toBe(Ownership.OtherRecord);
    expect(ownershipOf({ team: "payments" }, ME)).toBe(Ownership.Unowned);
    expect(mayManage(Ownership.Unowned, false)).toBe(false);
    expect(mayManage(Ownership.Unowned, true)).toBe(true);
  });

  it("recognises what an earlier version tagged with the item's legacy uid, to tag it again", () => {
    const legacy = "0b7c1f7e-2d7a-4c55-9d43-000000000001";
    const tags = { ...ownershipTagMap(ME), [TagKey.Uid]: legacy };
    expect(ownershipOf(tags, ME)).toBe(Ownership.OtherRecord);
    expect(ownershipOf(tags, { ...ME, legacyUid: legacy })).toBe(Ownership.OursLegacy);
    expect(
      ownershipOf({ ...ownershipTagMap(THEM), [TagKey.Uid]: legacy }, { ...ME, legacyUid: legacy }),
    ).toBe(Ownership.OtherRecord);
    expect(mayManage(Ownership.OursLegacy, false)).toBe(true);
    expect(needsOwnershipTags(Ownership.OursLegacy)).toBe(true);
    expect(needsOwnershipTags(Ownership.Ours)).toBe(false);
  });
});

describe("describeOwner", () => {
  it("names the owner from its tags", () => {
    expect(describeOwner(ownershipTagMap(THEM), "FargateService")).toBe("FargateService a-b/c");
    expect(describeOwner({ [TagKey.SyncOwner]: "u-1" }, "FargateService")).toBe(
      "the CatalogSync with uid u-1",
    );
  });
});
