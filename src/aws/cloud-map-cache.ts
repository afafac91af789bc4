/**
 * What the FargateService reconciler knows of Cloud Map services, so a steady-state resync costs about one
 * ListServices page per 100 services of a namespace instead of a GetService and a ListTagsForResource per record
 * (DESIGN.md §11, budget ≤ 1 Cloud Map call per 10 services per resync).
 *
 * - Services: one listing per namespace (ListServices pages of 100) serves every record of that namespace while
 *   it is younger than the reader's max age; one listing per namespace is in flight at a time (reads it covers
 *   share it; younger-than-it reads queue into one follow-up). Our own writes land in the listing at once, and a
 *   listing sent before a write never undoes it.
 * - Tags, by ARN: they change only when somebody writes them, and our writes go through here (write-through).
 *   Callers ask for a fresh read before anything that writes, adopts or deletes; a NotFound drops what is known.
 *   Out-of-band retags are caught by a slow rolling refresh: every listing retires the tags read longest ago,
 *   at a rate that re-reads each service's tags once per `tagCycleMs` (default 20 resync periods).
 */
import type { Clock } from "../clock.js";
import { AwsNotFoundError } from "./errors.js";
import { whileNotAborted } from "./service-cache.js";
import type {
  CloudMapCreateServiceInput,
  CloudMapGateway,
  CloudMapServiceInfo,
  DnsRecord,
  TagMap,
} from "./types.js";

/** The gateway calls the cache makes. */
export type CloudMapCacheGateway = Pick<
  CloudMapGateway,
  | "listServices"
  | "getService"
  | "listTags"
  | "createService"
  | "tagResource"
  | "untagResource"
  | "updateServiceDnsRecords"
  | "deleteService"
>;

/** Default time in which every cached tag set is read again (20 × the controller's default 10-minute resync). */
export const DEFAULT_TAG_CYCLE_MS = 20 * 600_000;

interface Known {
  /** undefined: deleted by us (a tombstone until a listing sent after the deletion agrees). */
  info: CloudMapServiceInfo | undefined;
  /** Write sequence number of our write that put it here; 0 when it came from a listing. */
  seq: number;
}

interface Listing {
  startedAt: number;
  done: Promise<void>;
}

interface NamespaceState {
  services: Map<string, Known>;
  /** Clock time the last successful listing was sent. */
  listedAt: number | undefined;
  inflight: Listing | undefined;
  next: Listing | undefined;
  /** Tag reads owed to the rolling refresh (fractional). */
  tagCredit: number;
  creditedAt: number | undefined;
}

interface TagEntry {
  tags: TagMap;
  readAt: number;
  /** Picked by the rolling refresh (or invalidated): the next read goes to Cloud Map. */
  stale: boolean;
}

/** The cache; one per controller process, shared by every FargateService pass. */
export class CloudMapServiceCache {
  private readonly namespaces = new Map<string, NamespaceState>();
  private readonly tagEntries = new Map<string, TagEntry>();
  /** Tag writes per ARN, so a read that overlapped a write is not taken for the latest word. */
  private readonly tagWrites = new Map<string, number>();
  private seq = 0;

  constructor(
    private readonly clock: Clock,
    private readonly gateway: CloudMapCacheGateway,
    private readonly tagCycleMs: number = DEFAULT_TAG_CYCLE_MS,
  ) {}

  /** The service as a listing of its namespace no older than `maxAgeMs` shows it; undefined when it does not. */
  async service(
    namespaceId: string,
    serviceId: string,
    maxAgeMs: number,
    signal?: AbortSignal,
  ): Promise<CloudMapServiceInfo | undefined> {
    const state = await this.listed(namespaceId, maxAgeMs, signal);
    return copy(state.services.get(serviceId)?.info);
  }

  /** The namespace's service of that name, as {@link service} (undefined when the listing has none). */
  async serviceNamed(
    namespaceId: string,
    name: string,
    maxAgeMs: number,
    signal?: AbortSignal,
  ): Promise<CloudMapServiceInfo | undefined> {
    const state = await this.listed(namespaceId, maxAgeMs, signal);
    for (const { info } of state.services.values()) if (info?.name === name) return copy(info);
    return undefined;
  }

  /** A fresh GetService (the listing may lag, or a write is due); undefined and forgotten on NotFound. */
  async readService(serviceId: string, signal?: AbortSignal): Promise<CloudMapServiceInfo | undefined> {
    try {
      const info = await this.gateway.getService(serviceId, signal);
      this.remember(info.namespaceId, info);
      return copy(info);
    } catch (error) {
      if (!(error instanceof AwsNotFoundError)) throw error;
      this.forgetService(serviceId);
      return undefined;
    }
  }

