/**
 * Which items the controller may act on: checkItem on hand-written items (as `aws dynamodb put-item` or
 * Terraform writes them), and the stream mapping that must never turn a record overwritten by an invalid item
 * into a deletion.
 */
import type { _Record as StreamRecord } from "@aws-sdk/client-dynamodb-streams";
import { describe, expect, it } from "vitest";
import { API_VERSION, KINDS } from "../../../src/crds/meta.js";
import { fromAttributeMap, type RawAttributeValue } from "../../../src/store/attribute-value.js";
import { checkItem, STATUS_HEADROOM_BYTES } from "../../../src/store/item-check.js";
import { itemSize, MAX_ITEM_BYTES } from "../../../src/store/layout.js";
import type { InvalidItem } from "../../../src/store/types.js";
import { streamRecordToEvent, streamRecordToInvalidItem } from "../../../src/store/watch-events.js";

const spec = { dnsName: "apps.internal", vpcId: "vpc-1" };
const item = (pk: string, sk: string, extra: Record<string, unknown> = {}) => ({
  pk,
  sk,
  kind: "CloudMapNamespace",
  apiVersion: API_VERSION,
  spec,
  ...extra,
});

function invalidOf(value: Record<string, unknown>): InvalidItem {
  const checked = checkItem(value);
  if (checked === undefined || !("invalid" in checked))
    throw new Error(`not invalid: ${JSON.stringify(checked)}`);
  return checked.invalid;
}

/** `value` as the Streams client hands an image over (an empty map comes as `{}`). */
function raw(value: unknown): RawAttributeValue {
  if (typeof value === "string") return { S: value };
  if (typeof value === "number") return { N: String(value) };
  if (Array.isArray(value)) return { L: value.map(raw) };
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return {};
  return { M: Object.fromEntries(entries.map(([k, v]) => [k, raw(v)])) };
}
const image = (value: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(value).map(([k, v]) => [k, raw(v)]));
const streamRecord = (
  eventName: "INSERT" | "MODIFY" | "REMOVE",
  old?: Record<string, unknown>,
  next?: Record<string, unknown>,
): StreamRecord =>
  ({
    eventName,
    dynamodb: {
      ApproximateCreationDateTime: new Date(0),
      ...(old ? { OldImage: image(old) } : {}),
      ...(next ? { NewImage: image(next) } : {}),
    },
  }) as StreamRecord; // the Streams client's AttributeValue union; the raw shape is what it hands over

