/**
 * An in-memory ResourceStore and LeaseBackend for controller tests: the same contract as the DynamoDB store
 * (compare-and-set on resourceVersion, generation on spec change, status-only events), with hooks to drop
 * events, simulate a stream gap and inject failures.
 */
import { specHash } from "../../src/crds/hash.js";
import { API_VERSION, DEFAULT_NAMESPACE, type Kind, resourceKey } from "../../src/crds/meta.js";
import type { LeaseBackend, LeaseRecord } from "../../src/runtime/lease-backend.js";
import {
  ConflictError,
  InvalidItemError,
  LeaseConflictError,
  NotFoundError,
} from "../../src/store/errors.js";
import { derivedUid } from "../../src/store/layout.js";
import type {
  ApplyResult,
  ClaimOwner,
  DeleteResult,
  InvalidItem,
  ListOptions,
  NameClaim,
  ResourceDocument,
  ResourceStore,
  StoredResource,
  WatchEvent,
  WatchHandle,
  WatchHandlers,
  WatchOptions,
} from "../../src/store/types.js";

type Operation = "get" | "list" | "apply" | "updateStatus" | "watch";

interface Watcher {
  handlers: WatchHandlers;
  kinds: readonly Kind[] | undefined;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** The in-memory store. */
export class FakeStore implements ResourceStore {
  private readonly items = new Map<string, StoredResource>();
  /** Name claims by `<scope>#<name>` (the table's `_claim` items). */
  readonly claims = new Map<string, NameClaim>();
  private readonly watchers = new Set<Watcher>();
  private readonly failures = new Map<Operation, Error[]>();
  /** While true, changes are stored but not delivered (a stream gap in the making). */
  dropEvents = false;
  /** Calls per operation, for assertions. */
  readonly calls: Record<Operation, number> = { get: 0, list: 0, apply: 0, updateStatus: 0, watch: 0 };
  /** Invalid items (see putInvalid), by record key. */
  private readonly invalid = new Map<string, InvalidItem>();
  /** Record keys of invalid items no list shows (their `kind` attribute names no kind). */
  private readonly unlisted = new Set<string>();
  /** Statuses written onto invalid items, in order. */
  readonly invalidStatusWrites: Array<{ item: InvalidItem; status: Record<string, unknown> }> = [];
  /** Whether invalid items have room for a status. */
  invalidStatusRoom = true;

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** Makes the next call of `op` throw `error` (queued, one per call). */
  failNext(op: Operation, error: Error): void {
    const list = this.failures.get(op) ?? [];
    list.push(error);
    this.failures.set(op, list);
  }

  /**
   * Puts an item that is not a valid record under `item`'s key (a record there is replaced, as a put-item over
   * it would) and tells the watchers, as the store's stream mapping does.
   */
  putInvalid(item: InvalidItem, options: { listed?: boolean; silent?: boolean } = {}): void {
    const key = resourceKey(item.kind, item.pk, item.name);
    this.items.delete(key);
    this.invalid.set(key, clone(item));
    if (options.listed === false) this.unlisted.add(key);
    else this.unlisted.delete(key);
    if (options.silent !== true) this.emitInvalid(item, "present");
  }

  /** Deletes an invalid item put with putInvalid. */
  removeInvalid(item: InvalidItem): void {
    this.invalid.delete(resourceKey(item.kind, item.pk, item.name));
    this.unlisted.delete(resourceKey(item.kind, item.pk, item.name));
    this.emitInvalid(item, "removed");
  }

  async updateInvalidItemStatus(item: InvalidItem, status: Record<string, unknown>): Promise<boolean> {
    if (!this.invalidStatusRoom) return false;
    this.invalidStatusWrites.push({ item: clone(item), status: clone(status) });
    return true;
  }

  private emitInvalid(item: InvalidItem, change: "present" | "removed"): void {
    for (const w of [...this.watchers]) {
      if (w.kinds !== undefined && !w.kinds.includes(item.kind)) continue;
      queueMicrotask(() => {
        if (this.watchers.has(w)) w.handlers.onInvalidItem?.(clone(item), change);
      });
    }
  }

  /** Tells every watcher it lost continuity. */
  emitGap(reason = "simulated gap"): void {
    for (const w of this.watchers) w.handlers.onGap(reason);
  }

  /** Number of running watches. */
  get watcherCount(): number {
    return this.watchers.size;
  }

