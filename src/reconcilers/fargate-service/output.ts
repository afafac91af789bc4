/**
 * The FargateService pass's output: conditions and status fields from what the steps found. Pure. Conditions are
 * the machine's output, not its state: Ready sums up the parts the spec asks for (DESIGN 2, Status).
 */
import { ConditionStatus, type FargateServiceStatus, RolloutState } from "../../crds/index.js";
import { renderEndpoints } from "../../render/index.js";
import type { PassOutput } from "../../runtime/machine-runner.js";
import { done, type ReconcileResult, requeueAfter } from "../../runtime/result.js";
import {
  ConditionType,
  type ConditionUpdate,
  readyConditions,
  reconcilingConditions,
  stalledConditions,
} from "../conditions.js";
import { type ConsulMirrorObservation, FargateConditionType, type FargateServiceContext } from "./context.js";
import type { DeploymentProgress } from "./deployment-progress.js";
import { isServiceSteady } from "./rollout.js";

type StatusRollout = NonNullable<FargateServiceStatus["rollout"]>;

/** Condition reasons of FargateService. */
export const FargateReason = {
  Suspended: "Suspended",
  NamespaceNotReady: "NamespaceNotReady",
  Registered: "Registered",
  ServiceRegistered: "ServiceRegistered",
  RolloutComplete: "RolloutComplete",
  RolloutFailed: "RolloutFailed",
  RolloutTimedOut: "RolloutTimedOut",
  ServiceDraining: "ServiceDraining",
  NoCatalogSync: "NoCatalogSync",
  ConsulSyncPending: "ConsulSyncPending",
  /** The Consul name has instances the CatalogSync did not register (e.g. the real `vault`): never mirrored into. */
  ConsulNameTaken: "ConsulNameTaken",
  NotReported: "NotReported",
  Deleting: "Deleting",
} as const;

type Output = PassOutput;

function condition(
  generation: number,
  type: string,
  status: ConditionStatus,
  reason: string,
  message: string,
): ConditionUpdate {
  return { type, status, reason, message, observedGeneration: generation };
}

/** Suspended: no AWS call; Reconciling=False reason Suspended, everything else kept. */
export function suspendedOutput(context: FargateServiceContext): Output {
  const generation = context.record.metadata.generation;
  return {
    result: done(),
    conditions: [
      condition(
        generation,
        ConditionType.Reconciling,
        ConditionStatus.False,
        FargateReason.Suspended,
        "spec.suspend is true: the controller makes no AWS call for this service",
      ),
    ],
    status: {},
  };
}

/** The referenced CloudMapNamespace is missing or not Ready yet: wait and look again. */
export function namespaceNotReadyOutput(context: FargateServiceContext): Output {
  const generation = context.record.metadata.generation;
  const message =
    context.namespace?.ready === false ? context.namespace.message : "the CloudMapNamespace is not ready";
  // Only a service registered in Cloud Map has that condition (Service Connect alone waits here too).
  const registers = context.record.spec.discovery?.cloudMap !== undefined;
  return {
    result: requeueAfter(context.settings.pollIntervalMs),
    conditions: [
      ...reconcilingConditions(generation, FargateReason.NamespaceNotReady, message),
      ...(registers
        ? [
            condition(
              generation,
              FargateConditionType.CloudMapRegistered,
              ConditionStatus.False,
              FargateReason.NamespaceNotReady,
              message,
            ),
          ]
        : []),
    ],
    status: {},
  };
}

/** A service of our name is still draining from an earlier deletion: wait before creating it again. */
export function drainingOutput(context: FargateServiceContext): Output {
  const generation = context.record.metadata.generation;
  const message = `ECS service ${context.ecs?.service.serviceName ?? ""} is still DRAINING from an earlier deletion; it is created again once it is gone`;
  return {
    result: requeueAfter(context.settings.pollIntervalMs),
    conditions: reconcilingConditions(generation, FargateReason.ServiceDraining, message),
    status: {},
  };
}

