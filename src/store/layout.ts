/**
 * The table layout and the mapping between items and records. (`fargatectl table create` builds the table.)
 *
 * Base table: partition key `pk` (S), sort key `sk` (S).
 * - Resource items: `pk` = metadata.namespace (so IAM `dynamodb:LeadingKeys` can pin a team to its namespace),
 *   `sk` = `<Kind>#<name>`. Attributes: `apiVersion` S, `kind` S, `name` S, `namespace` S,
 *   `generation` N, `resourceVersion` N (a decimal string in metadata), `creationTimestamp` S,
 *   `deletionTimestamp` S (only while deleting), `labels` M, `annotations` M, `ownerReferences` L,
 *   `finalizers` L, `spec` M, `status` M (absent until the controller writes one), `specHash` S.
 *   Identity and lifecycle attributes (`creationTimestamp`, `finalizers`, `ownerReferences`, `status`) are
 *   separate top-level attributes that only the controller writes, so IAM can keep spec writers off them
 *   (`dynamodb:Attributes`, deploy/iam.cfn.yaml). There is no `uid` attribute: the uid is derived from the key.
 * - Lease items: `pk` = `_lease`, `sk` = the lease name; `holder`, `leaseDurationMs` N, `recordVersionNumber` S,
 *   `renewedAt` S. No `kind`, so they stay out of the index.
 * - Sync owner items: `pk` = `_syncowner`, `sk` = a Cloud Map namespace id; `ownerUid`, `ownerNamespace`,
 *   `ownerName`, `cloudMapNamespaceRef`, `claimedAt` S. Which CatalogSync owns that namespace: written only by the
 *   controller with a conditional put (the first CatalogSync it admits wins), deleted when that CatalogSync goes
 *   (src/store/sync-owners.ts). No `kind`.
 * - Claim items (DESIGN 11, name claims): `pk` = `_claim`, `sk` = `<scope>#<name>`, where the scope is
 *   `CloudMap/<ns>/<CloudMapNamespace name>` for a Cloud Map service name and `Consul` for a Consul service name;
 *   `ownerKind`, `ownerNamespace`, `ownerName`, `ownerUid`, `claimedAt` S. Written only by the controller
 *   (claims.ts): a conditional put `attribute_not_exists(pk)` makes the first claimant the holder. No `kind`, and
 *   `_claim` is never among a spec writer's `dynamodb:LeadingKeys`, so no team can write, fake or release a claim.
 * - Event items (events.ts): `pk` = `_event#<namespace>`, `sk` = `<Kind>#<name>#<ISO first time>#<random>`,
 *   `type`, `reason`, `message`, `count` N, `firstTimestamp`, `lastTimestamp`, `involvedKind`,
 *   `involvedNamespace`, `involvedName`, TTL attribute `expiresAt` (epoch seconds). `kind` = `Event` (no record
 *   kind), only so that all namespaces' events are one Query on the kind index; every record path ignores `_` keys.
 *   Namespaces are DNS labels, so a `_` prefix never clashes.
 * GSI `byKind`: partition key `kind`, sort key `pk`, projection ALL. All namespaces = Query `kind = K` on it.
 * One kind in one namespace could be Query `kind = K AND pk = NS` on the index too, but the store queries the
 * base table (`pk = NS AND begins_with(sk, "K#")`, strongly consistent) so a team whose IAM policy pins
 * `dynamodb:LeadingKeys` to its namespace can list, and a list right after a write sees it. Never a Scan.
 * Billing PAY_PER_REQUEST; stream NEW_AND_OLD_IMAGES; TTL on `expiresAt`.
 *
 * What each write touches (for the IAM policies in deploy/):
 * - create, apply (spec writers): `pk`, `sk`, `apiVersion`, `kind`, `name`, `namespace`, `generation`,
 *   `resourceVersion`, `labels`, `annotations`, `spec`, `specHash`; `ownerReferences` only when the document
 *   carries them (the controller's CatalogSync child). Never `uid`, `creationTimestamp`, `finalizers`, `status`.
 * - delete (spec writers): `deletionTimestamp`, `resourceVersion`; DeleteItem when no finalizers remain.
 * - updateStatus (controller): `status`, `resourceVersion`.
 * - addFinalizer/removeFinalizer (controller): `finalizers`, `resourceVersion`; DeleteItem when the last
 *   finalizer of a deleted record goes.
 * - stampCreationTimestamp (controller): `creationTimestamp`, `resourceVersion`.
 * Every write is conditional on `resourceVersion` and raises it by one.
 *
 * Hand-written items (`aws dynamodb put-item`, Terraform) need only `pk`, `sk`, `kind`, `apiVersion`, `spec`.
 * Reading fills in the rest: `name`/`namespace` from `sk`/`pk`; `uid` = a stable UUID (v5 layout) derived from
 * sha256 of pk and sk, for every record (a `uid` attribute is never read as the uid, so a put-item over a record
 * keeps its identity and no item can carry another key's uid); `generation` 1; `resourceVersion` "0" (the next
 * store write then conditions on `attribute_not_exists(resourceVersion)`); `creationTimestamp` absent until the
 * controller stamps it; `finalizers`/`labels`/`annotations`/`ownerReferences` empty. `specHash` is always computed
 * from `spec` on read (a hand edit of `spec` leaves the stored one stale), so the controller and the watcher see
 * hand-written changes. An item written by an earlier version may still hold a random `uid` attribute: it is
 * reported as `legacyUid`, used only to recognise (and re-tag) that record's own AWS resources.
 */
