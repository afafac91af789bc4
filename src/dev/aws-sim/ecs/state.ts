import type { SimContext } from "../context.js";
import { AwsApiError } from "../errors.js";
import type { JsonObject } from "../input.js";
import type { TaskFailure } from "./task-failures.js";
import { TaskLifecycle } from "./task-lifecycle.js";

/** An ECS tag (lower-case members, unlike Cloud Map). */
export interface EcsTag {
  /** Tag key. */
  key: string;
  /** Tag value. */
  value: string;
}

/** A cluster. */
export interface EcsCluster {
  readonly name: string;
  readonly arn: string;
  status: "ACTIVE" | "INACTIVE";
  tags: EcsTag[];
  settings: JsonObject[];
}

/** The parts of a container definition the simulation acts on. */
export interface ContainerFacts {
  readonly name: string;
  readonly image: string;
  readonly essential: boolean;
  readonly ports: readonly { containerPort: number; protocol: string }[];
}

/** A task definition revision. */
export interface EcsTaskDefinition {
  readonly arn: string;
  readonly family: string;
  readonly revision: number;
  /** The definition as ECS returns it (request members plus the defaults ECS fills in). */
  readonly body: JsonObject;
  readonly containers: readonly ContainerFacts[];
  readonly cpu: string | undefined;
  readonly memory: string | undefined;
  readonly registeredAt: number;
  status: "ACTIVE" | "INACTIVE";
  deregisteredAt: number | undefined;
  tags: EcsTag[];
}

/** A rollout state as ECS reports it. */
export type RolloutState = "IN_PROGRESS" | "COMPLETED" | "FAILED";

/** A service deployment. */
export interface EcsDeployment {
  readonly id: string;
  readonly taskDefinitionArn: string;
  readonly createdAt: number;
  readonly networkConfiguration: JsonObject | undefined;
  readonly serviceRegistries: readonly JsonObject[];
  /** Service Connect and VPC Lattice as this deployment runs them (ECS reports them per deployment). */
  readonly serviceConnectConfiguration?: JsonObject | undefined;
  readonly vpcLatticeConfigurations?: readonly JsonObject[] | undefined;
  status: "PRIMARY" | "ACTIVE";
  failedTasks: number;
  updatedAt: number;
  rolloutState: RolloutState;
  rolloutStateReason: string;
}

/** ECS's `ServiceDeploymentLifecycleStage`. */
export type LifecycleStage =
  | "RECONCILE_SERVICE"
  | "PRE_SCALE_UP"
  | "SCALE_UP"
  | "POST_SCALE_UP"
  | "TEST_TRAFFIC_SHIFT"
  | "POST_TEST_TRAFFIC_SHIFT"
  | "PRODUCTION_TRAFFIC_SHIFT"
  | "POST_PRODUCTION_TRAFFIC_SHIFT"
  | "BAKE_TIME"
  | "CLEAN_UP";

/** ECS's `ServiceDeploymentStatus`. */
export type ServiceDeploymentStatus =
  | "PENDING"
  | "SUCCESSFUL"
  | "STOPPED"
  | "STOP_REQUESTED"
  | "IN_PROGRESS"
  | "ROLLBACK_REQUESTED"
  | "ROLLBACK_IN_PROGRESS"
  | "ROLLBACK_SUCCESSFUL"
  | "ROLLBACK_FAILED";

/** One lifecycle hook invocation (ECS `DeploymentLifecycleHookDetail`, plus the stage it ran at). */
export interface HookDetail {
  readonly hookId: string;
  readonly stage: string;
  readonly targetType: string;
  readonly targetArn: string;
  readonly status: "SUCCEEDED" | "FAILED";
  readonly expiresAt: number;
}

/** A service deployment (ECS `ServiceDeployment`): one per new PRIMARY deployment, rollbacks included in it. */
export interface EcsServiceDeployment {
  readonly arn: string;
  /** The (DescribeServices) deployment that runs the target revision. */
  readonly deploymentId: string;
  readonly strategy: string;
  readonly createdAt: number;
  readonly sourceTaskDefinitionArns: readonly string[];
  readonly targetTaskDefinitionArn: string;
  /** deploymentConfiguration as it was when the deployment started. */
  readonly deploymentConfiguration: JsonObject;
  status: ServiceDeploymentStatus;
  statusReason: string | undefined;
  lifecycleStage: LifecycleStage | undefined;
  /** Percent of production (and test) traffic on the target revision. */
  trafficPercent: number;
  testTrafficPercent: number;
  startedAt: number | undefined;
  updatedAt: number;
  finishedAt: number | undefined;
  stoppedAt: number | undefined;
  /** When the current wait (traffic step or bake) ends, and when the final bake ends (clock ms). */
  stageEndsAt: number | undefined;
  bakeEndsAt: number | undefined;
  /** A rolling update's alarm bake is over. */
  bakeDone: boolean;
  timer: { cancel(): void } | undefined;
  hooks: HookDetail[];
  triggeredAlarmNames: string[];
  rollback: { reason: string; startedAt: number; taskDefinitionArn: string } | undefined;
  /** The deployment that carries the rollback (the blue one again, or a new rolling one). */
  rollbackDeploymentId: string | undefined;
}

