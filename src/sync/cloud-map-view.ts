/**
 * The Cloud Map side as the engine last read it, refreshed every poll: ListServices of the namespace, tags of
 * each service (new ones at once, all of them every resync), and, for the services the engine cares about
 * (its own and the Consul candidates), DiscoverInstancesRevision; ListInstances + GetInstancesHealthStatus only
 * when the revision moved (or at a resync). Health changes do not move the revision, so candidates' health is
 * read every poll. A failed read keeps the last state and marks it stale. The engine's own writes are applied
 * here at once (write-through), so the next plan does not repeat them.
 */
import { AwsNotFoundError } from "../aws/errors.js";
import type {
  CloudMapGateway,
  CloudMapHealthStatus,
  CloudMapServiceInfo,
  DnsRecord,
  TagMap,
} from "../aws/types.js";
import type { Clock } from "../clock.js";
import { classifyService } from "./candidates.js";
import type { CloudMapSnapshot, ObservedService } from "./model.js";
import { describeFailure } from "./pacing.js";
import type { SyncDirectionSettings } from "./types.js";

/** What the view needs. */
export interface CloudMapViewOptions {
  cloudMap: CloudMapGateway;
  clock: Clock;
  namespace: { id: string; dnsName: string };
  uid: string;
  toConsul: SyncDirectionSettings;
  /** Whether the engine's own services are followed (toCloudMap enabled). */
  followOwn: boolean;
  resyncMs: number;
}

interface Entry {
  info: CloudMapServiceInfo;
  tags?: TagMap;
  tagsReadAt: number;
  revision?: number;
  instances?: Map<string, Record<string, string>>;
  listedAt: number;
  health: Record<string, CloudMapHealthStatus>;
  fresh: boolean;
}

/** The namespace's services, their tags, instances and health. */
export class CloudMapView {
  #known = false;
  #error: string | undefined;
  readonly #entries = new Map<string, Entry>();
  readonly #gone = new Set<string>();
  /** Services Consul entries point at that exist but are not listed here, with when that was checked. */
  readonly #present = new Map<string, number>();
  #changedSince: number | undefined;

  constructor(private readonly options: CloudMapViewOptions) {}

  /** True once a ListServices succeeded. */
  get known(): boolean {
    return this.#known;
  }

  /** The first failure of the last refresh, if any. */
  error(): string | undefined {
    return this.#error;
  }

  /** When the oldest change not yet taken was seen; taking it starts a new count. */
  takeChangeSince(): number | undefined {
    const since = this.#changedSince;
    this.#changedSince = undefined;
    return since;
  }

  /** Gives back a taken change time (its round failed, so the change is still not applied). */
  restoreChangeSince(since: number | undefined): void {
    if (since !== undefined) this.#changedSince = Math.min(since, this.#changedSince ?? since);
  }