  async create(doc: ResourceDocument): Promise<StoredResource> {
    const namespace = doc.metadata.namespace ?? DEFAULT_NAMESPACE;
    const key = resourceKey(doc.kind, namespace, doc.metadata.name);
    const existing = this.items.get(key);
    if (existing !== undefined) throw new ConflictError(`${key} already exists`, clone(existing));
    const record: StoredResource = {
      apiVersion: doc.apiVersion,
      kind: doc.kind,
      metadata: {
        name: doc.metadata.name,
        namespace,
        uid: derivedUid({ pk: namespace, sk: `${doc.kind}#${doc.metadata.name}` }),
        generation: 1,
        resourceVersion: "1",
        finalizers: [],
        labels: doc.metadata.labels ?? {},
        annotations: doc.metadata.annotations ?? {},
        ownerReferences: doc.metadata.ownerReferences ?? [],
      },
      spec: clone(doc.spec),
      specHash: specHash(doc.spec),
    };
    this.items.set(key, record);
    this.emit("added", record, undefined, false);
    return clone(record);
  }

  /**
   * A raw put-item over a record (Terraform's table item): the same key with `spec`, and nothing a spec writer may
   * not write (no creationTimestamp, finalizers, ownerReferences or status); resourceVersion reads as "0".
   */
  putItem(kind: Kind, namespace: string, name: string, spec: Record<string, unknown>): StoredResource {
    const key = resourceKey(kind, namespace, name);
    const existing = this.items.get(key);
    const record: StoredResource = {
      apiVersion: API_VERSION,
      kind,
      metadata: {
        name,
        namespace,
        uid: derivedUid({ pk: namespace, sk: `${kind}#${name}` }),
        generation: 1,
        resourceVersion: "0",
        finalizers: [],
        labels: {},
        annotations: {},
        ownerReferences: [],
      },
      spec: clone(spec),
      specHash: specHash(spec),
    };
    this.items.set(key, record);
    this.emit(existing === undefined ? "added" : "modified", record, existing, false);
    return clone(record);
  }

  async get(kind: Kind, namespace: string, name: string): Promise<StoredResource> {
    this.maybeFail("get");
    const invalid = this.invalid.get(resourceKey(kind, namespace, name));
    if (invalid !== undefined) throw new InvalidItemError(clone(invalid));
    const record = this.items.get(resourceKey(kind, namespace, name));
    if (record === undefined) throw new NotFoundError(`${resourceKey(kind, namespace, name)} not found`);
    return clone(record);
  }

  async list(kind: Kind, options: ListOptions = {}): Promise<StoredResource[]> {
    this.maybeFail("list");
    for (const [key, item] of this.invalid) {
      if (this.unlisted.has(key)) continue;
      if (item.kind === kind && (options.namespace === undefined || item.pk === options.namespace))
        options.onInvalidItem?.(clone(item), "present");
    }
    return [...this.items.values()]
      .filter(
        (r) =>
          r.kind === kind && (options.namespace === undefined || r.metadata.namespace === options.namespace),
      )
      .map(clone);
  }

  async apply(
    doc: ResourceDocument,
    options: { expectedResourceVersion?: string } = {},
  ): Promise<ApplyResult> {
    this.maybeFail("apply");
    const namespace = doc.metadata.namespace ?? DEFAULT_NAMESPACE;
    const key = resourceKey(doc.kind, namespace, doc.metadata.name);
    const existing = this.items.get(key);
    const expected = options.expectedResourceVersion ?? doc.metadata.resourceVersion;
    if (existing === undefined) {
      if (expected !== undefined) throw new ConflictError(`${key} does not exist`, undefined);
      return { outcome: "created", resource: await this.create(doc) };
    }
    if (expected !== undefined && expected !== existing.metadata.resourceVersion) {
      throw new ConflictError(`${key} changed`, clone(existing));
    }
    const hash = specHash(doc.spec);
    const labels = doc.metadata.labels ?? existing.metadata.labels;
    const annotations = doc.metadata.annotations ?? existing.metadata.annotations;
    const specChanged = hash !== existing.specHash;
    if (
      !specChanged &&
      JSON.stringify(labels) === JSON.stringify(existing.metadata.labels) &&
      JSON.stringify(annotations) === JSON.stringify(existing.metadata.annotations)
    ) {
      return { outcome: "unchanged", resource: clone(existing) };
    }
    const next: StoredResource = {
      ...existing,
      metadata: {
        ...existing.metadata,
        labels,
        annotations,
        generation: existing.metadata.generation + (specChanged ? 1 : 0),
        resourceVersion: String(Number(existing.metadata.resourceVersion) + 1),
      },
      spec: clone(doc.spec),
      specHash: hash,
    };
    this.items.set(key, next);
    this.emit("modified", next, existing, false);
    return { outcome: "updated", resource: clone(next) };
  }