  /**
   * The ARN's tags: from memory unless `fresh`, never read, invalidated or due for the rolling refresh. A NotFound
   * drops what is known of the ARN and is thrown.
   */
  async tags(arn: string, options: { fresh?: boolean; signal?: AbortSignal } = {}): Promise<TagMap> {
    const entry = this.tagEntries.get(arn);
    if (options.fresh !== true && entry !== undefined && !entry.stale) return { ...entry.tags };
    const writes = this.tagWrites.get(arn);
    try {
      const tags = await this.gateway.listTags(arn, options.signal);
      // A write of ours that landed while the read was out may be missing from it: read again next time.
      const stale = this.tagWrites.get(arn) !== writes;
      this.tagEntries.set(arn, { tags: { ...tags }, readAt: this.clock.now(), stale });
      return { ...tags };
    } catch (error) {
      if (error instanceof AwsNotFoundError) this.tagEntries.delete(arn);
      throw error;
    }
  }

  /** CreateService; the listing and the tags learn the new service at once. */
  async createService(input: CloudMapCreateServiceInput, signal?: AbortSignal): Promise<CloudMapServiceInfo> {
    const info = await this.gateway.createService(input, signal);
    this.remember(info.namespaceId, info);
    const tags: TagMap = {};
    for (const { Key, Value } of input.Tags ?? []) if (Key !== undefined) tags[Key] = Value ?? "";
    this.tagEntries.set(info.arn, { tags, readAt: this.clock.now(), stale: false });
    return { ...info, dnsRecords: info.dnsRecords.map((r) => ({ ...r })) };
  }

  /** TagResource; known tags are updated with what was written (unknown ones stay unknown). */
  async tagResource(arn: string, tags: TagMap, signal?: AbortSignal): Promise<void> {
    this.noteTagWrite(arn);
    try {
      await this.gateway.tagResource(arn, tags, signal);
    } catch (error) {
      this.tagEntries.delete(arn);
      throw error;
    }
    const entry = this.tagEntries.get(arn);
    if (entry !== undefined) Object.assign(entry.tags, tags);
  }

  /** UntagResource; known tags lose the keys. */
  async untagResource(arn: string, keys: string[], signal?: AbortSignal): Promise<void> {
    this.noteTagWrite(arn);
    try {
      await this.gateway.untagResource(arn, keys, signal);
    } catch (error) {
      this.tagEntries.delete(arn);
      throw error;
    }
    const entry = this.tagEntries.get(arn);
    if (entry !== undefined) for (const key of keys) delete entry.tags[key];
  }

  /** UpdateService of the DNS records; the listing's copy carries the new records. */
  async updateServiceDnsRecords(
    service: CloudMapServiceInfo,
    records: DnsRecord[],
    signal?: AbortSignal,
  ): Promise<string> {
    try {
      const operationId = await this.gateway.updateServiceDnsRecords(service.id, records, signal);
      this.remember(service.namespaceId, { ...service, dnsRecords: records.map((r) => ({ ...r })) });
      return operationId;
    } catch (error) {
      if (error instanceof AwsNotFoundError) this.forgetService(service.id);
      throw error;
    }
  }

  /** DeleteService; the service is gone from the listing and its tags are forgotten. */
  async deleteService(service: Pick<CloudMapServiceInfo, "id" | "arn">, signal?: AbortSignal): Promise<void> {
    try {
      await this.gateway.deleteService(service.id, signal);
    } catch (error) {
      if (error instanceof AwsNotFoundError) this.forgetService(service.id);
      throw error;
    }
    this.forgetService(service.id);
    this.tagEntries.delete(service.arn);
    this.tagWrites.delete(service.arn);
  }

  /** Forgets what is known of the ARN's tags: the next read goes to Cloud Map. */
  invalidateTags(arn: string): void {
    const entry = this.tagEntries.get(arn);
    if (entry !== undefined) entry.stale = true;
  }

  /** Marks the service gone in every namespace's listing (a NotFound, or our deletion). */
  forgetService(serviceId: string): void {
    this.seq += 1;
    // In every namespace, known there or not: a listing in flight may still show it.
    for (const state of this.namespaces.values()) {
      const known = state.services.get(serviceId);
      if (known?.info !== undefined) this.tagEntries.delete(known.info.arn);
      state.services.set(serviceId, { info: undefined, seq: this.seq });
    }
  }

  private noteTagWrite(arn: string): void {
    this.tagWrites.set(arn, (this.tagWrites.get(arn) ?? 0) + 1);
  }

