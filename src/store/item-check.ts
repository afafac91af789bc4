/**
 * Which items are records the controller may act on, and why the others are not. Every way an item reaches the
 * controller (get, list, the stream, the poller) goes through `checkItem`, so an item that is not a valid
 * record is reported (InvalidItem) instead of being read as one, dropped in silence, or retried forever.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../crds/hash.js";
import { KINDS, type Kind } from "../crds/meta.js";
import { InvalidError } from "./errors.js";
import {
  isKind,
  itemSize,
  itemToResource,
  MAX_ITEM_BYTES,
  resourceItemKey,
  resourceVersionOf,
} from "./layout.js";
import { type InvalidItem, InvalidItemReason, type StoredResource } from "./types.js";

/**
 * Room a record keeps for its status: an item whose other attributes leave less than this under MAX_ITEM_BYTES
 * is ItemTooLarge, since every status write would fail after the controller had already acted in AWS.
 */
export const STATUS_HEADROOM_BYTES = 32 * 1024;

/** What an item is: a record, an invalid item filed like one, or something else (a lease, an event, foreign data). */
export type ItemCheck = { record: StoredResource } | { invalid: InvalidItem } | undefined;

/** The known kind `sk` is filed under (`<Kind>#…`), if any. */
function kindOfSortKey(sk: string): Kind | undefined {
  return KINDS.find((k) => sk.startsWith(`${k}#`));
}

/** sha256 of the item without `status` and `resourceVersion`: a status write leaves it unchanged. */
function fingerprintOf(item: Record<string, unknown>): string {
  const { status: _status, resourceVersion: _rv, ...rest } = item;
  return createHash("sha256").update(canonicalJson(rest)).digest("hex");
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Classifies one item (plain JSON, as the document client returns it). */
export function checkItem(item: Record<string, unknown>): ItemCheck {
  const { pk, sk } = item;
  if (typeof pk !== "string" || typeof sk !== "string" || pk.startsWith("_")) return undefined;
  const skKind = kindOfSortKey(sk);
  const attrKind = isKind(item.kind) ? item.kind : undefined;
  const kind = skKind ?? attrKind;
  if (kind === undefined) return undefined; // not filed as any kind of ours
  const name = skKind === undefined ? sk : sk.slice(skKind.length + 1);
  const { status: _status, ...withoutStatus } = item;
  const bytes = itemSize(withoutStatus);
  // The store addresses the key only when sk names a kind and pk and the name are DNS labels.
  let keyError: unknown;
  try {
    resourceItemKey(kind, pk, name);
  } catch (error) {
    keyError = error;
  }
  const invalid = (reason: InvalidItem["reason"], message: string): ItemCheck => ({
    invalid: {
      reason,
      message,
      kind,
      pk,
      sk,
      name,
      addressable: skKind !== undefined && keyError === undefined,
      resourceVersion: resourceVersionOf(item.resourceVersion),
      generation: typeof item.generation === "number" && item.generation >= 1 ? item.generation : 1,
      bytes,
      fingerprint: fingerprintOf(item),
      ...(isMap(item.status) ? { status: item.status } : {}),
    },
  });

  if (skKind === undefined) {
    return invalid(
      InvalidItemReason.KindMismatch,
      `sk ${JSON.stringify(sk)} does not start with "${kind}#" although kind is ${kind}; write sk as "${kind}#<name>"`,
    );
  }
  if (attrKind !== skKind) {
    const found = item.kind === undefined ? "missing" : JSON.stringify(item.kind);
    const move = attrKind === undefined ? "" : ` or move the item to sk "${attrKind}#<name>"`;
    return invalid(
      InvalidItemReason.KindMismatch,
      `kind is ${found} but sk files the item as ${skKind}; set kind to "${skKind}"${move}`,
    );
  }
  if (keyError !== undefined) {
    return invalid(
      InvalidItemReason.UnaddressableKey,
      `${messageOf(keyError)}; records need a lowercase DNS-label namespace (pk) and name (sk after "${kind}#")`,
    );
  }
  let record: StoredResource;
  try {
    record = itemToResource(item);
  } catch (error) {
    if (!(error instanceof InvalidError)) throw error;
    return invalid(InvalidItemReason.MalformedItem, messageOf(error));
  }
  if (bytes + STATUS_HEADROOM_BYTES > MAX_ITEM_BYTES) {
    return invalid(
      InvalidItemReason.ItemTooLarge,
      `the item is about ${Math.ceil(bytes / 1024)} KB without its status; records may take at most ${(MAX_ITEM_BYTES - STATUS_HEADROOM_BYTES) / 1024} KB so the status fits (keep large data out of the record)`,
    );
  }
  return { record };
}