  async updateStatus(
    kind: Kind,
    namespace: string,
    name: string,
    status: Record<string, unknown>,
    resourceVersion: string,
  ): Promise<StoredResource> {
    this.maybeFail("updateStatus");
    const existing = this.mustMatch(kind, namespace, name, resourceVersion);
    const next: StoredResource = {
      ...existing,
      metadata: {
        ...existing.metadata,
        resourceVersion: String(Number(existing.metadata.resourceVersion) + 1),
      },
      status: clone(status),
    };
    this.items.set(resourceKey(kind, namespace, name), next);
    this.emit("modified", next, existing, true);
    return clone(next);
  }

  async delete(kind: Kind, namespace: string, name: string): Promise<DeleteResult> {
    const key = resourceKey(kind, namespace, name);
    const existing = this.items.get(key);
    if (existing === undefined) throw new NotFoundError(`${key} not found`);
    if (existing.metadata.finalizers.length === 0) {
      this.items.delete(key);
      this.emit("deleted", existing, existing, false);
      return { removed: true, resource: clone(existing) };
    }
    const next: StoredResource = {
      ...existing,
      metadata: {
        ...existing.metadata,
        deletionTimestamp: existing.metadata.deletionTimestamp ?? new Date(this.now()).toISOString(),
        resourceVersion: String(Number(existing.metadata.resourceVersion) + 1),
      },
    };
    this.items.set(key, next);
    this.emit("modified", next, existing, false);
    return { removed: false, resource: clone(next) };
  }

  async stampCreationTimestamp(
    kind: Kind,
    namespace: string,
    name: string,
    creationTimestamp: string,
    resourceVersion: string,
  ): Promise<StoredResource> {
    const existing = this.mustMatch(kind, namespace, name, resourceVersion);
    if (existing.metadata.creationTimestamp !== undefined) return clone(existing);
    const next: StoredResource = {
      ...existing,
      metadata: {
        ...existing.metadata,
        creationTimestamp,
        resourceVersion: String(Number(existing.metadata.resourceVersion) + 1),
      },
    };
    this.items.set(resourceKey(kind, namespace, name), next);
    this.emit("modified", next, existing, true);
    return clone(next);
  }

  /** A raw DeleteItem (Terraform destroy): the item goes whatever its finalizers, with its old image. */
  removeItem(kind: Kind, namespace: string, name: string): void {
    const key = resourceKey(kind, namespace, name);
    const existing = this.items.get(key);
    if (existing === undefined) throw new NotFoundError(`${key} not found`);
    this.items.delete(key);
    this.emit("deleted", existing, existing, false);
  }

  async addFinalizer(
    kind: Kind,
    namespace: string,
    name: string,
    finalizer: string,
    resourceVersion: string,
  ): Promise<StoredResource> {
    const existing = this.mustMatch(kind, namespace, name, resourceVersion);
    if (existing.metadata.finalizers.includes(finalizer)) return clone(existing);
    const next: StoredResource = {
      ...existing,
      metadata: {
        ...existing.metadata,
        finalizers: [...existing.metadata.finalizers, finalizer],
        resourceVersion: String(Number(existing.metadata.resourceVersion) + 1),
      },
    };
    this.items.set(resourceKey(kind, namespace, name), next);
    this.emit("modified", next, existing, false);
    return clone(next);
  }

  async removeFinalizer(
    kind: Kind,
    namespace: string,
    name: string,
    finalizer: string,
    resourceVersion: string,
  ): Promise<StoredResource | null> {
    const existing = this.mustMatch(kind, namespace, name, resourceVersion);
    const finalizers = existing.metadata.finalizers.filter((f) => f !== finalizer);
    const key = resourceKey(kind, namespace, name);
    if (finalizers.length === 0 && existing.metadata.deletionTimestamp !== undefined) {
      this.items.delete(key);
      this.emit("deleted", existing, existing, false);
      return null;
    }
    const next: StoredResource = {
      ...existing,
      metadata: {
        ...existing.metadata,
        finalizers,
        resourceVersion: String(Number(existing.metadata.resourceVersion) + 1),
      },
    };
    this.items.set(key, next);
    this.emit("modified", next, existing, false);
    return clone(next);
  }

  async getClaim(scope: string, name: string): Promise<NameClaim | undefined> {
    return clone(this.claims.get(`${scope}#${name}`));
  }

  async claimName(scope: string, name: string, owner: ClaimOwner): Promise<NameClaim> {
    const key = `${scope}#${name}`;
    const held = this.claims.get(key);
    if (held !== undefined) return clone(held);
    const claim = { scope, name, owner: clone(owner), claimedAt: new Date(this.now()).toISOString() };
    this.claims.set(key, claim);
    return clone(claim);
  }

