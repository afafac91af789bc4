/**
 * The child FargateService of a CatalogSync with placement: task (DESIGN 10, Owned children): `<name>-sync` in
 * the same metadata.namespace, owned through ownerReferences, running either this project's image as
 * `fargatectl catalog-sync` (the engine config as JSON in one variable with the public TLS settings, the token
 * and the client key + certificate as ECS secrets) or the
 * upstream hashicorp/consul-aws image with the equivalent flags. Pure; no secret value ever appears in it.
 */

import {
  CLIENT_PEM_ENV,
  CONSUL_TOKEN_SECRET_ENV,
  SYNC_CONFIG_ENV,
  type SyncTaskConfig,
} from "../../config/catalog-sync.js";
import type { CatalogSyncSpec, SyncTaskSpec } from "../../crds/catalog-sync.js";
import { API_VERSION, type ObjectMeta } from "../../crds/meta.js";
import { PermanentError } from "../../runtime/errors.js";
import type { ResourceDocument } from "../../store/types.js";
import type { ConsulConnectionPlan } from "./credentials.js";
import { engineConfigOf } from "./engine-config.js";

/** Suffix of the child's name. */
export const SYNC_CHILD_SUFFIX = "-sync";

/** Name of the sync container in the child's task. */
export const SYNC_CONTAINER_NAME = "catalog-sync";

/** The upstream image `engine: consul-aws` runs, pinned by release tag (how it was checked: docs/catalog-sync.md). */
export const CONSUL_AWS_IMAGE = "hashicorp/consul-aws:0.1.2";

/** The Cloud Map TTL given to consul-aws (its own default is 60 s; ours is 10 s). */
export const CONSUL_AWS_DNS_TTL_SECONDS = 10;

/** The variable the sync task reads its Consul token from (ECS fills it from Secrets Manager). */
export const CONSUL_TOKEN_ENV = "CONSUL_HTTP_TOKEN";

/** Reason of the refusals of this module. */
export const ChildReason = { UnsupportedByEngine: "UnsupportedByEngine" } as const;

/** What the child needs besides the CatalogSync. */
export interface SyncChildContext {
  namespace: { namespaceId: string; dnsName: string };
  connection: ConsulConnectionPlan;
  /** This project's image (`--sync-image`). */
  syncImage: string;
  /** Table and region the builtin task writes its lease and reports to. */
  table: string;
  region: string;
}

/** The child's name: `<name>-sync`. */
export function syncChildName(name: string): string {
  return `${name}${SYNC_CHILD_SUFFIX}`;
}

/** The JSON config the builtin sync task reads from FARGATE_OPERATOR_SYNC_CONFIG. */
export function syncTaskConfigOf(
  metadata: Pick<ObjectMeta, "uid" | "namespace" | "name">,
  spec: CatalogSyncSpec,
  context: Pick<SyncChildContext, "namespace" | "connection">,
): SyncTaskConfig {
  const tls = context.connection.tls;
  return {
    ...engineConfigOf(metadata, spec, context.namespace),
    consul: {
      address: context.connection.address,
      // The CA and the name are public; the client key travels only as an ECS secret (tokenSecrets).
      ...(tls === undefined
        ? {}
        : {
            tls: {
              ...(tls.caPem === undefined ? {} : { caPem: tls.caPem }),
              ...(tls.serverName === undefined ? {} : { serverName: tls.serverName }),
              ...(tls.insecureSkipVerify ? { insecureSkipVerify: true } : {}),
            },
          }),
    },
  };
}

/** ECS `secrets` of the sync container: the token and the client key + certificate, by ARN only. */
function tokenSecrets(connection: ConsulConnectionPlan): Record<string, string> {
  return {
    ...(connection.token.source === "secret" ? { [CONSUL_TOKEN_ENV]: connection.token.arn } : {}),
    ...(connection.tls?.clientCertArn === undefined
      ? {}
      : { [CLIENT_PEM_ENV]: connection.tls.clientCertArn }),
  };
}

/** The container that runs `fargatectl catalog-sync` (the image's entry point is fargatectl). */
function builtinContainer(
  metadata: Pick<ObjectMeta, "uid" | "namespace" | "name">,
  spec: CatalogSyncSpec,
  task: SyncTaskSpec,
  context: SyncChildContext,
): Record<string, unknown> {
  const secrets = tokenSecrets(context.connection);
  return {
    name: SYNC_CONTAINER_NAME,
    image: task.image ?? context.syncImage,
    command: ["catalog-sync"],
    environment: {
      [SYNC_CONFIG_ENV]: JSON.stringify(syncTaskConfigOf(metadata, spec, context)),
      FARGATE_OPERATOR_TABLE: context.table,
      AWS_REGION: context.region,
      // The ARN, not the token: the task re-reads a rotated token after Consul's 403.
      ...(context.connection.token.source === "secret"
        ? { [CONSUL_TOKEN_SECRET_ENV]: context.connection.token.arn }
        : {}),
    },
    ...(Object.keys(secrets).length === 0 ? {} : { secrets }),
    essential: true,
  };
}

