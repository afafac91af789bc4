/**
 * The AWS adapters' contract: what the reconcilers may ask of ECS and Cloud Map. Plain data in and out (SDK
 * shapes, imported as types only, so machines stay pure). Every method throws only the typed errors of
 * `./errors.ts`; throttling is absorbed by client-side token buckets before a call is sent.
 */

import type {
  CreateServiceCommandInput as EcsCreateServiceInput,
  Service as EcsService,
  Task as EcsTask,
  UpdateServiceCommandInput as EcsUpdateServiceInput,
  RegisterTaskDefinitionCommandInput,
  ServiceDeployment,
} from "@aws-sdk/client-ecs";
import type {
  CreateServiceCommandInput as CloudMapCreateServiceInput,
  DnsRecord,
} from "@aws-sdk/client-servicediscovery";
import type { ApplicationAutoScalingGateway } from "./application-autoscaling-shapes.js";

export type {
  CloudMapCreateServiceInput,
  DnsRecord,
  EcsCreateServiceInput,
  EcsService,
  EcsTask,
  EcsUpdateServiceInput,
};

/** Tags as a plain map (ECS `{key, value}` and Cloud Map `{Key, Value}` lists both become this). */
export type TagMap = Record<string, string>;

/** One task-definition revision as the controller sees it. */
export interface TaskDefinitionRevision {
  /** `arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>`. */
  arn: string;
  family: string;
  revision: number;
  status: "ACTIVE" | "INACTIVE" | "DELETE_IN_PROGRESS";
  tags: TagMap;
  /** What DescribeTaskDefinition returned, as plain JSON (compared when adopting a running revision). */
  content?: Record<string, unknown>;
}

/** Options of a cached service read. */
export interface DescribeServiceOptions {
  /** Accept a cached observation at most this old (ms); 0 forces a fresh DescribeServices. Default 0. */
  maxAgeMs?: number;
  signal?: AbortSignal;
}

/** ECS as the FargateService reconciler uses it. */
export interface EcsGateway {
  /** Registers a revision (the input carries its tags) and returns it. */
  registerTaskDefinition(
    input: RegisterTaskDefinitionCommandInput,
    signal?: AbortSignal,
  ): Promise<TaskDefinitionRevision>;
  /** ARNs of the family's ACTIVE revisions, newest first (every page). An unknown family gives `[]`. */
  listActiveRevisions(family: string, signal?: AbortSignal): Promise<string[]>;
  /** One revision with its tags; AwsNotFoundError when ECS does not know it. */
  describeTaskDefinition(arn: string, signal?: AbortSignal): Promise<TaskDefinitionRevision>;
  /** Deregisters a revision (INACTIVE); an already inactive one is fine. */
  deregisterTaskDefinition(arn: string, signal?: AbortSignal): Promise<void>;
  /**
   * The service with its tags (`include: ["TAGS"]`), or undefined when ECS reports it MISSING or INACTIVE.
   * Reads go through a per-cluster cache refreshed in DescribeServices batches of at most 10 names: a stale
   * read refreshes every stale name the cache knows in that cluster, and concurrent reads share the calls.
   */
  describeService(
    cluster: string,
    name: string,
    options?: DescribeServiceOptions,
  ): Promise<EcsService | undefined>;
  /** Creates the service (the input carries `clientToken` and tags); the cache learns the result. */
  createService(input: EcsCreateServiceInput, signal?: AbortSignal): Promise<EcsService>;
  /** Updates the service; the cache learns the result. AwsNotFoundError when it is missing or not ACTIVE. */
  updateService(input: EcsUpdateServiceInput, signal?: AbortSignal): Promise<EcsService>;
  /** Deletes the service (it must be scaled to 0); returns it DRAINING, or undefined when already gone. */
  deleteService(cluster: string, name: string, signal?: AbortSignal): Promise<EcsService | undefined>;
  /** Adds tags to a service or task definition (ownership tags on adoption). */
  tagResource(arn: string, tags: TagMap, signal?: AbortSignal): Promise<void>;
  /** Drops every cached observation of the service (after a deletion, or to force a re-read). */
  forgetService(cluster: string, name: string): void;
  /** Every task-definition family with an ACTIVE revision (all pages; the orphan sweep). */
  listActiveFamilies(signal?: AbortSignal): Promise<string[]>;
  /** ARNs of every ACTIVE cluster (all pages; the orphan sweep). */
  listClusters(signal?: AbortSignal): Promise<string[]>;
  /** ARNs of the cluster's ACTIVE services (all pages; DRAINING ones are hidden, as ECS does). */
  listServiceArns(cluster: string, signal?: AbortSignal): Promise<string[]>;
  /**
   * Fresh reads of the named services with their tags, in DescribeServices batches of at most 10 (bypassing the
   * cache); MISSING and INACTIVE ones are left out.
   */
  describeServices(cluster: string, services: readonly string[], signal?: AbortSignal): Promise<EcsService[]>;
  /**
   * One service deployment (DescribeServiceDeployments), or undefined when ECS reports it missing. Optional so
   * that thin test fakes need not answer it; the controller then shows no stage or traffic share.
   */
  describeServiceDeployment?(arn: string, signal?: AbortSignal): Promise<ServiceDeployment | undefined>;
  /**
   * The stopped tasks (at most 100) that deployment `deploymentId` of the service started: ListTasks
   * (desiredStatus STOPPED) and one DescribeTasks. Read only while a rollout fails; optional so that thin test
   * fakes need not answer it (the controller then quotes no stopped reason).
   */
  listStoppedTasks?(
    cluster: string,
    service: string,
    deploymentId: string,
    signal?: AbortSignal,
  ): Promise<EcsTask[]>;
}

