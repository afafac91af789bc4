/**
 * The FargateService pass's output: conditions and status fields from what the steps found. Pure. Conditions are
 * the machine's output, not its state: Ready sums up the parts the spec asks for (DESIGN 2, Status).
 */
import { ConditionStatus, RolloutState } from "../../crds/index.js";
import { renderEndpoints } from "../../render/index.js";
import {
  ConditionType,
  type ConditionUpdate,
  readyConditions,
  reconcilingConditions,
  stalledConditions,
} from "../conditions.js";
import type { PassOutput } from "../machine-runner.js";
import { done, type ReconcileResult, requeueAfter } from "../result.js";
import { FargateConditionType, type FargateServiceContext } from "./context.js";

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
  CatalogSyncPending: "CatalogSyncPending",
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
  return {
    result: requeueAfter(context.settings.pollIntervalMs),
    conditions: [
      ...reconcilingConditions(generation, FargateReason.NamespaceNotReady, message),
      condition(
        generation,
        FargateConditionType.CloudMapRegistered,
        ConditionStatus.False,
        FargateReason.NamespaceNotReady,
        message,
      ),
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
  if (spec.discovery?.consul?.register === true) {
    // The catalog sync owns this condition; until it reports, it does not hold Ready back.
    conditions.push(
      condition(
        generation,
        FargateConditionType.ConsulRegistered,
        ConditionStatus.Unknown,
        FargateReason.CatalogSyncPending,
        "the Consul mirror is reported by the namespace's CatalogSync",
      ),
    );
  }
  const { running, desired } = rollout.replicas;
  let result: ReconcileResult = done();
  switch (rollout.state) {
    case RolloutState.Completed:
      conditions.push(
        condition(
          generation,
          FargateConditionType.ServiceStable,
          ConditionStatus.True,
          rollout.reason,
          rollout.message,
        ),
        ...readyConditions(
          generation,
          FargateReason.RolloutComplete,
          `${running}/${desired} tasks running ${taskDefinition.arn}`,
        ),
      );
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
  );
  return {
    result,
    conditions,
    status: {
      taskDefinitionArn: taskDefinition.arn,
      taskDefinitionHash: taskDefinition.hash,
      observedSpecHash: record.specHash,
      serviceArn: ecs.service.serviceArn,
      cloudMap,
      endpoints: Object.keys(endpoints).length === 0 ? undefined : endpoints,
      replicas: rollout.replicas,
      rollout:
        rollout.deploymentId === undefined || rollout.startedAt === undefined
          ? undefined
          : { state: rollout.state, deploymentId: rollout.deploymentId, startedAt: rollout.startedAt },
    },
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