/**
 * The consul-aws `sync-catalog` arguments. Its help text has the two prefix flags backwards: the code prepends
 * `-consul-service-prefix` to names it writes INTO Cloud Map and `-aws-service-prefix` to names it writes INTO
 * Consul (catalog/aws.go `a.consulPrefix + k`, catalog/consul.go `c.awsPrefix + k`), so toCloudMap.prefix goes to
 * `-consul-service-prefix` and toConsul.prefix to `-aws-service-prefix`. `-aws-poll-interval` replaced the
 * deprecated `-aws-pull-interval` in 0.1.1.
 */
export function consulAwsArguments(spec: CatalogSyncSpec, context: SyncChildContext): string[] {
  const args = ["sync-catalog", `-aws-namespace-id=${context.namespace.namespaceId}`];
  if (spec.toCloudMap.enabled) args.push("-to-aws");
  if (spec.toConsul.enabled) args.push("-to-consul");
  if (spec.toCloudMap.prefix !== "") args.push(`-consul-service-prefix=${spec.toCloudMap.prefix}`);
  if (spec.toConsul.prefix !== "") args.push(`-aws-service-prefix=${spec.toConsul.prefix}`);
  args.push(`-aws-poll-interval=${spec.pollIntervalSeconds}s`, `-aws-dns-ttl=${CONSUL_AWS_DNS_TTL_SECONDS}`);
  args.push(`-http-addr=${context.connection.address}`);
  if (context.connection.datacenter !== undefined) args.push(`-datacenter=${context.connection.datacenter}`);
  if (spec.consul?.tls?.serverName !== undefined) args.push(`-tls-server-name=${spec.consul.tls.serverName}`);
  return args;
}

/** What consul-aws cannot do, refused rather than silently ignored. */
function assertConsulAwsCan(spec: CatalogSyncSpec): void {
  const unsupported = [
    ...(spec.toCloudMap.include.length > 0 || spec.toCloudMap.exclude.length > 0
      ? ["toCloudMap.include/exclude"]
      : []),
    ...(spec.toConsul.include.length > 0 || spec.toConsul.exclude.length > 0
      ? ["toConsul.include/exclude"]
      : []),
    ...(spec.consul?.tls?.caPem === undefined ? [] : ["consul.tls.caPem"]),
    ...(spec.consul?.tls?.clientCertFrom === undefined ? [] : ["consul.tls.clientCertFrom"]),
  ];
  if (unsupported.length > 0) {
    throw new PermanentError(
      ChildReason.UnsupportedByEngine,
      `engine consul-aws has no equivalent of ${unsupported.join(", ")}; remove them or use engine: builtin`,
    );
  }
}

function consulAwsContainer(
  spec: CatalogSyncSpec,
  task: SyncTaskSpec,
  context: SyncChildContext,
): Record<string, unknown> {
  assertConsulAwsCan(spec);
  const secrets = tokenSecrets(context.connection);
  return {
    name: SYNC_CONTAINER_NAME,
    image: task.image ?? CONSUL_AWS_IMAGE,
    // Older images only have CMD; newer ones wrap the binary in dumb-init. Naming the binary works with both.
    entryPoint: ["consul-aws"],
    command: consulAwsArguments(spec, context),
    environment: {
      AWS_REGION: context.region,
      ...(spec.consul?.tls?.insecureSkipVerify === true ? { CONSUL_HTTP_SSL_VERIFY: "false" } : {}),
    },
    ...(Object.keys(secrets).length === 0 ? {} : { secrets }),
    essential: true,
  };
}

/**
 * The child FargateService document (not yet defaulted: validate it before applying). One task, never two at
 * once (minimumHealthyPercent 0, maximumPercent 100), so a deployment never runs two writers side by side.
 */
export function renderSyncChild(
  metadata: Pick<ObjectMeta, "uid" | "namespace" | "name">,
  spec: CatalogSyncSpec,
  context: SyncChildContext,
): ResourceDocument {
  const task = spec.task;
  if (spec.placement !== "task" || task === undefined) {
    throw new PermanentError("InvalidSpec", "a sync child needs placement: task with spec.task");
  }
  const container =
    task.engine === "consul-aws"
      ? consulAwsContainer(spec, task, context)
      : builtinContainer(metadata, spec, task, context);
  return {
    apiVersion: API_VERSION,
    kind: "FargateService",
    metadata: {
      name: syncChildName(metadata.name),
      namespace: metadata.namespace,
      ownerReferences: [{ kind: "CatalogSync", name: metadata.name, uid: metadata.uid }],
    },
    spec: {
      cluster: task.cluster,
      cpu: task.cpu,
      memory: task.memory,
      desiredCount: 1,
      containers: [container],
      network: {
        subnets: [...task.subnets],
        securityGroups: [...task.securityGroups],
        assignPublicIp: false,
      },
      iam: { taskRoleArn: task.taskRoleArn, executionRoleArn: task.executionRoleArn },
      ...(task.logging === undefined ? {} : { logging: { ...task.logging } }),
      deployment: { minimumHealthyPercent: 0, maximumPercent: 100 },
    },
  };
}