/** Where a task is in its life (ECS `lastStatus`). */
export type TaskStatus = "PROVISIONING" | "PENDING" | "RUNNING" | "DEACTIVATING" | "STOPPED";

/** A simulated Fargate task. */
export interface EcsTask {
  readonly id: string;
  readonly arn: string;
  readonly clusterName: string;
  readonly serviceName: string;
  readonly deploymentId: string;
  readonly taskDefinitionArn: string;
  readonly createdAt: number;
  readonly ip: string;
  readonly subnet: string;
  readonly eniId: string;
  readonly attachmentId: string;
  readonly macAddress: string;
  readonly availabilityZone: string;
  /** How it fails (task-failures.ts), when an essential container's image is set to fail. */
  readonly failure: TaskFailure | undefined;
  /** The essential container whose image fails. */
  readonly failedContainer: string | undefined;
  lastStatus: TaskStatus;
  desiredStatus: "RUNNING" | "STOPPED";
  startedAt: number | undefined;
  stoppingAt: number | undefined;
  stoppedAt: number | undefined;
  stopCode: string | undefined;
  stoppedReason: string | undefined;
  version: number;
  /** Cloud Map services (ids) the task is registered in. */
  registeredIn: string[];
  /** A healthy target in its service's target groups (always true without load balancers). */
  targetHealthy: boolean;
}

/** A service event (newest first in the shape). */
export interface EcsServiceEvent {
  readonly id: string;
  readonly createdAt: number;
  readonly message: string;
}

/** A service. */
export interface EcsService {
  readonly name: string;
  readonly arn: string;
  readonly clusterName: string;
  readonly createdAt: number;
  readonly clientToken: string | undefined;
  launchType: string | undefined;
  capacityProviderStrategy: JsonObject[] | undefined;
  loadBalancers: JsonObject[];
  status: "ACTIVE" | "DRAINING" | "INACTIVE";
  desiredCount: number;
  taskDefinitionArn: string;
  platformVersion: string;
  networkConfiguration: JsonObject | undefined;
  serviceRegistries: JsonObject[];
  minimumHealthyPercent: number;
  maximumPercent: number;
  circuitBreaker: { enable: boolean; rollback: boolean };
  /** Deployment alarms and bake time (strategy.ts acts on them). */
  alarms: JsonObject | undefined;
  bakeTimeInMinutes: number | undefined;
  /** deploymentConfiguration's strategy, linear/canary configuration and lifecycle hooks (see strategy.ts). */
  deploymentExtras: JsonObject;
  /** Kept and echoed on deployments (service-extras.ts); no proxy or Lattice target is simulated. */
  serviceConnectConfiguration: JsonObject | undefined;
  vpcLatticeConfigurations: JsonObject[] | undefined;
  availabilityZoneRebalancing: string;
  deploymentControllerType: string;
  healthCheckGracePeriodSeconds: number | undefined;
  enableECSManagedTags: boolean;
  enableExecuteCommand: boolean;
  propagateTags: string;
  deployments: EcsDeployment[];
  /** Service deployments, newest first (at most 20 kept). */
  serviceDeployments: EcsServiceDeployment[];
  /** Task definition of the last deployment that reached COMPLETED (the rollback target). */
  lastCompletedTaskDefinitionArn: string | undefined;
  /** Id of that deployment. */
  lastCompletedDeploymentId: string | undefined;
  events: EcsServiceEvent[];
  tags: EcsTag[];
}

