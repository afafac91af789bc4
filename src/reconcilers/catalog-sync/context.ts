/** What the CatalogSync machine knows during one pass: its input and what each step found. Types only. */
import type { CatalogSyncSpec, CatalogSyncStatus } from "../../crds/catalog-sync.js";
import type { ObjectMeta } from "../../crds/index.js";

/** Condition reasons of CatalogSync. */
export const CatalogSyncReason = {
  NamespaceNotReady: "NamespaceNotReady",
  NamespaceAlreadySynced: "NamespaceAlreadySynced",
  Starting: "Starting",
  Syncing: "Syncing",
  SyncFailing: "SyncFailing",
  WaitingForLease: "WaitingForLease",
  SyncTaskNotReady: "SyncTaskNotReady",
  SyncTaskRunning: "SyncTaskRunning",
  Deleting: "Deleting",
  PolicyViolation: "PolicyViolation",
} as const;

/** The record a pass works on (validated, defaults applied). */
export interface CatalogSyncRecord {
  metadata: ObjectMeta;
  spec: CatalogSyncSpec;
  status: CatalogSyncStatus;
}

/** Tunables of the reconciler. */
export interface CatalogSyncSettings {
  /** Requeue interval while something is awaited (namespace, child task, first report, deletion). */
  pollIntervalMs: number;
}

/** Where the referenced CloudMapNamespace stands. */
export type SyncNamespaceResolution =
  | { ready: true; namespaceId: string; dnsName: string }
  | { ready: false; message: string };

/** Whether this record may sync its namespace (the first CatalogSync the controller admits owns it). */
export type ExclusivityCheck = { exclusive: true } | { exclusive: false; holder: string };

/** Whether the policy and the credential rules let this record sync at all (checked before anything else). */
export type AccessCheck = { allowed: true } | { allowed: false; reason: string; message: string };

/** What the engine step did (placement: controller). */
export interface EnsuredEngine {
  action: "started" | "restarted" | "unchanged";
}

/** What the child step found (placement: task). */
export interface EnsuredChild {
  name: string;
  /** The child FargateService's Ready condition, when it has one for its current generation. */
  ready: boolean;
  message: string;
}

/** Progress of a deletion pass. */
export interface SyncDeletionProgress {
  complete: boolean;
  message: string;
}

/** The machine's context. */
export interface CatalogSyncContext {
  record: CatalogSyncRecord;
  settings: CatalogSyncSettings;
  now: number;
  access?: AccessCheck;
  namespace?: SyncNamespaceResolution;
  exclusivity?: ExclusivityCheck;
  /** Progress of taking back what a record that may not sync (refused, not the owner) left running. */
  withdrawal?: SyncDeletionProgress;
  engine?: EnsuredEngine;
  child?: EnsuredChild;
  deletion?: SyncDeletionProgress;
}