import { createHash } from "node:crypto";
import { specHash } from "../crds/hash.js";
import {
  API_VERSION,
  KINDS,
  type Kind,
  type ObjectMeta,
  type OwnerReference,
  parseTimestamp,
} from "../crds/meta.js";
import { InvalidError } from "./errors.js";
import type { StoredResource } from "./types.js";

/** Name of the kind index. */
export const KIND_INDEX = "byKind";
/** The TTL attribute of event/history items. */
export const TTL_ATTRIBUTE = "expiresAt";
/** Partition key of lease items. */
export const LEASE_PK = "_lease";
/** Partition key of the items that say which CatalogSync owns a Cloud Map namespace. */
export const SYNC_OWNER_PK = "_syncowner";
/** Partition key of name-claim items. */
export const CLAIM_PK = "_claim";
/** Refuse writes whose estimated item size exceeds this (DynamoDB's hard limit is 400 KB). */
export const MAX_ITEM_BYTES = 350 * 1024;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_NAME_LENGTH = 40;
const MAX_NAMESPACE_LENGTH = 63;

/** A resource item's primary key. */
export interface ItemKey {
  pk: string;
  sk: string;
}

/** True when `value` is one of the known kinds. */
export function isKind(value: unknown): value is Kind {
  return typeof value === "string" && (KINDS as readonly string[]).includes(value);
}

/** Checks kind, namespace and name (DNS labels) and returns the item key; throws InvalidError. */
export function resourceItemKey(kind: string, namespace: string, name: string): ItemKey {
  if (!isKind(kind))
    throw new InvalidError(`unknown kind ${JSON.stringify(kind)}; expected one of ${KINDS.join(", ")}`);
  if (!DNS_LABEL.test(namespace) || namespace.length > MAX_NAMESPACE_LENGTH) {
    throw new InvalidError(
      `namespace ${JSON.stringify(namespace)} is not a DNS label (at most 63 characters)`,
    );
  }
  if (!DNS_LABEL.test(name) || name.length > MAX_NAME_LENGTH) {
    throw new InvalidError(
      `name ${JSON.stringify(name)} is not a DNS label of at most ${MAX_NAME_LENGTH} characters`,
    );
  }
  return { pk: namespace, sk: `${kind}#${name}` };
}

/** Partition key of a namespace's event/history items. */
export function eventPk(namespace: string): string {
  return `_event#${namespace}`;
}

/** True for items that are records (not leases, events or anything else sharing the table). */
export function isResourceItem(item: Record<string, unknown>): boolean {
  return (
    typeof item.pk === "string" &&
    !item.pk.startsWith("_") &&
    typeof item.sk === "string" &&
    isKind(item.kind)
  );
}