  /** Everything as last read (copies). */
  snapshot(): CloudMapSnapshot {
    const services: ObservedService[] = [...this.#entries.values()].map((e) => ({
      id: e.info.id,
      arn: e.info.arn,
      name: e.info.name,
      dnsRecords: e.info.dnsRecords.map((r) => ({ ...r })),
      ...(e.info.healthCheck === undefined ? {} : { healthCheck: e.info.healthCheck }),
      ...(e.tags === undefined ? {} : { tags: { ...e.tags } }),
      ...(e.instances === undefined ? {} : { instances: new Map(e.instances) }),
      health: { ...e.health },
      fresh: e.fresh,
    }));
    return { known: this.#known, services, gone: new Set(this.#gone) };
  }

  /** Reads the namespace again; true when anything the planners read changed. */
  async refresh(signal: AbortSignal): Promise<boolean> {
    const before = this.#fingerprint();
    const { cloudMap, namespace } = this.options;
    let listed: CloudMapServiceInfo[];
    try {
      // Defensive: moto ignores ListServices' NAMESPACE_ID filter; another namespace's service is never ours.
      listed = (await cloudMap.listServices(namespace.id, signal)).filter(
        (s) => s.namespaceId === namespace.id,
      );
    } catch (error) {
      if (signal.aborted) throw error;
      this.#error = describeFailure(error);
      for (const e of this.#entries.values()) e.fresh = false;
      return this.#settle(before);
    }
    this.#known = true;
    const errors: string[] = [];
    const ids = new Set(listed.map((s) => s.id));
    for (const [id, entry] of this.#entries) {
      if (ids.has(id)) continue;
      try {
        // Listed no more: only a NotFound from GetService proves it was deleted (lists may lag behind).
        entry.info = await cloudMap.getService(id, signal);
        entry.fresh = false;
      } catch (error) {
        if (signal.aborted) throw error;
        if (error instanceof AwsNotFoundError) {
          this.#entries.delete(id);
          this.#gone.add(id);
        } else {
          entry.fresh = false;
          errors.push(describeFailure(error));
        }
      }
    }
    for (const info of listed) {
      this.#gone.delete(info.id);
      const entry = this.#entries.get(info.id) ?? {
        info,
        tagsReadAt: 0,
        listedAt: 0,
        health: {},
        fresh: false,
      };
      entry.info = info;
      this.#entries.set(info.id, entry);
      try {
        await this.#refreshService(entry, signal);
        entry.fresh = true;
      } catch (error) {
        if (signal.aborted) throw error;
        entry.fresh = false;
        errors.push(`${info.name}: ${describeFailure(error)}`);
      }
    }
    this.#error = errors[0];
    return this.#settle(before);
  }

  async #refreshService(entry: Entry, signal: AbortSignal): Promise<void> {
    const { cloudMap, clock, namespace, resyncMs } = this.options;
    const now = clock.now();
    if (entry.tags === undefined || now - entry.tagsReadAt >= resyncMs) {
      entry.tags = await cloudMap.listTags(entry.info.arn, signal);
      entry.tagsReadAt = now;
    }
    const c = classifyService(entry.info.name, entry.tags, this.options.uid, this.options.toConsul);
    const candidate = c.kind === "candidate";
    if (!candidate && !(c.kind === "ours" && this.options.followOwn)) return;
    const revision = await cloudMap.discoverInstancesRevision(namespace.dnsName, entry.info.name, signal);
    const hasHealth = entry.info.healthCheck !== undefined;
    if (entry.instances === undefined || revision !== entry.revision || now - entry.listedAt >= resyncMs) {
      const instances = await cloudMap.listInstances(entry.info.id, signal);
      entry.health = hasHealth ? await cloudMap.getInstancesHealthStatus(entry.info.id, signal) : {};
      entry.instances = new Map(instances.map((i) => [i.id, i.attributes]));
      entry.revision = revision;
      entry.listedAt = now;
    } else if (candidate && hasHealth && entry.instances.size > 0) {
      entry.health = await cloudMap.getInstancesHealthStatus(entry.info.id, signal);
    }
  }

  #settle(before: string): boolean {
    const changed = this.#fingerprint() !== before;
    if (changed) this.#changedSince ??= this.options.clock.now();
    return changed;
  }

  #fingerprint(): string {
    const services = [...this.#entries.values()].map((e) => [
      e.info.id,
      e.info.name,
      e.info.dnsRecords,
      e.tags,
      e.fresh,
      e.instances === undefined ? null : [...e.instances].sort(([a], [b]) => a.localeCompare(b)),
      Object.entries(e.health).sort(([a], [b]) => a.localeCompare(b)),
    ]);
    return JSON.stringify([this.#known, services, [...this.#gone]]);
  }

  /**
   * Confirms the services that Consul registrations point at but this view never listed (an engine that started
   * after their deletion never saw them go): a GetService NotFound marks them gone, so their entries are removed
   * at once like any deliberate deletion. One that exists (another namespace) is asked again after a resync.
   */
  async confirmReferenced(ids: Iterable<string>, signal: AbortSignal): Promise<void> {
    if (!this.#known) return;
    const now = this.options.clock.now();
    for (const id of ids) {
      if (this.#entries.has(id) || this.#gone.has(id)) continue;
      const checkedAt = this.#present.get(id);
      if (checkedAt !== undefined && now - checkedAt < this.options.resyncMs) continue;
      try {
        await this.options.cloudMap.getService(id, signal);
        this.#present.set(id, now);
      } catch (error) {
        if (signal.aborted) throw error;
        if (error instanceof AwsNotFoundError) {
          this.#present.delete(id);
          this.#gone.add(id);
          this.#changedSince ??= now;
        }
        // Any other failure: nothing is known; the next round asks again.
      }
    }
  }

  /** A service the engine created. */
  noteCreated(info: CloudMapServiceInfo, tags: TagMap): void {
    const now = this.options.clock.now();
    this.#gone.delete(info.id);
    this.#entries.set(info.id, {
      info,
      tags: { ...tags },
      tagsReadAt: now,
      instances: new Map(),
      listedAt: now,
      health: {},
      fresh: true,
    });
  }

  /** An instance the engine registered (with its initial health). */
  noteRegistered(serviceId: string, instanceId: string, attributes: Record<string, string>): void {
    const entry = this.#entries.get(serviceId);
    if (entry === undefined) return;
    const known = entry.instances?.has(instanceId) ?? false;
    entry.instances ??= new Map();
    entry.instances.set(instanceId, { ...attributes });
    const init = attributes.AWS_INIT_HEALTH_STATUS === "UNHEALTHY" ? "UNHEALTHY" : "HEALTHY";
    if (!known && entry.info.healthCheck === "custom") entry.health[instanceId] = init;
  }

  /** A health status the engine pushed. */
  noteHealth(serviceId: string, instanceId: string, status: CloudMapHealthStatus): void {
    const entry = this.#entries.get(serviceId);
    if (entry !== undefined) entry.health[instanceId] = status;
  }

  /** An instance the engine deregistered. */
  noteDeregistered(serviceId: string, instanceId: string): void {
    const entry = this.#entries.get(serviceId);
    entry?.instances?.delete(instanceId);
    if (entry !== undefined) delete entry.health[instanceId];
  }

  /** DNS records the engine replaced. */
  noteRecords(serviceId: string, records: DnsRecord[]): void {
    const entry = this.#entries.get(serviceId);
    if (entry !== undefined) entry.info = { ...entry.info, dnsRecords: records.map((r) => ({ ...r })) };
  }

  /** A service the engine deleted. */
  noteDeleted(serviceId: string): void {
    this.#entries.delete(serviceId);
  }

  /** Forces a full read of a service at the next refresh (after a write found it different than expected). */
  invalidate(serviceId: string): void {
    const entry = this.#entries.get(serviceId);
    if (entry === undefined) return;
    delete entry.revision;
    entry.fresh = false;
  }
}
