/** The resource store's public contract: what the CLI, the controller and GitOps sync program against. */
import type { Kind, ObjectMeta, OwnerReference } from "../crds/meta.js";
import type { EventLog } from "./events.js";

/** A stored record of any kind, as the store returns it (spec and status are plain JSON). */
export interface StoredResource {
  apiVersion: string;
  kind: Kind;
  metadata: ObjectMeta;
  spec: Record<string, unknown>;
  status?: Record<string, unknown>;
  /** sha256 (hex) of the canonical JSON of `spec`; lets the controller see hand-written spec changes. */
  specHash: string;
  /**
   * The random `uid` attribute an item written by an earlier version still carries (never the record's uid).
   * Only for migration: an AWS resource whose ownership tags name this record's namespace and name with this
   * uid was made by this record before uids were derived from keys, and may be re-tagged as ours.
   */
  legacyUid?: string;
}

/** What a writer hands to `create`/`apply`: a validated document with defaults applied. */
export interface ResourceDocument {
  apiVersion: string;
  kind: Kind;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    ownerReferences?: OwnerReference[];
  };
  spec: Record<string, unknown>;
}

/** Outcome of `apply`, as `as const` values. */
export const ApplyOutcome = { Created: "created", Updated: "updated", Unchanged: "unchanged" } as const;

/** One of `created`, `updated`, `unchanged`. */
export type ApplyOutcome = (typeof ApplyOutcome)[keyof typeof ApplyOutcome];

/** Result of `apply`. */
export interface ApplyResult {
  outcome: ApplyOutcome;
  resource: StoredResource;
}

/** Result of `delete`. */
export interface DeleteResult {
  /** True when the item is gone (no finalizers remained); false when it waits on finalizers. */
  removed: boolean;
  resource: StoredResource;
}

/** Why an item under a record's key is not a record the controller may act on, as `as const` values. */
export const InvalidItemReason = {
  /** The namespace or name is not one the store addresses (not a DNS label, too long). */
  UnaddressableKey: "UnaddressableKey",
  /** The `kind` attribute is missing or disagrees with the kind in `sk`. */
  KindMismatch: "KindMismatch",
  /** The item leaves no room for its status under the store's size limit. */
  ItemTooLarge: "ItemTooLarge",
  /** Anything else that keeps the item from reading as a record. */
  MalformedItem: "MalformedItem",
} as const;

/** One of the InvalidItemReason values. */
export type InvalidItemReason = (typeof InvalidItemReason)[keyof typeof InvalidItemReason];

/** An item filed like a record (its `pk`/`sk` or `kind` say so) that is not one; never reconciled. */
export interface InvalidItem {
  reason: InvalidItemReason;
  /** What is wrong and how to fix it. */
  message: string;
  /** The kind it is filed under: the one in `sk`, else its `kind` attribute. */
  kind: Kind;
  pk: string;
  sk: string;
  /** `sk` after `<kind>#` (may be anything, even empty). */
  name: string;
  /** True when the store addresses this key (`kind`, `pk`, `name`): a status can be written onto it. */
  addressable: boolean;
  /** The item's resourceVersion (as the store reads it), for a conditional status write. */
  resourceVersion: string;
  /** The item's generation (as the store reads it). */
  generation: number;
  /** Estimated size of the item without its status (bytes). */
  bytes: number;
  /** Changes whenever the item does, except for `status` and `resourceVersion`. */
  fingerprint: string;
  /** The item's `status` map, if it has one (a status write merges into it). */
  status?: Record<string, unknown>;
}

/** Receives invalid items a list or a watch came across; `removed` when the item was deleted. */
export type InvalidItemHandler = (item: InvalidItem, change: "present" | "removed") => void;

/** Options for listing one kind. */
export interface ListOptions {
  /** One namespace; omit for all namespaces. */
  namespace?: string;
  /** Told about items filed like records that are not (they are left out of the list). */
  onInvalidItem?: InvalidItemHandler;
}

/** A change seen by a watcher. `resource` is the new image (old image for `deleted`). */
export interface WatchEvent {
  type: "added" | "modified" | "deleted";
  kind: Kind;
  resource: StoredResource;
  /** Old image when the stream carries one (modified/deleted). */
  old?: StoredResource;
  /** True when only `status` (or nothing the controller cares about) changed. */
  statusOnly: boolean;
  /** When the change was written, as the stream or the poller saw it (ms since epoch). */
  approximateCreationTime: number;
}

/** Signals from a watcher besides changes. */
export interface WatchHandlers {
  onEvent(event: WatchEvent): void;
  /** The watcher lost continuity (shard gap, TrimmedDataAccessException, expired iterator it could not refresh): relist. */
  onGap(reason: string): void;
  onError?(error: Error): void;
  /** Items filed like records that are not; a valid record turning into one is not reported as deleted. */
  onInvalidItem?: InvalidItemHandler;
}