  async takeOverClaim(stale: NameClaim, owner: ClaimOwner): Promise<NameClaim> {
    const key = `${stale.scope}#${stale.name}`;
    const held = this.claims.get(key);
    if (held === undefined) return await this.claimName(stale.scope, stale.name, owner);
    if (held.owner.uid !== stale.owner.uid || held.claimedAt !== stale.claimedAt) return clone(held);
    const claim = { ...stale, owner: clone(owner), claimedAt: new Date(this.now()).toISOString() };
    this.claims.set(key, claim);
    return clone(claim);
  }

  async releaseClaim(scope: string, name: string, ownerUid: string): Promise<void> {
    const key = `${scope}#${name}`;
    if (this.claims.get(key)?.owner.uid === ownerUid) this.claims.delete(key);
  }

  async watch(handlers: WatchHandlers, options: WatchOptions = {}): Promise<WatchHandle> {
    this.maybeFail("watch");
    const watcher: Watcher = { handlers, kinds: options.kinds };
    this.watchers.add(watcher);
    const stop = async (): Promise<void> => {
      this.watchers.delete(watcher);
    };
    options.signal?.addEventListener("abort", () => void stop(), { once: true });
    return { mode: "poll", stop };
  }

  private mustMatch(kind: Kind, namespace: string, name: string, resourceVersion: string): StoredResource {
    const key = resourceKey(kind, namespace, name);
    const existing = this.items.get(key);
    if (existing === undefined) throw new NotFoundError(`${key} not found`);
    if (existing.metadata.resourceVersion !== resourceVersion) {
      throw new ConflictError(
        `${key} changed (have ${resourceVersion}, now ${existing.metadata.resourceVersion})`,
        clone(existing),
      );
    }
    return existing;
  }

  private maybeFail(op: Operation): void {
    this.calls[op]++;
    const error = this.failures.get(op)?.shift();
    if (error !== undefined) throw error;
  }

  private emit(
    type: WatchEvent["type"],
    resource: StoredResource,
    old: StoredResource | undefined,
    statusOnly: boolean,
  ): void {
    if (this.dropEvents) return;
    const event: WatchEvent = {
      type,
      kind: resource.kind,
      resource: clone(resource),
      ...(old === undefined ? {} : { old: clone(old) }),
      statusOnly,
      approximateCreationTime: this.now(),
    };
    // Delivered asynchronously, as a stream reader would.
    for (const w of [...this.watchers]) {
      if (w.kinds !== undefined && !w.kinds.includes(resource.kind)) continue;
      queueMicrotask(() => {
        if (this.watchers.has(w)) w.handlers.onEvent(clone(event));
      });
    }
  }
}

/** In-memory leases with the store's semantics (LeaseConflictError on a lost condition); shareable by contenders. */
export class FakeLeases implements LeaseBackend {
  private readonly leases = new Map<string, LeaseRecord>();
  /** While set, every call throws it (the store is unreachable). */
  outage: Error | undefined;
  private seq = 0;

  async readLease(name: string): Promise<LeaseRecord | undefined> {
    this.check();
    const lease = this.leases.get(name);
    return lease === undefined ? undefined : { ...lease };
  }

  async acquireLease(
    name: string,
    holder: string,
    leaseDurationMs: number,
    expectedRecordVersion: string | null,
  ): Promise<LeaseRecord> {
    this.check();
    const current = this.leases.get(name);
    const ok =
      expectedRecordVersion === null
        ? current === undefined
        : current?.recordVersionNumber === expectedRecordVersion;
    if (!ok) throw new LeaseConflictError(`acquire lease ${name}: the lease changed`, undefined);
    const lease: LeaseRecord = { holder, leaseDurationMs, recordVersionNumber: this.version() };
    this.leases.set(name, lease);
    return { ...lease };
  }

  async renewLease(name: string, holder: string, currentRecordVersion: string): Promise<string> {
    this.check();
    const current = this.leases.get(name);
    if (current?.holder !== holder || current.recordVersionNumber !== currentRecordVersion) {
      throw new LeaseConflictError(`renew lease ${name}: the lease changed`, undefined);
    }
    current.recordVersionNumber = this.version();
    return current.recordVersionNumber;
  }

  async releaseLease(name: string, holder: string, recordVersion: string): Promise<void> {
    this.check();
    const current = this.leases.get(name);
    if (current === undefined) return;
    if (current.holder !== holder || current.recordVersionNumber !== recordVersion) {
      throw new LeaseConflictError(`release lease ${name}: the lease changed`, undefined);
    }
    this.leases.delete(name);
  }

  /** The stored lease (for assertions). */
  peek(name: string): LeaseRecord | undefined {
    return this.leases.get(name);
  }

  private version(): string {
    this.seq += 1;
    return `v${this.seq}`;
  }

  private check(): void {
    if (this.outage !== undefined) throw this.outage;
  }
}
