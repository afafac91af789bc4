/** FargateService: one ECS service on Fargate. Types of its spec (defaults applied) and status. Pure. */
import type {
  ApplicationProtocol,
  AvailabilityZoneRebalancing,
  CanaryConfiguration,
  CapacityProviderStrategyItem,
  ContainerDefinition,
  DeploymentAlarms,
  DeploymentLifecycleHook,
  DeploymentStrategy,
  LinearConfiguration,
  LoadBalancer,
  LogConfiguration,
  ProxyConfiguration,
  ServiceConnectAccessLogConfiguration,
  ServiceConnectService,
  Volume,
  VpcLatticeConfiguration,
} from "@aws-sdk/client-ecs";
import type { DocumentMeta, LoggingSpec, ObjectRef } from "./common.js";
import type { API_VERSION, CommonStatus, Resource } from "./meta.js";

/** CPU architecture of a task. */
export type CpuArchitecture = "X86_64" | "ARM64";

/** Operating systems a Fargate task runs: Linux, or a Windows Server release Fargate offers. */
export type OperatingSystemFamily =
  | "LINUX"
  | "WINDOWS_SERVER_2019_FULL"
  | "WINDOWS_SERVER_2019_CORE"
  | "WINDOWS_SERVER_2022_FULL"
  | "WINDOWS_SERVER_2022_CORE"
  | "WINDOWS_SERVER_2025_FULL"
  | "WINDOWS_SERVER_2025_CORE";

/** Runtime platform of a task. */
export type RuntimePlatform = {
  cpuArchitecture: CpuArchitecture;
  operatingSystemFamily: OperatingSystemFamily;
};

/** A port a container listens on: one port (`containerPort`) or a range (`containerPortRange`, "8000-8010"). */
export type PortMapping = {
  containerPort?: number;
  containerPortRange?: string;
  protocol: "tcp" | "udp";
  name?: string;
  /** ECS appProtocol (Service Connect's proxy handling). */
  appProtocol?: ApplicationProtocol;
};

/** An ECS container health check. */
export type HealthCheck = {
  /** `["CMD", ...]` or `["CMD-SHELL", "..."]`. */
  command: string[];
  intervalSeconds: number;
  timeoutSeconds: number;
  retries: number;
  startPeriodSeconds: number;
};

/**
 * ContainerDefinition members accepted on a container under ECS's own names and passed to ECS unchanged
 * (validated offline by ECS's shapes, schemas/ecs-shapes.schema.json). Type-only import: crds stays pure.
 */
export const ECS_CONTAINER_FIELDS = [
  "repositoryCredentials",
  "memoryReservation",
  "restartPolicy",
  "environmentFiles",
  "mountPoints",
  "volumesFrom",
  "linuxParameters",
  "dependsOn",
  "startTimeout",
  "stopTimeout",
  "versionConsistency",
  "user",
  "workingDirectory",
  "readonlyRootFilesystem",
  "interactive",
  "pseudoTerminal",
  "dockerLabels",
  "ulimits",
  "logConfiguration",
  "systemControls",
  "resourceRequirements",
  "firelensConfiguration",
  "credentialSpecs",
] as const;

/** One of the ECS container fields passed through. */
export type EcsContainerField = (typeof ECS_CONTAINER_FIELDS)[number];

/** The ECS container fields, typed as the SDK types them (without its `| undefined`). */
export type EcsContainerFields = { [K in EcsContainerField]?: NonNullable<ContainerDefinition[K]> };

/** One application container: the friendly fields plus ECS's own (EcsContainerFields). */
export type ContainerSpec = EcsContainerFields & {
  name: string;
  image: string;
  command?: string[];
  entryPoint?: string[];
  ports?: PortMapping[];
  environment?: Record<string, string>;
  /** NAME → Secrets Manager or SSM parameter ARN (ECS `valueFrom`). */
  secrets?: Record<string, string>;
  healthCheck?: HealthCheck;
  essential: boolean;
  cpu?: number;
  memory?: number;
};

/** awsvpc network configuration. */
export type NetworkSpec = {
  subnets: string[];
  /** Absent: ECS gives the tasks the VPC's default security group. */
  securityGroups?: string[];
  assignPublicIp: boolean;
};

/** IAM roles of the task. */
export type IamSpec = {
  taskRoleArn?: string;
  executionRoleArn?: string;
};

/** ECS deployment circuit breaker. */
export type CircuitBreaker = {
  enable: boolean;
  rollback: boolean;
};

