/** What an engine is built from besides its configuration, and the settings with their defaults. */
import type { CloudMapGateway } from "../aws/types.js";
import type { Clock } from "../clock.js";
import type { ConsulClient } from "../consul/client.js";
import type { Logger } from "../log.js";
import type { LeaseBackend } from "../runtime/lease-backend.js";
import type { RateSettings } from "./pacing.js";
import type { SyncReport } from "./types.js";

/** The Consul calls the engine makes (a `ConsulClient` satisfies it). */
export type SyncConsulClient = Pick<
  ConsulClient,
  "listServices" | "healthService" | "nodeServices" | "register" | "deregister"
>;

/** The lease that makes one engine per Cloud Map namespace the writer (name: `syncLeaseName(namespaceId)`). */
export interface SyncLease {
  backend: LeaseBackend;
  name: string;
  /** Unique among contenders (e.g. `<host>/<pid>/<uid>`). */
  identity: string;
  durationMs: number;
  heartbeatMs: number;
}

/** Knobs with sensible defaults (tests and the benchmark turn some of them). */
export interface SyncTuning {
  /** How long Consul may hold each blocking query (default 60 s). */
  blockingWaitMs: number;
  /**
   * How often everything is re-read regardless of revisions (default 60 s): tags of every Cloud Map service,
   * the instances of services whose revision did not move, and the engine's registrations in Consul.
   */
  resyncMs: number;
  /** Pacing of Cloud Map writes (default 10/s, burst 20). */
  cloudMapWrites: RateSettings;
  /** Pacing of Consul writes (default 50/s, burst 100). */
  consulWrites: RateSettings;
  /** Longest backoff after repeated failures (default 30 s). */
  maxBackoffMs: number;
}

/** Defaults of {@link SyncTuning}. */
export const DEFAULT_TUNING: SyncTuning = {
  blockingWaitMs: 60_000,
  resyncMs: 60_000,
  cloudMapWrites: { perSecond: 10, burst: 20 },
  consulWrites: { perSecond: 50, burst: 100 },
  maxBackoffMs: 30_000,
};

/** Default DNS TTL of the Cloud Map services the engine creates (seconds). */
export const DEFAULT_DNS_TTL_SECONDS = 10;

/** Default minimum time between two reports. */
export const DEFAULT_MIN_REPORT_INTERVAL_MS = 2_000;

/** Everything `createSyncEngine` needs besides the configuration. */
export interface SyncEngineDeps {
  consul: SyncConsulClient;
  cloudMap: CloudMapGateway;
  clock: Clock;
  log: Logger;
  /** Without it the engine writes at once (tests); with it, only while it holds the lease. */
  lease?: SyncLease;
  /** Receives reports: at most every `minWriteIntervalMs`, and only when something in them changed. */
  onReport?: (report: SyncReport) => void;
  /** Minimum time between two reports (default 2 s). */
  minWriteIntervalMs?: number;
  tuning?: Partial<SyncTuning>;
}
