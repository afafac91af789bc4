/**
 * The catalog sync engine's contract (DESIGN 6): what it is configured with, what it reports, and how it is run.
 * One engine per CatalogSync; the CatalogSync reconciler (placement: controller) and `fargatectl catalog-sync`
 * (placement: task) both build it with `createSyncEngine` (src/sync/engine.ts) and persist its reports with the
 * status writer. Types only.
 */

/** Settings of one direction. Patterns are names or globs (`*` any run of characters, `?` one character). */
export interface SyncDirectionSettings {
  enabled: boolean;
  /** Names or globs to sync; empty means every service. */
  include: string[];
  /** Names or globs never synced (wins over include). */
  exclude: string[];
  /** Added to the source name to form the target name (toCloudMap: Consul → Cloud Map; toConsul: the reverse). */
  prefix: string;
}

/** Everything one engine needs to know about what it syncs. */
export interface SyncEngineConfig {
  /** The CatalogSync: its uid is the ownership marker on both sides; namespace/name for messages and status. */
  owner: { uid: string; namespace: string; name: string };
  /** The Cloud Map private DNS namespace. */
  cloudMapNamespace: { id: string; dnsName: string };
  /** Consul datacenter, when the spec names one. */
  datacenter?: string;
  toCloudMap: SyncDirectionSettings;
  toConsul: SyncDirectionSettings;
  /** Cloud Map → Consul poll interval. */
  pollIntervalMs: number;
  /** How long something that vanished without explanation stays before it is removed. */
  deleteGraceMs: number;
  /** TTL of the A and SRV records of the Cloud Map services the engine creates (default 10 s). */
  dnsTtlSeconds?: number;
}

/** What the engine mirrored for one Cloud Map service into Consul (what FargateService reads for ConsulRegistered). */
export interface MirroredToConsul {
  cloudMapServiceId: string;
  cloudMapName: string;
  /** Consul service name (with the toConsul prefix). */
  consulName: string;
  /** Instances registered in Consul, and how many of them are passing. */
  instances: number;
  passing: number;
  /** Why it is not mirrored, when its Consul name is refused (instances the engine did not register are there). */
  refused?: string;
}

/** What the engine mirrored for one Consul service into Cloud Map. */
export interface MirroredToCloudMap {
  consulName: string;
  /** Cloud Map service name (with the toCloudMap prefix). */
  cloudMapName: string;
  cloudMapServiceId: string;
  instances: number;
  healthy: number;
}

/** A snapshot of the engine, reported after every sync round that changed or learned something. */
export interface SyncReport {
  /** True while this engine holds the namespace's lease and writes; false while it waits (another one writes). */
  writer: boolean;
  toCloudMap: MirroredToCloudMap[];
  toConsul: MirroredToConsul[];
  /** ISO time of the last complete round in each direction (undefined until the first). */
  lastSyncToCloudMap?: string;
  lastSyncToConsul?: string;
  /** Observed propagation lag of the last round with changes, ms (source change seen → target written). */
  lagMs?: { toCloudMap?: number; toConsul?: number };
  /** The latest failure per direction while it lasts (cleared by the next good round); never secrets. */
  errors: { toCloudMap?: string; toConsul?: string };
  /** Writes made since start, per direction (registrations, deregistrations, health updates, services). */
  writes: { toCloudMap: number; toConsul: number };
  /** Entries the last round of a direction could not sync (each named in `errors`); absent when none. */
  skipped?: { toCloudMap?: number; toConsul?: number };
}

/** A running engine. */
export interface SyncEngine {
  /** Starts the loops (returns once started; the lease may still be waited for). */
  start(): Promise<void>;
  /** Stops the loops, releases the lease, and resolves when every call in flight has settled. */
  stop(): Promise<void>;
  /** The latest report. */
  report(): SyncReport;
}