/** Rolling deployment settings. */
export type DeploymentSpec = {
  minimumHealthyPercent: number;
  maximumPercent: number;
  circuitBreaker: CircuitBreaker;
  timeoutSeconds: number;
  /** ECS deployment alarms, passed through. */
  alarms?: DeploymentAlarms;
  /** ECS bake time, passed through. */
  bakeTimeInMinutes?: number;
  /** ECS deployment strategy (ROLLING when unset), passed through; traffic shifting is ECS's. */
  strategy?: DeploymentStrategy;
  linearConfiguration?: LinearConfiguration;
  canaryConfiguration?: CanaryConfiguration;
  lifecycleHooks?: DeploymentLifecycleHook[];
};

/** ECS Service Connect, its namespace a CloudMapNamespace reference (resolved to the namespace's ARN). */
export type ServiceConnectSpec = {
  enabled: boolean;
  namespaceRef?: ObjectRef;
  services?: ServiceConnectService[];
  logConfiguration?: LogConfiguration;
  accessLogConfiguration?: ServiceConnectAccessLogConfiguration;
};

/** DNS record types a Cloud Map service may create. */
export type DnsRecordType = "A" | "SRV";

/** Registration in a Cloud Map namespace. */
export type CloudMapDiscovery = {
  namespaceRef: ObjectRef;
  /** Default: `metadata.name`. */
  serviceName?: string;
  dnsTtl: number;
  records: DnsRecordType[];
  port?: number;
};

/** Mirroring into Consul (through the namespace's CatalogSync). */
export type ConsulDiscovery = {
  register: boolean;
  /** Default: the Cloud Map service name. */
  serviceName?: string;
  tags: string[];
  meta: Record<string, string>;
};

/** Service discovery settings. */
export type DiscoverySpec = {
  cloudMap?: CloudMapDiscovery;
  consul?: ConsulDiscovery;
};

/** How the Vault agent runs: kept running (`sidecar`) or once before the apps (`init`). */
export type VaultMode = "sidecar" | "init";

/** One file the Vault agent renders. */
export type VaultSecret = {
  name: string;
  path: string;
  format: "env" | "json";
  keys?: string[];
};

/** Vault agent settings. */
export type VaultSpec = {
  role: string;
  authMountPath: string;
  /** Default: `https://vault.<cloud map dnsName>:8200`. */
  address?: string;
  serverIdHeader?: string;
  region?: string;
  mode: VaultMode;
  image?: string;
  mountPath: string;
  /** The agent's CPU share, carved out of the task's cpu. */
  cpu: number;
  /** The agent's memory share in MiB, carved out of the task's memory. */
  memory: number;
  secrets: VaultSecret[];
};

/** A predefined metric a target-tracking policy follows. */
export type AutoscalingMetric = "cpu" | "memory" | "albRequestCountPerTarget";

/** One target-tracking policy (`fargate-operator-<metric>`). */
export type TargetTrackingSpec = {
  metric: AutoscalingMetric;
  targetValue: number;
  /** albRequestCountPerTarget: the target group (default: spec.loadBalancers' only target group). */
  targetGroupArn?: string;
  /** albRequestCountPerTarget: the Application Load Balancer in front of the target group. */
  loadBalancerArn?: string;
  scaleInCooldownSeconds?: number;
  scaleOutCooldownSeconds?: number;
  disableScaleIn?: boolean;
};

/** One scheduled action (`fargate-operator-<name>`): new bounds from `schedule` on. */
export type ScheduledScalingSpec = {
  name: string;
  /** `at(...)`, `rate(...)` or `cron(...)`. */
  schedule: string;
  timezone?: string;
  minCount?: number;
  maxCount?: number;
};

/** Application Auto Scaling of the task count; with it, desiredCount is the initial count only. */
export type AutoscalingSpec = {
  minCount: number;
  maxCount: number;
  targetTracking?: TargetTrackingSpec[];
  scheduled?: ScheduledScalingSpec[];
};

/** What happens to AWS resources when the record is deleted. */
export type DeletionPolicy = "Delete" | "Retain";

