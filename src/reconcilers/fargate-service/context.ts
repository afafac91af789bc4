/** What the FargateService machine knows during one pass: its input and what each step found. Types only. */
import type { ServiceDeployment } from "@aws-sdk/client-ecs";
import type { EcsService } from "../../aws/types.js";
import type {
  FargateServiceSpec,
  FargateServiceStatus,
  ObjectMeta,
  StoppedTasksSummary,
} from "../../crds/index.js";
import type { AutoscalingObservation } from "./autoscaling.js";
import type { RolloutObservation } from "./rollout.js";

/** Reason every FargateService-specific condition type uses. */
export const FargateConditionType = {
  TaskDefinitionRegistered: "TaskDefinitionRegistered",
  CloudMapRegistered: "CloudMapRegistered",
  ServiceStable: "ServiceStable",
  ConsulRegistered: "ConsulRegistered",
} as const;

/** The record a pass works on (validated, defaults applied). */
export interface FargateServiceRecord {
  metadata: ObjectMeta;
  spec: FargateServiceSpec;
  status: FargateServiceStatus;
  /** Hash of the stored spec (hand-written changes do not raise `generation`). */
  specHash: string;
  /** The random uid an earlier version stored in the item, if still there (recognises that record's resources). */
  legacyUid?: string | undefined;
}

/** Tunables of the reconciler. */
export interface FargateServiceSettings {
  region: string;
  /** Owned task-definition revisions kept while the record lives (older ones are deregistered). */
  keepRevisions: number;
  /** Requeue interval while a rollout runs or a deletion waits. */
  pollIntervalMs: number;
  /** How old a cached DescribeServices observation a steady-state pass may use. */
  steadyStateMaxAgeMs: number;
  /**
   * Time in which the rolling refresh re-reads every cached Cloud Map tag set (out-of-band retags); the
   * controller passes 20 resync periods. Default: src/aws/cloud-map-cache.ts DEFAULT_TAG_CYCLE_MS.
   */
  cloudMapTagCycleMs?: number;
  /** The controller's own roles (`--own-role-arns`): never passed to a task, whatever the policy says. */
  ownRoleArns?: readonly string[];
}

/** Where the referenced CloudMapNamespace stands. */
export type NamespaceResolution =
  | {
      ready: true;
      /** The Cloud Map namespace's (discovery.cloudMap's; Service Connect's when only it refers to one). */
      dnsName: string;
      namespaceId: string;
      /** ARN of the namespace serviceConnectConfiguration.namespaceRef names, when it does. */
      serviceConnectNamespaceArn?: string;
    }
  | { ready: false; message: string };

/** The task definition the service must run. */
export interface EnsuredTaskDefinition {
  arn: string;
  hash: string;
  /** True when this pass registered it (a write). */
  registered: boolean;
}

/** The Cloud Map service ECS registers tasks into. */
export interface EnsuredCloudMapService {
  serviceId: string;
  serviceArn: string;
}

/** What the ECS service step did and saw. */
export interface EnsuredEcsService {
  service: EcsService;
  action: "created" | "updated" | "unchanged" | "heldAfterFailure" | "draining";
  /** Fields that differed (updated) — for the log and the message. */
  changed: string[];
  /** ECS's current service deployment, read only while a traffic-shifting or alarm-watched one runs. */
  serviceDeployment?: ServiceDeployment;
  /** The failing deployment's stopped tasks, read only when a rollout fails or its tasks keep stopping. */
  stoppedTasks?: StoppedTasksSummary;
}

/** Progress of a deletion pass. */
export interface DeletionProgress {
  /** True when everything is cleaned up and the finalizer may go. */
  complete: boolean;
  /** What the pass waits for (shown on the record). */
  message: string;
}

/**
 * What the namespace's CatalogSync says about this service's Consul mirror (DESIGN 10, Sync timing): there is
 * none; it runs consul-aws and reports nothing; or its last report, with the prefix it gives Consul names.
 */
export type ConsulMirrorObservation =
  | { state: "noCatalogSync"; message: string }
  | { state: "unreported"; catalogSync: string; consulPrefix: string }
  | {
      state: "reported";
      catalogSync: string;
      consulPrefix: string;
      /** This service's entry in the CatalogSync's `status.sync.toConsul`, when it lists one. */
      mirrored?: { consulName: string; instances: number; passing: number; refused?: string };
    };

/** The machine's context. */
export interface FargateServiceContext {
  record: FargateServiceRecord;
  settings: FargateServiceSettings;
  /** Clock reading at the start of the pass (ms epoch). */
  now: number;
  namespace?: NamespaceResolution;
  taskDefinition?: EnsuredTaskDefinition;
  cloudMap?: EnsuredCloudMapService;
  ecs?: EnsuredEcsService;
  rollout?: RolloutObservation;
  autoscaling?: AutoscalingObservation;
  consulMirror?: ConsulMirrorObservation;
  deletion?: DeletionProgress;
}