/** The uid of every record: a stable UUID (version-5 layout) from sha256 of the item key. */
export function derivedUid(key: ItemKey): string {
  const bytes = createHash("sha256")
    .update(`fargate-operator/uid\0${key.pk}\0${key.sk}`)
    .digest()
    .subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function stringMap(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  const out: Record<string, string> = {};
  for (const [key, member] of Object.entries(value)) if (typeof member === "string") out[key] = member;
  return out;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((member): member is string => typeof member === "string") : [];
}

function ownerReferences(value: unknown): OwnerReference[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((ref: unknown) =>
    isRecord(ref) && isKind(ref.kind) && typeof ref.name === "string" && typeof ref.uid === "string"
      ? [{ kind: ref.kind, name: ref.name, uid: ref.uid }]
      : [],
  );
}

/** The resourceVersion an item's attribute reads as ("0" for anything the store never wrote). */
export function resourceVersionOf(value: unknown): string {
  // Only a number in the store's range is a version (a hand-written fraction reads as its floor); anything else
  // reads as never written. versionCondition matches exactly these readings, so no stored value blocks writes.
  if (typeof value === "number" && value >= 1 && value <= Number.MAX_SAFE_INTEGER)
    return String(Math.floor(value));
  return "0";
}

/** Maps an item (plain JSON, as the document client returns it) to a record; throws InvalidError if it is none. */
export function itemToResource(item: Record<string, unknown>): StoredResource {
  const { pk, sk, kind } = item;
  if (typeof pk !== "string" || typeof sk !== "string" || !isKind(kind) || pk.startsWith("_")) {
    throw new InvalidError(
      `item ${JSON.stringify({ pk, sk })} is not a resource record (needs pk, sk and kind)`,
    );
  }
  const prefix = `${kind}#`;
  if (!sk.startsWith(prefix) || sk.length === prefix.length) {
    throw new InvalidError(
      `item ${JSON.stringify({ pk, sk })}: sk must be "${prefix}<name>" for kind ${kind}`,
    );
  }
  const spec = isRecord(item.spec) ? item.spec : {};
  const generation = typeof item.generation === "number" && item.generation >= 1 ? item.generation : 1;
  const uid = derivedUid({ pk, sk });
  const metadata: ObjectMeta = {
    name: sk.slice(prefix.length),
    namespace: pk,
    uid,
    generation,
    resourceVersion: resourceVersionOf(item.resourceVersion),
    finalizers: stringList(item.finalizers),
    labels: stringMap(item.labels),
    annotations: stringMap(item.annotations),
    ownerReferences: ownerReferences(item.ownerReferences),
  };
  if (isTimestamp(item.creationTimestamp)) metadata.creationTimestamp = item.creationTimestamp;
  if (typeof item.deletionTimestamp === "string") metadata.deletionTimestamp = item.deletionTimestamp;
  const resource: StoredResource = {
    apiVersion: typeof item.apiVersion === "string" ? item.apiVersion : API_VERSION,
    kind,
    metadata,
    spec,
    specHash: specHash(spec),
  };
  if (isRecord(item.status)) resource.status = item.status;
  if (typeof item.uid === "string" && item.uid !== "" && item.uid !== uid) resource.legacyUid = item.uid;
  return resource;
}

/** True for an ISO-8601 time a store write could have stamped (anything else reads as not stamped yet). */
/** Only an RFC 3339 time counts: anything else reads as absent, so the controller stamps over it. */
function isTimestamp(value: unknown): value is string {
  return parseTimestamp(value) !== undefined;
}

/**
 * The item `create` writes for a new record: what a spec writer may write, nothing the controller owns
 * (no `uid`, `creationTimestamp`, `finalizers` or `status`; `ownerReferences` only when there are some).
 */
export function newResourceItem(resource: StoredResource): Record<string, unknown> {
  const { metadata } = resource;
  const key = resourceItemKey(resource.kind, metadata.namespace, metadata.name);
  const item: Record<string, unknown> = {
    ...key,
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    name: metadata.name,
    namespace: metadata.namespace,
    generation: metadata.generation,
    resourceVersion: Number(metadata.resourceVersion),
    labels: metadata.labels,
    annotations: metadata.annotations,
    spec: resource.spec,
    specHash: resource.specHash,
  };
  if (metadata.ownerReferences.length > 0) item.ownerReferences = metadata.ownerReferences;
  return item;
}

function numberSize(value: number): number {
  const digits = String(Math.abs(value))
    .replace(/[.e+-]/g, "")
    .replace(/^0+/, "").length;
  return Math.ceil(digits / 2) + 1;
}

/** Estimated DynamoDB size of a value (per AWS's item-size rules: names + values, 3 bytes per map/list). */
export function attributeSize(value: unknown): number {
  if (typeof value === "string") return Buffer.byteLength(value, "utf8");
  if (typeof value === "number") return numberSize(value);
  if (typeof value === "boolean" || value === null || value === undefined) return 1;
  if (Array.isArray(value)) return value.reduce((sum: number, member) => sum + 1 + attributeSize(member), 3);
  if (isRecord(value)) {
    let sum = 3;
    for (const [key, member] of Object.entries(value))
      sum += 1 + Buffer.byteLength(key, "utf8") + attributeSize(member);
    return sum;
  }
  return 0;
}

/** Estimated size of a whole item in bytes. */
export function itemSize(item: Record<string, unknown>): number {
  let sum = 0;
  for (const [key, value] of Object.entries(item))
    sum += Buffer.byteLength(key, "utf8") + attributeSize(value);
  return sum;
}

/** Throws InvalidError when an item would exceed MAX_ITEM_BYTES. */
export function assertItemFits(item: Record<string, unknown>, what: string): void {
  const size = itemSize(item);
  if (size > MAX_ITEM_BYTES) {
    throw new InvalidError(
      `${what} is about ${Math.ceil(size / 1024)} KB; records are limited to ${MAX_ITEM_BYTES / 1024} KB (keep large data out of spec and status)`,
    );
  }
}
