/** The DynamoDB implementation of ResourceStore: one table, compare-and-set on every write. */

import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { canonicalJson, specHash } from "../crds/hash.js";
import { DEFAULT_NAMESPACE, type Kind, parseTimestamp } from "../crds/meta.js";
import { ClaimIo } from "./claims.js";
import { createStoreClients, type StoreClientConfig, type StoreClients } from "./clients.js";
import { ConflictError, InvalidError, InvalidItemError, NotFoundError } from "./errors.js";
import { DynamoEvents } from "./events.js";
import { checkItem } from "./item-check.js";
import {
  assertItemFits,
  derivedUid,
  type ItemKey,
  isKind,
  itemSize,
  itemToResource,
  KIND_INDEX,
  MAX_ITEM_BYTES,
  newResourceItem,
  resourceItemKey,
} from "./layout.js";
import { DynamoLeases } from "./lease.js";
import { RecordIo } from "./record-io.js";
import { DynamoSyncOwners } from "./sync-owners.js";
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
  WatchHandle,
  WatchHandlers,
  WatchOptions,
} from "./types.js";
import { startWatch } from "./watch.js";
import { updatePlan, versionCondition } from "./write-plan.js";

/** Settings for DynamoResourceStore. */
export interface DynamoStoreOptions {
  tableName: string;
  client: StoreClientConfig;
  /** SDK attempts per call (including the first); default 3. */
  maxAttempts?: number;
  /** How often the stream watcher looks for new shards (ms); default 10 s. */
  shardDiscoveryIntervalMs?: number;
  /** Clock, for tests. */
  now?: () => Date;
}

/** How often `delete` re-reads and retries when a concurrent write wins (it takes no resourceVersion). */
const DELETE_ATTEMPTS = 10;

/** A ResourceStore on one DynamoDB table (layout in layout.ts). */
export class DynamoResourceStore implements ResourceStore {
  /** The table this store reads and writes. */
  readonly tableName: string;
  /** The SDK clients (exposed for `createTable` and tests). */
  readonly clients: StoreClients;
  /** Lease primitives for leader election, in the same table. */
  readonly leases: DynamoLeases;
  /** Which CatalogSync owns each Cloud Map namespace, in the same table. */
  readonly syncOwners: DynamoSyncOwners;
  /** Event items (`_event#<namespace>`), in the same table. */
  readonly events: DynamoEvents;
  private readonly io: RecordIo;
  private readonly claims: ClaimIo;
  private readonly now: () => Date;
  private readonly shardDiscoveryIntervalMs: number;

  constructor(options: DynamoStoreOptions) {
    this.tableName = options.tableName;
    this.clients = createStoreClients(options.client, options.maxAttempts ?? 3);
    this.now = options.now ?? (() => new Date());
    this.shardDiscoveryIntervalMs = options.shardDiscoveryIntervalMs ?? 10_000;
    this.leases = new DynamoLeases(this.clients.documents, this.tableName, this.now);
    this.syncOwners = new DynamoSyncOwners(this.clients.documents, this.tableName);
    this.events = new DynamoEvents(this.clients.documents, this.tableName);
    this.io = new RecordIo(this.clients.documents, this.tableName);
    this.claims = new ClaimIo(this.clients.documents, this.tableName, this.now);
  }

  /** Releases the SDK clients' sockets. */
  destroy(): void {
    this.clients.dynamodb.destroy();
    this.clients.streams.destroy();
  }

  async create(doc: ResourceDocument): Promise<StoredResource> {
    const namespace = doc.metadata.namespace ?? DEFAULT_NAMESPACE;
    const key = resourceItemKey(doc.kind, namespace, doc.metadata.name);
    const resource: StoredResource = {
      apiVersion: doc.apiVersion,
      kind: doc.kind,
      metadata: {
        name: doc.metadata.name,
        namespace,
        uid: derivedUid(key),
        generation: 1,
        resourceVersion: "1",
        finalizers: [],
        labels: doc.metadata.labels ?? {},
        annotations: doc.metadata.annotations ?? {},
        ownerReferences: doc.metadata.ownerReferences ?? [],
      },
      spec: doc.spec,
      specHash: specHash(doc.spec),
    };
    const item = newResourceItem(resource);
    assertItemFits(item, `${doc.kind} ${namespace}/${doc.metadata.name}`);
    await this.io.putNew(key, item, `create ${describe(doc.kind, namespace, doc.metadata.name)}`);
    return resource;
  }