/** A running watch; `stop` resolves when every shard reader has ended. */
export interface WatchHandle {
  stop(): Promise<void>;
  /** "stream" when reading DynamoDB Streams, "poll" in the polling fallback. */
  readonly mode: "stream" | "poll";
}

/** Options for `watch`. */
export interface WatchOptions {
  /** Limit to these kinds; all when omitted. */
  kinds?: Kind[];
  /** Poll interval for shards and for the polling fallback (ms). */
  pollIntervalMs?: number;
  /** Start at the stream's tip (default) or its trim horizon. */
  from?: "latest" | "trimHorizon";
  signal?: AbortSignal;
}

/** The record that holds a name claim. */
export interface ClaimOwner {
  kind: Kind;
  namespace: string;
  name: string;
  uid: string;
}

/**
 * A name claim (DESIGN 11, NamespacePolicy): a Cloud Map or Consul service name belongs to the first record that
 * claims it. `scope` says where the name is unique (e.g. `CloudMap/<namespace>/<CloudMapNamespace>`, `Consul`).
 */
export interface NameClaim {
  scope: string;
  name: string;
  owner: ClaimOwner;
  /** When the store wrote the claim (ISO time). */
  claimedAt: string;
}

/** The resource store. Every write is a compare-and-set on `resourceVersion`. */
export interface ResourceStore {
  /** Creates a record; throws ConflictError (with the current item) if it exists. */
  create(doc: ResourceDocument): Promise<StoredResource>;
  /** Reads a record; throws NotFoundError, or InvalidItemError when the item there is not a valid record. */
  get(kind: Kind, namespace: string, name: string): Promise<StoredResource>;
  /** Lists one kind through the kind index (never a Scan). */
  list(kind: Kind, options?: ListOptions): Promise<StoredResource[]>;
  /**
   * Creates or updates the spec, labels and annotations. With `metadata.resourceVersion` (or
   * `expectedResourceVersion`) the write is conditional on it; otherwise on the version just read.
   * `generation` rises only when the spec really changes. Throws ConflictError on a stale version.
   */
  apply(doc: ResourceDocument, options?: { expectedResourceVersion?: string }): Promise<ApplyResult>;
  /** Replaces `status` only, conditional on `resourceVersion`. Throws ConflictError or NotFoundError. */
  updateStatus(
    kind: Kind,
    namespace: string,
    name: string,
    status: Record<string, unknown>,
    resourceVersion: string,
  ): Promise<StoredResource>;
  /** Sets `deletionTimestamp`; removes the item at once when there are no finalizers. */
  delete(kind: Kind, namespace: string, name: string): Promise<DeleteResult>;
  /**
   * Sets `creationTimestamp` (controller only: spec writers never write it), conditional on `resourceVersion`;
   * a record that has one already is returned unchanged.
   */
  stampCreationTimestamp(
    kind: Kind,
    namespace: string,
    name: string,
    creationTimestamp: string,
    resourceVersion: string,
  ): Promise<StoredResource>;
  /** Adds a finalizer (idempotent), conditional on `resourceVersion`. */
  addFinalizer(
    kind: Kind,
    namespace: string,
    name: string,
    finalizer: string,
    resourceVersion: string,
  ): Promise<StoredResource>;
  /** Removes a finalizer; removing the last one of a deleted record removes the item (returns null then). */
  removeFinalizer(
    kind: Kind,
    namespace: string,
    name: string,
    finalizer: string,
    resourceVersion: string,
  ): Promise<StoredResource | null>;
  /**
   * Writes `status` onto an invalid item whose key the store addresses, if it is still at the item's
   * resourceVersion (ConflictError otherwise). Returns false, writing nothing, when the item has no room for it.
   */
  updateInvalidItemStatus?(item: InvalidItem, status: Record<string, unknown>): Promise<boolean>;
  /** Reads a name claim (strongly consistent); undefined when nobody holds the name. */
  getClaim(scope: string, name: string): Promise<NameClaim | undefined>;
  /**
   * Claims a name for `owner` unless somebody holds it (first wins, a conditional put). Returns the claim that
   * holds afterwards: the new one, `owner`'s earlier one, or somebody else's.
   */
  claimName(scope: string, name: string, owner: ClaimOwner): Promise<NameClaim>;
  /**
   * Hands the claim `stale` to `owner`, only if it is still exactly `stale` (same owner uid and claimedAt), so of
   * two takers one wins. Returns the claim that holds afterwards.
   */
  takeOverClaim(stale: NameClaim, owner: ClaimOwner): Promise<NameClaim>;
  /** Deletes the claim if the record with `ownerUid` holds it; absent or somebody else's is left alone. */
  releaseClaim(scope: string, name: string, ownerUid: string): Promise<void>;
  /** The records' events (DESIGN §11 "Events"); absent in stores that keep none (thin test fakes). */
  readonly events?: EventLog;
  /** Follows changes through DynamoDB Streams, or polls when the table has no stream. */
  watch(handlers: WatchHandlers, options?: WatchOptions): Promise<WatchHandle>;
}