/** State of an asynchronous Cloud Map operation. */
export interface CloudMapOperation {
  id: string;
  status: "SUBMITTED" | "PENDING" | "SUCCESS" | "FAIL";
  /** Targets of the operation, e.g. `{ NAMESPACE: "ns-…" }`, `{ SERVICE: "srv-…" }`. */
  targets: Record<string, string>;
  errorCode?: string;
  errorMessage?: string;
}

/** A Cloud Map namespace. */
export interface CloudMapNamespaceInfo {
  id: string;
  arn: string;
  name: string;
  type: string;
  hostedZoneId?: string;
  serviceCount?: number;
  creatorRequestId?: string;
}

/** A Cloud Map service. */
export interface CloudMapServiceInfo {
  id: string;
  arn: string;
  name: string;
  namespaceId: string;
  dnsRecords: DnsRecord[];
  routingPolicy?: string;
  instanceCount?: number;
  creatorRequestId?: string;
  /** Which health check the service has: `custom` (HealthCheckCustomConfig), `route53`, or none (absent). */
  healthCheck?: "custom" | "route53";
}

/** A Cloud Map service as an account-wide listing shows it. */
export interface CloudMapServiceSummary {
  id: string;
  arn: string;
  name: string;
}

/** Health of one Cloud Map instance (UNKNOWN: the service has no health check, or Cloud Map has no verdict yet). */
export type CloudMapHealthStatus = "HEALTHY" | "UNHEALTHY" | "UNKNOWN";

/** One registered Cloud Map instance with its attributes (`AWS_INSTANCE_IPV4`, `AWS_INSTANCE_PORT`, …). */
export interface CloudMapInstance {
  id: string;
  attributes: Record<string, string>;
}

/** Input of a private DNS namespace creation. */
export interface CreatePrivateDnsNamespaceInput {
  name: string;
  vpc: string;
  creatorRequestId: string;
  description?: string;
  tags: TagMap;
}

