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

/** TLS settings for an https Consul address. */
export type ConsulTls = {
  serverName?: string;
  caPem?: string;
  insecureSkipVerify: boolean;
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

/** Observed state of a CatalogSync: what the engine mirrored (empty with `engine: consul-aws`). */
export type CatalogSyncStatus = CommonStatus & {
  /** Service names the engine mirrored, per direction (names as written into the target). */
  mirrored?: { toCloudMap: string[]; toConsul: string[] };
  counts?: {
    servicesToCloudMap: number;
    instancesToCloudMap: number;
    servicesToConsul: number;
    instancesToConsul: number;
  };
  /** When the engine last finished a full pass. */
  lastSyncTime?: string;
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