  async get(kind: Kind, namespace: string, name: string): Promise<StoredResource> {
    const item = await this.io.read(resourceItemKey(kind, namespace, name));
    if (!item) throw new NotFoundError(`${describe(kind, namespace, name)} not found`);
    const checked = checkItem(item);
    if (checked !== undefined && "invalid" in checked) throw new InvalidItemError(checked.invalid);
    return checked?.record ?? itemToResource(item);
  }

  async list(kind: Kind, options: ListOptions = {}): Promise<StoredResource[]> {
    if (!isKind(kind)) throw new InvalidError(`unknown kind ${JSON.stringify(kind)}`);
    const { namespace } = options;
    // One namespace: the base table (pk = NS, sk begins with "<Kind>#"), which `dynamodb:LeadingKeys` can
    // restrict and which reads consistently. All namespaces: the kind index. Never a Scan.
    const input =
      namespace === undefined
        ? {
            IndexName: KIND_INDEX,
            KeyConditionExpression: "#kind = :kind",
            ExpressionAttributeNames: { "#kind": "kind" },
            ExpressionAttributeValues: { ":kind": kind },
          }
        : {
            ConsistentRead: true,
            KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :prefix)",
            ExpressionAttributeNames: { "#pk": "pk", "#sk": "sk" },
            ExpressionAttributeValues: {
              ":pk": resourceItemKey(kind, namespace, "x").pk,
              ":prefix": `${kind}#`,
            },
          };
    const out: StoredResource[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.io.query(
        `list ${kind}`,
        new QueryCommand({
          TableName: this.tableName,
          ...input,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        // Items that are not valid records are left out (never fatal for the whole list) and reported.
        const checked = checkItem(item);
        if (checked === undefined) continue;
        if ("invalid" in checked) options.onInvalidItem?.(checked.invalid, "present");
        else if (checked.record.kind === kind) out.push(checked.record);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return out.sort(
      (a, b) =>
        a.metadata.namespace.localeCompare(b.metadata.namespace) ||
        a.metadata.name.localeCompare(b.metadata.name),
    );
  }

  async apply(
    doc: ResourceDocument,
    options: { expectedResourceVersion?: string } = {},
  ): Promise<ApplyResult> {
    const namespace = doc.metadata.namespace ?? DEFAULT_NAMESPACE;
    const key = resourceItemKey(doc.kind, namespace, doc.metadata.name);
    const what = `apply ${describe(doc.kind, namespace, doc.metadata.name)}`;
    const expected = options.expectedResourceVersion ?? doc.metadata.resourceVersion;
    if (expected !== undefined) versionCondition(expected);
    const item = await this.io.read(key);
    if (!item) {
      if (expected !== undefined) {
        throw new ConflictError(
          `${what}: it does not exist (expected resourceVersion ${expected})`,
          undefined,
        );
      }
      return { outcome: "created", resource: await this.create(doc) };
    }
    const current = itemToResource(item);
    if (expected !== undefined && expected !== current.metadata.resourceVersion) {
      throw new ConflictError(
        `${what}: resourceVersion is ${current.metadata.resourceVersion}, not ${expected}`,
        current,
      );
    }
    // ownerReferences only when the document carries them (the controller's child): a spec writer's apply
    // never touches an attribute the SpecWriter policy keeps it off.
    const desired = {
      apiVersion: doc.apiVersion,
      spec: doc.spec,
      specHash: specHash(doc.spec),
      labels: doc.metadata.labels ?? {},
      annotations: doc.metadata.annotations ?? {},
      ...(doc.metadata.ownerReferences === undefined
        ? {}
        : { ownerReferences: doc.metadata.ownerReferences }),
    };
    const specChanged = desired.specHash !== current.specHash;
    const unchanged =
      !specChanged &&
      desired.apiVersion === current.apiVersion &&
      sameJson(desired.labels, current.metadata.labels) &&
      sameJson(desired.annotations, current.metadata.annotations) &&
      (desired.ownerReferences === undefined ||
        sameJson(desired.ownerReferences, current.metadata.ownerReferences));
    if (unchanged) return { outcome: "unchanged", resource: current };
    const set: Record<string, unknown> = {
      ...desired,
      kind: doc.kind,
      name: doc.metadata.name,
      namespace,
      generation: current.metadata.generation + (specChanged ? 1 : 0),
    };
    assertItemFits({ ...item, ...set }, what);
    const plan = updatePlan(set, current.metadata.resourceVersion);
    const resource = await this.io.update(key, plan, what, "conflict");
    return { outcome: "updated", resource };
  }

  async updateStatus(
    kind: Kind,
    namespace: string,
    name: string,
    status: Record<string, unknown>,
    resourceVersion: string,
  ): Promise<StoredResource> {
    const key = resourceItemKey(kind, namespace, name);
    const what = `update status of ${describe(kind, namespace, name)}`;
    assertItemFits({ status }, what);
    return await this.io.update(key, updatePlan({ status }, resourceVersion), what, "notFound");
  }

  async delete(kind: Kind, namespace: string, name: string): Promise<DeleteResult> {
    const key = resourceItemKey(kind, namespace, name);
    const what = `delete ${describe(kind, namespace, name)}`;
    for (let attempt = 1; ; attempt++) {
      const item = await this.io.read(key);
      if (!item) throw new NotFoundError(`${describe(kind, namespace, name)} not found`);
      const current = itemToResource(item);
      const version = current.metadata.resourceVersion;
      try {
        if (current.metadata.finalizers.length === 0) {
          await this.io.remove(key, version, what);
          const deletionTimestamp = current.metadata.deletionTimestamp ?? this.now().toISOString();
          return {
            removed: true,
            resource: { ...current, metadata: { ...current.metadata, deletionTimestamp } },
          };
        }
        if (current.metadata.deletionTimestamp !== undefined) return { removed: false, resource: current };
        const plan = updatePlan({ deletionTimestamp: this.now().toISOString() }, version);
        return { removed: false, resource: await this.io.update(key, plan, what, "notFound") };
      } catch (error) {
        // delete takes no resourceVersion, so a concurrent write is ours to retry.
        if (!(error instanceof ConflictError) || attempt >= DELETE_ATTEMPTS) throw error;
      }
    }
  }

  async stampCreationTimestamp(
    kind: Kind,
    namespace: string,
    name: string,
    creationTimestamp: string,
    resourceVersion: string,
  ): Promise<StoredResource> {
    if (parseTimestamp(creationTimestamp) === undefined) {
      throw new InvalidError(`creationTimestamp ${JSON.stringify(creationTimestamp)} is not a time`);
    }
    const key = resourceItemKey(kind, namespace, name);
    const what = `stamp creationTimestamp of ${describe(kind, namespace, name)}`;
    const current = await this.readAt(key, resourceVersion, what);
    if (current.metadata.creationTimestamp !== undefined) return current;
    return await this.io.update(key, updatePlan({ creationTimestamp }, resourceVersion), what, "notFound");
  }

  async addFinalizer(
    kind: Kind,
    namespace: string,
    name: string,
    finalizer: string,
    resourceVersion: string,
  ): Promise<StoredResource> {
    checkFinalizer(finalizer);
    const key = resourceItemKey(kind, namespace, name);
    const what = `add finalizer ${finalizer} to ${describe(kind, namespace, name)}`;
    const current = await this.readAt(key, resourceVersion, what);
    if (current.metadata.finalizers.includes(finalizer)) return current;
    if (current.metadata.deletionTimestamp !== undefined) {
      throw new InvalidError(`${what}: the record is being deleted; finalizers can only be removed now`);
    }
    const plan = updatePlan({ finalizers: [...current.metadata.finalizers, finalizer] }, resourceVersion);
    return await this.io.update(key, plan, what, "notFound");
  }

  async removeFinalizer(
    kind: Kind,
    namespace: string,
    name: string,
    finalizer: string,
    resourceVersion: string,
  ): Promise<StoredResource | null> {
    const key = resourceItemKey(kind, namespace, name);
    const what = `remove finalizer ${finalizer} from ${describe(kind, namespace, name)}`;
    const current = await this.readAt(key, resourceVersion, what);
    if (!current.metadata.finalizers.includes(finalizer)) return current;
    const finalizers = current.metadata.finalizers.filter((f) => f !== finalizer);
    if (finalizers.length === 0 && current.metadata.deletionTimestamp !== undefined) {
      await this.io.remove(key, resourceVersion, what);
      return null;
    }
    return await this.io.update(key, updatePlan({ finalizers }, resourceVersion), what, "notFound");
  }

  async updateInvalidItemStatus(item: InvalidItem, status: Record<string, unknown>): Promise<boolean> {
    if (!item.addressable)
      throw new InvalidError(`${item.kind} ${item.pk}/${item.name}: the store cannot address it`);
    if (item.bytes + itemSize({ status }) > MAX_ITEM_BYTES) return false;
    const key = resourceItemKey(item.kind, item.pk, item.name);
    const what = `update status of invalid item ${describe(item.kind, item.pk, item.name)}`;
    await this.io.updateRaw(key, updatePlan({ status }, item.resourceVersion), what);
    return true;
  }

  async getClaim(scope: string, name: string): Promise<NameClaim | undefined> {
    return await this.claims.get(scope, name);
  }

  async claimName(scope: string, name: string, owner: ClaimOwner): Promise<NameClaim> {
    return await this.claims.claim(scope, name, owner);
  }

  async takeOverClaim(stale: NameClaim, owner: ClaimOwner): Promise<NameClaim> {
    return await this.claims.takeOver(stale, owner);
  }

  async releaseClaim(scope: string, name: string, ownerUid: string): Promise<void> {
    await this.claims.release(scope, name, ownerUid);
  }

  async watch(handlers: WatchHandlers, options: WatchOptions = {}): Promise<WatchHandle> {
    return await startWatch(
      {
        clients: this.clients,
        tableName: this.tableName,
        shardDiscoveryIntervalMs: this.shardDiscoveryIntervalMs,
        list: (kind, options) => this.list(kind, options),
        probe: async (kind, namespace, name) => {
          const item = await this.io.read(resourceItemKey(kind, namespace, name));
          return item === undefined ? undefined : checkItem(item);
        },
      },
      handlers,
      options,
    );
  }

  /** Reads the record and checks it is at `resourceVersion`; NotFoundError or ConflictError otherwise. */
  private async readAt(key: ItemKey, resourceVersion: string, what: string): Promise<StoredResource> {
    versionCondition(resourceVersion);
    const item = await this.io.read(key);
    if (!item) throw new NotFoundError(`${what}: not found`);
    const current = itemToResource(item);
    if (current.metadata.resourceVersion !== resourceVersion) {
      throw new ConflictError(
        `${what}: resourceVersion is ${current.metadata.resourceVersion}, not ${resourceVersion}`,
        current,
      );
    }
    return current;
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function describe(kind: Kind, namespace: string, name: string): string {
  return `${kind} ${namespace}/${name}`;
}

function checkFinalizer(finalizer: string): void {
  if (!/^[A-Za-z0-9][-A-Za-z0-9_.]*(\/[-A-Za-z0-9_.]+)?$/.test(finalizer) || finalizer.length > 253) {
    throw new InvalidError(
      `finalizer ${JSON.stringify(finalizer)} is not a qualified name like fargate-operator/cleanup`,
    );
  }
}