  private remember(namespaceId: string, info: CloudMapServiceInfo): void {
    this.seq += 1;
    this.state(namespaceId).services.set(info.id, { info: { ...info }, seq: this.seq });
  }

  private state(namespaceId: string): NamespaceState {
    let state = this.namespaces.get(namespaceId);
    if (state === undefined) {
      state = {
        services: new Map(),
        listedAt: undefined,
        inflight: undefined,
        next: undefined,
        tagCredit: 0,
        creditedAt: undefined,
      };
      this.namespaces.set(namespaceId, state);
    }
    return state;
  }

  /** The namespace's state once a listing no older than `maxAgeMs` has landed. */
  private async listed(namespaceId: string, maxAgeMs: number, signal?: AbortSignal): Promise<NamespaceState> {
    if (signal?.aborted) throw signal.reason;
    const state = this.state(namespaceId);
    const now = this.clock.now();
    if (state.listedAt !== undefined && now - state.listedAt < maxAgeMs) return state;
    await whileNotAborted(this.listingFor(state, namespaceId, now - maxAgeMs), signal);
    return state;
  }

  /** The listing in flight when it was sent at or after `notBefore`, else the single queued follow-up. */
  private listingFor(state: NamespaceState, namespaceId: string, notBefore: number): Promise<void> {
    const { inflight } = state;
    if (inflight === undefined) return this.start(state, namespaceId).done;
    if (inflight.startedAt >= notBefore) return inflight.done;
    if (state.next === undefined) {
      const settled = inflight.done.catch(() => undefined);
      const follow: Listing = {
        startedAt: Number.POSITIVE_INFINITY,
        done: settled.then(() => {
          if (state.next === follow) state.next = undefined;
          return this.start(state, namespaceId).done;
        }),
      };
      state.next = follow;
    }
    return state.next.done;
  }

  private start(state: NamespaceState, namespaceId: string): Listing {
    const startedAt = this.clock.now();
    const seqAtStart = this.seq;
    const listing: Listing = {
      startedAt,
      done: this.gateway.listServices(namespaceId).then((listed) => {
        this.apply(state, namespaceId, listed, seqAtStart, startedAt);
      }),
    };
    state.inflight = listing;
    const clear = (): void => {
      if (state.inflight === listing) state.inflight = undefined;
    };
    listing.done.then(clear, clear);
    return listing;
  }

  private apply(
    state: NamespaceState,
    namespaceId: string,
    listed: CloudMapServiceInfo[],
    seqAtStart: number,
    startedAt: number,
  ): void {
    const services = new Map<string, Known>();
    // Defensive: moto ignores ListServices' NAMESPACE_ID filter.
    for (const info of listed) if (info.namespaceId === namespaceId) services.set(info.id, { info, seq: 0 });
    // Our writes since the listing was sent are newer than what it saw.
    for (const [id, known] of state.services) if (known.seq > seqAtStart) services.set(id, known);
    // Tags of services that are gone (the orphan sweep's deletions, say) are not kept forever.
    for (const [id, known] of state.services) {
      if (known.info !== undefined && !services.has(id)) {
        this.tagEntries.delete(known.info.arn);
        this.tagWrites.delete(known.info.arn);
      }
    }
    state.services = services;
    state.listedAt = Math.max(state.listedAt ?? startedAt, startedAt);
    this.rollTags(state, startedAt);
  }

  /** Marks the namespace's tag sets read longest ago stale, N × elapsed / tagCycleMs of them. */
  private rollTags(state: NamespaceState, now: number): void {
    const elapsed = state.creditedAt === undefined ? 0 : Math.max(0, now - state.creditedAt);
    state.creditedAt = now;
    const entries: TagEntry[] = [];
    for (const { info } of state.services.values()) {
      const entry = info === undefined ? undefined : this.tagEntries.get(info.arn);
      if (entry !== undefined && !entry.stale) entries.push(entry);
    }
    state.tagCredit = Math.min(
      entries.length,
      state.tagCredit + (state.services.size * elapsed) / Math.max(1, this.tagCycleMs),
    );
    const due = Math.floor(state.tagCredit);
    if (due === 0) return;
    state.tagCredit -= due;
    entries.sort((a, b) => a.readAt - b.readAt);
    for (const entry of entries.slice(0, due)) entry.stale = true;
  }
}

function copy(info: CloudMapServiceInfo | undefined): CloudMapServiceInfo | undefined {
  return info === undefined ? undefined : { ...info, dnsRecords: info.dnsRecords.map((r) => ({ ...r })) };
}