/** Everything converged as far as this pass can tell: conditions and status from the rollout observation. */
export function convergedOutput(context: FargateServiceContext): Output {
  const { record, taskDefinition, cloudMap, rollout, ecs, namespace } = context;
  const { spec, metadata } = record;
  const generation = metadata.generation;
  if (taskDefinition === undefined || rollout === undefined || ecs === undefined) {
    throw new Error("convergedOutput needs the task definition, the service and the rollout");
  }
  const conditions: ConditionUpdate[] = [
    condition(
      generation,
      FargateConditionType.TaskDefinitionRegistered,
      ConditionStatus.True,
      FargateReason.Registered,
      taskDefinition.arn,
    ),
  ];
  if (cloudMap !== undefined) {
    conditions.push(
      condition(
        generation,
        FargateConditionType.CloudMapRegistered,
        ConditionStatus.True,
        FargateReason.ServiceRegistered,
        `Cloud Map service ${cloudMap.serviceId}`,
      ),
    );
  }
  const consul = consulRegistration(context);
  if (consul !== undefined) conditions.push(consul.condition);
  const { running, desired } = rollout.replicas;
  let result: ReconcileResult = done();
  switch (rollout.state) {
    case RolloutState.Completed:
      if (!isServiceSteady(rollout)) {
        // The deployment is done but the task count is not: follow ECS until it is (replicas move each pass).
        conditions.push(
          condition(
            generation,
            FargateConditionType.ServiceStable,
            ConditionStatus.False,
            rollout.reason,
            rollout.message,
          ),
          ...reconcilingConditions(generation, rollout.reason, rollout.message),
        );
        result = requeueAfter(context.settings.pollIntervalMs);
        break;
      }
      conditions.push(
        condition(
          generation,
          FargateConditionType.ServiceStable,
          ConditionStatus.True,
          rollout.reason,
          rollout.message,
        ),
      );
      if (consul?.gatesReady === true) {
        // Only the Consul mirror is missing: the CatalogSync's report moves it, so look again soon.
        conditions.push(
          ...reconcilingConditions(generation, consul.condition.reason, consul.condition.message),
        );
        result = requeueAfter(context.settings.pollIntervalMs);
      } else {
        conditions.push(
          ...readyConditions(
            generation,
            FargateReason.RolloutComplete,
            `${running}/${desired} tasks running ${taskDefinition.arn}`,
          ),
        );
      }
      break;
    case RolloutState.Failed:
    case RolloutState.TimedOut:
      conditions.push(
        condition(
          generation,
          FargateConditionType.ServiceStable,
          ConditionStatus.False,
          rollout.reason,
          rollout.message,
        ),
        ...stalledConditions(generation, rollout.reason, rollout.message),
      );
      break;
    default:
      conditions.push(
        condition(
          generation,
          FargateConditionType.ServiceStable,
          ConditionStatus.False,
          rollout.reason,
          rollout.message,
        ),
        ...reconcilingConditions(generation, rollout.reason, rollout.message),
      );
      result = requeueAfter(context.settings.pollIntervalMs);
  }
  const endpoints = renderEndpoints(
    spec,
    metadata,
    namespace?.ready === true ? namespace.dnsName : undefined,
    consulPrefixOf(context.consulMirror),
  );
  return {
    result,
    conditions,
    status: {
      taskDefinitionArn: taskDefinition.arn,
      taskDefinitionHash: taskDefinition.hash,
      serviceArn: ecs.service.serviceArn,
      cloudMap,
      endpoints: Object.keys(endpoints).length === 0 ? undefined : endpoints,
      replicas: rollout.replicas,
      rollout:
        rollout.deploymentId === undefined || rollout.startedAt === undefined
          ? undefined
          : {
              state: rollout.state,
              deploymentId: rollout.deploymentId,
              startedAt: rollout.startedAt,
              specHash: record.specHash,
              ...strategyFields(rollout.progress),
              ...(rollout.stoppedTasks === undefined ? {} : { stoppedTasks: rollout.stoppedTasks }),
            },
      autoscaling: context.autoscaling?.status,
    },
  };
}