describe("checkItem", () => {
  it("reads a well-formed hand-written item as a record", () => {
    const checked = checkItem(item("team", "CloudMapNamespace#apps"));
    expect(checked && "record" in checked && checked.record.metadata).toMatchObject({
      name: "apps",
      namespace: "team",
    });
  });

  it("leaves leases, events and foreign items alone", () => {
    expect(checkItem({ pk: "_lease", sk: "controller", holder: "a" })).toBeUndefined();
    expect(
      checkItem({ pk: "_event#team", sk: "CloudMapNamespace#apps#2026", kind: "CloudMapNamespace" }),
    ).toBeUndefined();
    expect(checkItem({ pk: "team", sk: "orders#42" })).toBeUndefined();
  });

  it.each([
    ["a name with a dot", "team", "CloudMapNamespace#has.dot", /name "has\.dot" is not a DNS label/],
    ["an upper-case namespace", "Team", "CloudMapNamespace#apps", /namespace "Team" is not a DNS label/],
    ["a 300-character name", "team", `CloudMapNamespace#${"a".repeat(300)}`, /at most 40 characters/],
    ["an empty name", "team", "CloudMapNamespace#", /name "" is not a DNS label/],
  ])("%s is an unaddressable key: no status can be written", (_what, pk, sk, message) => {
    const invalid = invalidOf(item(pk, sk));
    expect(invalid).toMatchObject({
      reason: "UnaddressableKey",
      kind: "CloudMapNamespace",
      addressable: false,
    });
    expect(invalid.message).toMatch(message);
  });

  it("a kind attribute that disagrees with sk is a kind mismatch filed under sk's kind, its key addressable", () => {
    const invalid = invalidOf(item("team", "FargateService#apps"));
    expect(invalid).toMatchObject({
      reason: "KindMismatch",
      kind: "FargateService",
      name: "apps",
      addressable: true,
    });
    expect(invalid.message).toBe(
      'kind is "CloudMapNamespace" but sk files the item as FargateService; set kind to "FargateService" or move the item to sk "CloudMapNamespace#<name>"',
    );
    const { kind: _kind, ...withoutKind } = item("team", "CloudMapNamespace#apps");
    expect(invalidOf(withoutKind)).toMatchObject({ reason: "KindMismatch", addressable: true });
    expect(invalidOf(withoutKind).message).toBe(
      'kind is missing but sk files the item as CloudMapNamespace; set kind to "CloudMapNamespace"',
    );
  });

  it("an sk that names no kind, under a record's kind attribute, is a kind mismatch with no addressable key", () => {
    expect(invalidOf(item("team", "apps"))).toMatchObject({ reason: "KindMismatch", addressable: false });
  });

  it("an item that leaves no room for its status is too large; the limit is exact", () => {
    const sized = (bytes: number) => {
      const base = item("team", "CloudMapNamespace#big", { pad: "" });
      return { ...base, pad: "x".repeat(bytes - itemSize(base)) };
    };
    const limit = MAX_ITEM_BYTES - STATUS_HEADROOM_BYTES;
    expect(checkItem(sized(limit))).toHaveProperty("record");
    expect(invalidOf(sized(limit + 1))).toMatchObject({ reason: "ItemTooLarge", addressable: true });
    // The status it already carries does not count: a status write replaces it.
    expect(checkItem({ ...sized(limit), status: { note: "y".repeat(50_000) } })).toHaveProperty("record");
  });

  it("the fingerprint ignores status and resourceVersion and follows everything else", () => {
    const base = item("team", "FargateService#apps");
    const fingerprint = invalidOf(base).fingerprint;
    expect(invalidOf({ ...base, status: { x: 1 }, resourceVersion: 7 }).fingerprint).toBe(fingerprint);
    expect(invalidOf({ ...base, spec: { ...spec, vpcId: "vpc-2" } }).fingerprint).not.toBe(fingerprint);
  });

  it("files every kind", () => {
    for (const kind of KINDS) expect(invalidOf(item("team", `${kind}#a.b`)).kind).toBe(kind);
  });
});

describe("stream images", () => {
  const record = item("team", "CloudMapNamespace#apps", { resourceVersion: 3 });
  const broken = { ...record, kind: "FargateService" };
  const kinds = new Set(KINDS);

  it("an empty map arrives as {} and reads as an empty map, as GetItem reads it", () => {
    expect(fromAttributeMap(image({ labels: {}, spec: { environment: {} } }))).toEqual({
      labels: {},
      spec: { environment: {} },
    });
  });

  it("a record overwritten by an invalid item is reported as invalid, never as deleted", () => {
    const modify = streamRecord("MODIFY", record, broken);
    expect(streamRecordToEvent(modify, kinds)).toBeUndefined();
    expect(streamRecordToInvalidItem(modify, kinds)).toMatchObject({
      change: "present",
      item: { reason: "KindMismatch", kind: "CloudMapNamespace" },
    });
  });

  it("an invalid item put right again is added; an invalid item deleted is reported removed", () => {
    expect(streamRecordToEvent(streamRecord("MODIFY", broken, record), kinds)).toMatchObject({
      type: "added",
    });
    expect(streamRecordToInvalidItem(streamRecord("REMOVE", broken), kinds)).toMatchObject({
      change: "removed",
    });
    expect(streamRecordToEvent(streamRecord("REMOVE", broken), kinds)).toBeUndefined();
  });

  it("a valid record's deletion is still a deletion", () => {
    expect(streamRecordToEvent(streamRecord("REMOVE", record), kinds)).toMatchObject({ type: "deleted" });
    expect(streamRecordToInvalidItem(streamRecord("REMOVE", record), kinds)).toBeUndefined();
  });
});
