/** CatalogSync: two-way sync between one Consul datacenter and one CloudMapNamespace. Spec and status types. Pure. */
import type { DocumentMeta, LoggingSpec, ObjectRef } from "./common.js";
import type { API_VERSION, CommonStatus, Resource } from "./meta.js";

/** Where the Consul ACL token comes from: exactly one field is set. */
export type ConsulTokenSource = {
  /** An environment variable of the controller (or sync task). */
  env?: string;
  /** A Secrets Manager secret. */
  secretArn?: string;
};

/** Where the mTLS client certificate comes from: one Secrets Manager secret holding key and certificate (PEM). */
export type ConsulClientCertSource = {
  secretArn: string;
};

/** TLS settings for an https Consul address. */
export type ConsulTls = {
  serverName?: string;
  caPem?: string;
  insecureSkipVerify: boolean;
  /** The client certificate for a Consul that requires one (`verify_incoming`); never inline. */
  clientCertFrom?: ConsulClientCertSource;
};

/** How to reach Consul; every field falls back to the controller's own settings. */
export type ConsulConnection = {
  address?: string;
  datacenter?: string;
  tokenFrom?: ConsulTokenSource;
  tls?: ConsulTls;
};

/** One direction of the sync. */
export type SyncDirection = {
  enabled: boolean;
  /** Name globs (`*`); empty means every service. */
  include: string[];
  /** Name globs; exclude wins over include. */
  exclude: string[];
  /** Added to names written into the target. */
  prefix: string;
};

/** Where the sync runs. */
export type SyncPlacement = "controller" | "task";

/** Which engine a sync task runs. */
export type SyncEngine = "builtin" | "consul-aws";

/** The Fargate task that runs the sync with `placement: task`. */
export type SyncTaskSpec = {
  cluster: string;
  subnets: string[];
  securityGroups: string[];
  taskRoleArn: string;
  executionRoleArn: string;
  image?: string;
  cpu: number;
  memory: number;
  logging?: LoggingSpec;
  engine: SyncEngine;
};

/** CatalogSync spec with every default applied. */
export type CatalogSyncSpec = {
  cloudMapNamespaceRef: ObjectRef;
  consul?: ConsulConnection;
  toCloudMap: SyncDirection;
  toConsul: SyncDirection;
  pollIntervalSeconds: number;
  deleteGraceSeconds: number;
  placement: SyncPlacement;
  task?: SyncTaskSpec;
};

/** One service the engine mirrored from Consul into Cloud Map (as reported by the engine). */
export type MirroredServiceToCloudMap = {
  consulName: string;
  cloudMapName: string;
  cloudMapServiceId: string;
  instances: number;
  healthy: number;
};

/** One Cloud Map service the engine mirrored into Consul; FargateService reads `ConsulRegistered` from these. */
export type MirroredServiceToConsul = {
  cloudMapServiceId: string;
  cloudMapName: string;
  consulName: string;
  instances: number;
  passing: number;
  /** Why the engine does not mirror it: its Consul name has instances the engine did not register. */
  refused?: string;
};

/** What the engine last reported (builtin engine only; absent with `engine: consul-aws`). */
export type CatalogSyncReportStatus = {
  /** True while this engine holds the namespace's lease and writes. */
  writer: boolean;
  toCloudMap: MirroredServiceToCloudMap[];
  toConsul: MirroredServiceToConsul[];
  /** When each direction last completed a round. */
  lastSyncToCloudMap?: string;
  lastSyncToConsul?: string;
  /** Propagation lag of the last round with changes, per direction (ms). */
  lagMs?: { toCloudMap?: number; toConsul?: number };
  /** The current failure per direction, cleared by the next good round (never secrets). */
  errors: { toCloudMap?: string; toConsul?: string };
  /** Writes since the engine started, per direction. */
  writes: { toCloudMap: number; toConsul: number };
  /** Entries the last round could not sync, per direction (named in `errors`); absent when none. */
  skipped?: { toCloudMap?: number; toConsul?: number };
  /** When this report was written. */
  reportedAt: string;
};

/** Observed state of a CatalogSync. */
export type CatalogSyncStatus = CommonStatus & {
  /** The Cloud Map namespace the sync runs against (kept for cleanup after the namespace record is gone). */
  namespaceId?: string;
  /** Where the sync runs now. */
  placement?: SyncPlacement;
  /** The engine's last report (builtin engine). */
  sync?: CatalogSyncReportStatus;
  /** Name of the child FargateService (`<name>-sync`) with `placement: task`. */
  childServiceName?: string;
};

/** A CatalogSync document as validated: defaults applied, no status. */
export type CatalogSyncDocument = {
  apiVersion: typeof API_VERSION;
  kind: "CatalogSync";
  metadata: DocumentMeta;
  spec: CatalogSyncSpec;
};

/** A stored CatalogSync record. */
export type CatalogSync = Resource<"CatalogSync", CatalogSyncSpec, CatalogSyncStatus>;