/** Cloud Map as the reconcilers use it. */
export interface CloudMapGateway {
  /**
   * Starts creating a private DNS namespace and returns the operation id. When a namespace of that name
   * already exists in that VPC: AwsAlreadyExistsError with `existingId` and the existing `creatorRequestId`.
   */
  createPrivateDnsNamespace(input: CreatePrivateDnsNamespaceInput, signal?: AbortSignal): Promise<string>;
  /** The operation's state; AwsNotFoundError for an unknown id. */
  getOperation(operationId: string, signal?: AbortSignal): Promise<CloudMapOperation>;
  /** The namespace; AwsNotFoundError when it does not exist. */
  getNamespace(namespaceId: string, signal?: AbortSignal): Promise<CloudMapNamespaceInfo>;
  /** Starts deleting the namespace and returns the operation id; AwsResourceInUseError while services remain. */
  deleteNamespace(namespaceId: string, signal?: AbortSignal): Promise<string>;
  /** Every service of the namespace (all pages). */
  listServices(namespaceId: string, signal?: AbortSignal): Promise<CloudMapServiceInfo[]>;
  /** Every service of the account, every namespace (all pages; the orphan sweep). */
  listAccountServices(signal?: AbortSignal): Promise<CloudMapServiceSummary[]>;
  /** Creates a service; AwsAlreadyExistsError (`existingId`, `creatorRequestId`) when the name is taken. */
  createService(input: CloudMapCreateServiceInput, signal?: AbortSignal): Promise<CloudMapServiceInfo>;
  /** The service; AwsNotFoundError when it does not exist. */
  getService(serviceId: string, signal?: AbortSignal): Promise<CloudMapServiceInfo>;
  /** Replaces the service's DNS records (TTL changes); returns the operation id. */
  updateServiceDnsRecords(serviceId: string, records: DnsRecord[], signal?: AbortSignal): Promise<string>;
  /** Deletes the service; AwsResourceInUseError while instances remain, AwsNotFoundError when gone. */
  deleteService(serviceId: string, signal?: AbortSignal): Promise<void>;
  /** Ids of the service's registered instances (all pages). */
  listInstanceIds(serviceId: string, signal?: AbortSignal): Promise<string[]>;
  /** Tags of a namespace or service ARN. */
  listTags(arn: string, signal?: AbortSignal): Promise<TagMap>;
  /** Adds tags to a namespace or service ARN (ownership tags on adoption). */
  tagResource(arn: string, tags: TagMap, signal?: AbortSignal): Promise<void>;
  /** Removes tag keys from a namespace or service ARN (absent keys are fine). */
  untagResource(arn: string, keys: string[], signal?: AbortSignal): Promise<void>;
  /** Registers or replaces (RegisterInstance is an upsert) an instance; returns the operation id. */
  registerInstance(
    serviceId: string,
    instanceId: string,
    attributes: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<string>;
  /** Deregisters an instance; an instance that is already gone is fine. AwsNotFoundError when the service is gone. */
  deregisterInstance(serviceId: string, instanceId: string, signal?: AbortSignal): Promise<void>;
  /** The service's registered instances with their attributes (all pages). */
  listInstances(serviceId: string, signal?: AbortSignal): Promise<CloudMapInstance[]>;
  /** Health of every instance of the service, by instance id (all pages). */
  getInstancesHealthStatus(
    serviceId: string,
    signal?: AbortSignal,
  ): Promise<Record<string, CloudMapHealthStatus>>;
  /** Sets an instance's custom health (the service needs HealthCheckCustomConfig). */
  updateInstanceCustomHealthStatus(
    serviceId: string,
    instanceId: string,
    status: "HEALTHY" | "UNHEALTHY",
    signal?: AbortSignal,
  ): Promise<void>;
  /**
   * The service's instances revision (DiscoverInstancesRevision, a data-plane call): it moves when instances are
   * registered, changed or deregistered, never for health changes. Compare it for equality only (moto's can drop).
   */
  discoverInstancesRevision(
    namespaceName: string,
    serviceName: string,
    signal?: AbortSignal,
  ): Promise<number>;
}

/** Both gateways, built together from one configuration. */
export interface AwsGateways {
  ecs: EcsGateway;
  cloudMap: CloudMapGateway;
  /** Application Auto Scaling of ECS services' desired counts. */
  applicationAutoScaling: ApplicationAutoScalingGateway;
  /** Closes the SDK clients' sockets. */
  destroy(): void;
}