/** Everything ECS holds for one simulated account and Region, with resolvers that raise ECS errors. */
export class EcsState {
  /** Clusters by name. */
  readonly clusters = new Map<string, EcsCluster>();
  /** Task definition revisions by family, revision order. */
  readonly taskDefinitions = new Map<string, EcsTaskDefinition[]>();
  /** Services by `cluster/name` (INACTIVE ones too, until a new service takes the name). */
  readonly services = new Map<string, EcsService>();
  /** Tasks by id. */
  readonly tasks = new Map<string, EcsTask>();
  /** Tasks by `cluster/service`, so per-service work does not scan every task. */
  readonly #tasksByService = new Map<string, Set<EcsTask>>();
  /** Images whose tasks fail, and how (besides the tag conventions of task-failures.ts). */
  readonly failingImages = new Map<string, TaskFailure>();
  /** CloudWatch alarm states set through the control API (an unknown alarm is OK). */
  readonly alarmStates = new Map<string, "OK" | "ALARM" | "INSUFFICIENT_DATA">();
  /** Lifecycle hook targets (Lambda ARNs) whose invocations fail. */
  readonly failingHooks = new Set<string>();
  /** Tasks reaching RUNNING, asked to stop, STOPPED (the dev stack runs processes for some of them). */
  readonly lifecycle = new TaskLifecycle();
  /** The simulator context. */
  readonly ctx: SimContext;

  /** Empty state on `ctx`. */
  constructor(ctx: SimContext) {
    this.ctx = ctx;
  }

  /** `arn:aws:ecs:<region>:<account>:<resource>`. */
  arn(resource: string): string {
    return `arn:aws:ecs:${this.ctx.region}:${this.ctx.accountId}:${resource}`;
  }

  /** The cluster name in a name or ARN (`default` when absent). */
  clusterName(ref: string | undefined): string {
    if (ref === undefined || ref === "") return "default";
    const marker = ":cluster/";
    const at = ref.indexOf(marker);
    return ref.startsWith("arn:") && at >= 0 ? ref.slice(at + marker.length) : ref;
  }

  /** An ACTIVE cluster; lenient mode creates it on first use, strict mode answers ClusterNotFoundException. */
  cluster(ref: string | undefined): EcsCluster {
    const name = this.clusterName(ref);
    const found = this.clusters.get(name);
    if (found !== undefined && found.status === "ACTIVE") return found;
    if (this.ctx.mode === "lenient") return this.createCluster(name, [], []);
    throw new AwsApiError("ClusterNotFoundException", "Cluster not found.");
  }

  /** Creates (or returns the existing ACTIVE) cluster. */
  createCluster(name: string, tags: EcsTag[], settings: JsonObject[]): EcsCluster {
    const found = this.clusters.get(name);
    if (found !== undefined && found.status === "ACTIVE") return found;
    const cluster: EcsCluster = { name, arn: this.arn(`cluster/${name}`), status: "ACTIVE", tags, settings };
    this.clusters.set(name, cluster);
    return cluster;
  }

  /** Adds a task to the indexes. */
  addTask(task: EcsTask): void {
    this.tasks.set(task.id, task);
    const key = `${task.clusterName}/${task.serviceName}`;
    let set = this.#tasksByService.get(key);
    if (set === undefined) {
      set = new Set();
      this.#tasksByService.set(key, set);
    }
    set.add(task);
  }

  /** Forgets a task (after the STOPPED retention time). */
  removeTask(task: EcsTask): void {
    this.tasks.delete(task.id);
    this.#tasksByService.get(`${task.clusterName}/${task.serviceName}`)?.delete(task);
  }

  /** Every task (any status) a service has started and ECS still remembers. */
  tasksOf(clusterName: string, serviceName: string): EcsTask[] {
    return [...(this.#tasksByService.get(`${clusterName}/${serviceName}`) ?? [])];
  }

  /** The service name in a name or ARN (both `service/cluster/name` and the old `service/name`). */
  serviceName(ref: string): string {
    if (!ref.startsWith("arn:")) return ref;
    return ref.split("/").pop() ?? ref;
  }

  /** A service in a cluster by name or ARN, or undefined. */
  findService(clusterName: string, ref: string): EcsService | undefined {
    return this.services.get(`${clusterName}/${this.serviceName(ref)}`);
  }

  /** A task definition by `family`, `family:revision` or ARN; `undefined` when there is none. */
  findTaskDefinition(ref: string): EcsTaskDefinition | undefined {
    const marker = ":task-definition/";
    const at = ref.indexOf(marker);
    const spec = ref.startsWith("arn:") && at >= 0 ? ref.slice(at + marker.length) : ref;
    const [family, revisionText] = spec.split(":");
    const revisions = this.taskDefinitions.get(family ?? "") ?? [];
    if (revisionText === undefined) {
      return [...revisions].reverse().find((td) => td.status === "ACTIVE");
    }
    const revision = Number(revisionText);
    return revisions.find((td) => td.revision === revision);
  }
}