/** The strategy's part of `status.rollout` (nothing for a plain rolling service). */
function strategyFields(progress: DeploymentProgress | undefined): Partial<StatusRollout> {
  if (progress === undefined) return {};
  const { strategy, stage, trafficPercent, bakeEndsAt } = progress;
  return {
    strategy,
    ...(stage === undefined ? {} : { stage }),
    ...(trafficPercent === undefined ? {} : { trafficPercent }),
    ...(bakeEndsAt === undefined ? {} : { bakeEndsAt }),
  };
}

/** The prefix the namespace's CatalogSync gives Consul names (`toConsul.prefix`), "" without one. */
function consulPrefixOf(mirror: ConsulMirrorObservation | undefined): string {
  return mirror === undefined || mirror.state === "noCatalogSync" ? "" : mirror.consulPrefix;
}

/**
 * ConsulRegistered (DESIGN 10, Sync timing), and whether it holds Ready back: True once the CatalogSync reports
 * at least the running tasks in Consul (and some, unless none are desired); Unknown with consul-aws, which reports
 * nothing and so does not gate Ready; otherwise False. Undefined when the spec asks for no Consul mirror.
 */
function consulRegistration(
  context: FargateServiceContext,
): { condition: ConditionUpdate; gatesReady: boolean } | undefined {
  const { record, rollout, consulMirror: mirror } = context;
  if (record.spec.discovery?.consul?.register !== true || mirror === undefined) return undefined;
  const generation = record.metadata.generation;
  const type = FargateConditionType.ConsulRegistered;
  if (mirror.state === "noCatalogSync") {
    return {
      condition: condition(
        generation,
        type,
        ConditionStatus.False,
        FargateReason.NoCatalogSync,
        mirror.message,
      ),
      gatesReady: true,
    };
  }
  if (mirror.state === "unreported") {
    return {
      condition: condition(
        generation,
        type,
        ConditionStatus.Unknown,
        FargateReason.NotReported,
        `CatalogSync ${mirror.catalogSync} runs consul-aws, which reports nothing back`,
      ),
      gatesReady: false,
    };
  }
  const running = rollout?.replicas.running ?? 0;
  const desired = rollout?.replicas.desired ?? 0;
  const entry = mirror.mirrored;
  if (entry?.refused !== undefined) {
    return {
      condition: condition(
        generation,
        type,
        ConditionStatus.False,
        FargateReason.ConsulNameTaken,
        `CatalogSync ${mirror.catalogSync} does not mirror this service into Consul: ${entry.refused}; set spec.discovery.consul.serviceName to another name`,
      ),
      gatesReady: true,
    };
  }
  const instances = entry?.instances ?? 0;
  if (entry !== undefined && instances >= running && (instances > 0 || desired === 0)) {
    return {
      condition: condition(
        generation,
        type,
        ConditionStatus.True,
        FargateReason.Registered,
        `${instances} instance(s) in Consul as ${entry.consulName} (${entry.passing} passing), by CatalogSync ${mirror.catalogSync}`,
      ),
      gatesReady: false,
    };
  }
  return {
    condition: condition(
      generation,
      type,
      ConditionStatus.False,
      FargateReason.ConsulSyncPending,
      entry === undefined
        ? `CatalogSync ${mirror.catalogSync} has not mirrored this service into Consul yet`
        : `CatalogSync ${mirror.catalogSync} reports ${instances} instance(s) in Consul, ${running} task(s) run`,
    ),
    gatesReady: true,
  };
}

/** A deletion pass: done when the finalizer went, otherwise what it waits for. */
export function deletionOutput(context: FargateServiceContext): Output {
  const generation = context.record.metadata.generation;
  const progress = context.deletion;
  if (progress === undefined || progress.complete) return { result: done(), conditions: [], status: {} };
  return {
    result: requeueAfter(context.settings.pollIntervalMs),
    conditions: reconcilingConditions(generation, FargateReason.Deleting, progress.message),
    status: {},
  };
}