/** FargateService spec with every default applied. */
export type FargateServiceSpec = {
  cluster: string;
  cpu: number;
  memory: number;
  runtimePlatform?: RuntimePlatform;
  /** ECS volumes (bind mounts, EFS), passed through. */
  volumes?: Volume[];
  ephemeralStorage?: { sizeInGiB: number };
  proxyConfiguration?: ProxyConfiguration;
  pidMode?: "task";
  enableFaultInjection?: boolean;
  desiredCount: number;
  /** Application Auto Scaling; the scaler then owns the running service's desiredCount. */
  autoscaling?: AutoscalingSpec;
  containers: ContainerSpec[];
  network: NetworkSpec;
  iam?: IamSpec;
  logging?: LoggingSpec;
  deployment: DeploymentSpec;
  /** ECS service fields, passed through (the diff normalises what ECS fills in). */
  loadBalancers?: LoadBalancer[];
  healthCheckGracePeriodSeconds?: number;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  enableExecuteCommand?: boolean;
  platformVersion?: string;
  /** Default: SERVICE (applied when rendering, so the schema has no default). */
  propagateTags?: "SERVICE" | "TASK_DEFINITION" | "NONE";
  /** Default: true (applied when rendering). */
  enableECSManagedTags?: boolean;
  serviceConnectConfiguration?: ServiceConnectSpec;
  vpcLatticeConfigurations?: VpcLatticeConfiguration[];
  availabilityZoneRebalancing?: AvailabilityZoneRebalancing;
  /** Only `{ type: "ECS" }` is accepted (the operator drives deployments). */
  deploymentController?: { type: "ECS" };
  /** User tags on every AWS resource the record creates (never `fargate-operator:*` or `aws:*`). */
  tags?: Record<string, string>;
  /** Tags of the task-definition revisions only, merged over `tags` there (outside the content hash). */
  taskDefinitionTags?: Record<string, string>;
  discovery?: DiscoverySpec;
  vault?: VaultSpec;
  deletionPolicy: DeletionPolicy;
  adopt: boolean;
  suspend: boolean;
};

/** Rollout states: ECS `rolloutState` plus the operator's own deadline. */
export const RolloutState = {
  InProgress: "IN_PROGRESS",
  Completed: "COMPLETED",
  Failed: "FAILED",
  TimedOut: "TIMED_OUT",
} as const;

/** One of the rollout states. */
export type RolloutState = (typeof RolloutState)[keyof typeof RolloutState];

/** Observed state of a FargateService. */
export type FargateServiceStatus = CommonStatus & {
  taskDefinitionArn?: string;
  /** Content hash of the rendered task definition (also a tag on it). */
  taskDefinitionHash?: string;
  serviceArn?: string;
  cloudMap?: { serviceId: string; serviceArn: string };
  /** Both DNS names of the service: `<name>.<dnsName>` and `<name>.service.consul`. */
  endpoints?: { cloudMap?: string; consul?: string };
  replicas?: { desired: number; running: number; pending: number };
  /**
   * The rollout last followed; `specHash` is the spec it was pushed for (any pass records observedSpecHash).
   * With a traffic-shifting strategy or deployment alarms: `strategy`, ECS's lifecycle `stage`, the percent of
   * production traffic on the new revision and when the bake ends (docs/scaling-and-deployments.md).
   */
  rollout?: {
    state: RolloutState;
    deploymentId: string;
    startedAt: string;
    specHash?: string;
    strategy?: string;
    stage?: string;
    trafficPercent?: number;
    bakeEndsAt?: string;
    /** Why the rollout's tasks stopped, in ECS's words (only while it fails or its tasks keep stopping). */
    stoppedTasks?: StoppedTasksSummary;
  };
  /** The scalable target as last observed, with the scaler's newest activity. */
  autoscaling?: AutoscalingStatus;
};

/** Stopped tasks that share one reason: ECS's stopCode, stoppedReason and the essential containers' ends. */
export type StoppedTaskGroup = {
  count: number;
  stopCode?: string;
  stoppedReason?: string;
  containers: Array<{ name: string; exitCode?: number; reason?: string }>;
};

/** `status.rollout.stoppedTasks`: a deployment's stopped tasks as last read (DescribeTasks), grouped by reason. */
export type StoppedTasksSummary = {
  deploymentId: string;
  /** ECS's failedTasks of the deployment when read. */
  failedTasks: number;
  /** Read after the rollout failed: not read again. */
  final?: boolean;
  /** ISO time of the read. */
  observedAt: string;
  /** Failed tasks found (scale-downs left out). */
  stopped: number;
  /** At most three, most frequent first. */
  groups: StoppedTaskGroup[];
  /** Index in `groups` of the newest stop. */
  latest?: number;
  latestStoppedAt?: string;
};

/** `status.autoscaling`: the target's live bounds, ECS's desiredCount and the newest scaling activity. */
export type AutoscalingStatus = {
  minCount: number;
  maxCount: number;
  /** ECS's desiredCount (the scaler's), not the spec's. */
  desiredCount: number;
  lastActivity?: { time: string; status: string; description: string };
  /** Hash of the target, policies and scheduled actions last put (unchanged: nothing is re-put). */
  appliedHash: string;
};

/** A FargateService document as validated: defaults applied, no status. */
export type FargateServiceDocument = {
  apiVersion: typeof API_VERSION;
  kind: "FargateService";
  metadata: DocumentMeta;
  spec: FargateServiceSpec;
};

/** A stored FargateService record. */
export type FargateService = Resource<"FargateService", FargateServiceSpec, FargateServiceStatus>;
