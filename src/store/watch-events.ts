/** Turning stream records and poll snapshots into WatchEvents. Pure. */
import type { _Record as StreamRecord } from "@aws-sdk/client-dynamodb-streams";
import { canonicalJson } from "../crds/hash.js";
import type { Kind } from "../crds/meta.js";
import { fromAttributeMap, type RawAttributeValue } from "./attribute-value.js";
import { checkItem } from "./item-check.js";
import type { InvalidItem, StoredResource, WatchEvent } from "./types.js";

/** The record an item or image holds, or undefined for leases, events and invalid items (see checkItem). */
export function resourceOrUndefined(item: Record<string, unknown> | undefined): StoredResource | undefined {
  const checked = item === undefined ? undefined : checkItem(item);
  return checked !== undefined && "record" in checked ? checked.record : undefined;
}

/**
 * What the controller cares about: everything but `status`, `resourceVersion` and `creationTimestamp` (spec by
 * its hash). The controller stamps `creationTimestamp` itself before a pass; nothing reconciles on it.
 */
function interesting(resource: StoredResource): string {
  const { resourceVersion: _rv, creationTimestamp: _created, ...metadata } = resource.metadata;
  return canonicalJson({
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    metadata,
    specHash: resource.specHash,
  });
}

/** True when only `status` (and `resourceVersion`) differ between two images of one record. */
export function isStatusOnlyChange(old: StoredResource, next: StoredResource): boolean {
  return interesting(old) === interesting(next);
}

/** True when two images of one record differ at all (the poller's test; hand edits keep resourceVersion). */
export function differs(old: StoredResource, next: StoredResource): boolean {
  return (
    old.metadata.resourceVersion !== next.metadata.resourceVersion ||
    canonicalJson(old) !== canonicalJson(next)
  );
}

/** Builds the event for a change between two images (either may be absent); undefined when nothing to report. */
export function changeEvent(
  old: StoredResource | undefined,
  next: StoredResource | undefined,
  kinds: ReadonlySet<Kind>,
  approximateCreationTime: number,
): WatchEvent | undefined {
  const subject = next ?? old;
  if (!subject || !kinds.has(subject.kind)) return undefined;
  if (next && old) {
    return {
      type: "modified",
      kind: next.kind,
      resource: next,
      old,
      statusOnly: isStatusOnlyChange(old, next),
      approximateCreationTime,
    };
  }
  if (next)
    return { type: "added", kind: next.kind, resource: next, statusOnly: false, approximateCreationTime };
  if (old)
    return {
      type: "deleted",
      kind: old.kind,
      resource: old,
      old,
      statusOnly: false,
      approximateCreationTime,
    };
  return undefined;
}

function image(map: Record<string, unknown> | undefined): StoredResource | undefined {
  return map ? resourceOrUndefined(fromAttributeMap(map as Record<string, RawAttributeValue>)) : undefined;
}

function invalidImage(map: Record<string, unknown> | undefined): InvalidItem | undefined {
  const checked = map ? checkItem(fromAttributeMap(map as Record<string, RawAttributeValue>)) : undefined;
  return checked !== undefined && "invalid" in checked ? checked.invalid : undefined;
}

/** The event a DynamoDB Streams record stands for, or undefined for non-resource items and other kinds. */
export function streamRecordToEvent(record: StreamRecord, kinds: ReadonlySet<Kind>): WatchEvent | undefined {
  const change = record.dynamodb;
  if (!change) return undefined;
  const when = change.ApproximateCreationDateTime?.getTime() ?? Date.now();
  const old = record.eventName === "INSERT" ? undefined : image(change.OldImage);
  const next = record.eventName === "REMOVE" ? undefined : image(change.NewImage);
  // A record overwritten by an invalid item is still there, not deleted: streamRecordToInvalidItem reports it.
  if (next === undefined && record.eventName !== "REMOVE" && invalidImage(change.NewImage)) return undefined;
  return changeEvent(old, next, kinds, when);
}

/** The invalid item a DynamoDB Streams record writes (present) or deletes (removed), for the watched kinds. */
export function streamRecordToInvalidItem(
  record: StreamRecord,
  kinds: ReadonlySet<Kind>,
): { item: InvalidItem; change: "present" | "removed" } | undefined {
  const change = record.dynamodb;
  if (!change) return undefined;
  const removed = record.eventName === "REMOVE";
  const item = invalidImage(removed ? change.OldImage : change.NewImage);
  return item !== undefined && kinds.has(item.kind)
    ? { item, change: removed ? "removed" : "present" }
    : undefined;
}
