/** Types of the Application Auto Scaling gateway and the mapping of AWS's shapes onto them. */
import type { ScalingPolicy, ScheduledAction } from "@aws-sdk/client-application-auto-scaling";
import { clusterKey } from "./ecs.js";
import type { TagMap } from "./types.js";

/** The predefined metrics a FargateService may track, by their spec names. */
export const ScalingMetric = {
  cpu: "ECSServiceAverageCPUUtilization",
  memory: "ECSServiceAverageMemoryUtilization",
  albRequestCountPerTarget: "ALBRequestCountPerTarget",
} as const;
/** A spec name of a predefined metric. */
export type ScalingMetric = keyof typeof ScalingMetric;

/** An ECS service, by cluster (name or ARN) and service name. */
export interface EcsServiceRef {
  cluster: string;
  service: string;
}

/** A scalable target as AWS describes it. */
export interface ScalableTargetView {
  arn: string;
  minCount: number;
  maxCount: number;
  roleArn: string;
  suspended: { scaleIn: boolean; scaleOut: boolean; scheduled: boolean };
}

/** A target-tracking policy on a predefined metric. */
export interface TargetTrackingPolicy {
  name: string;
  metric: ScalingMetric;
  targetValue: number;
  /** `app/<lb>/<id>/targetgroup/<tg>/<id>`; required for albRequestCountPerTarget. */
  resourceLabel?: string;
  scaleInCooldownSeconds?: number;
  scaleOutCooldownSeconds?: number;
  disableScaleIn?: boolean;
}

/** A policy as AWS describes it; `targetTracking` only for target tracking on one of our metrics. */
export interface ScalingPolicyView {
  name: string;
  arn: string;
  policyType: string;
  targetTracking?: TargetTrackingPolicy;
}

/** A scheduled action: `at(...)`, `rate(...)` or `cron(...)`, setting min and/or max. */
export interface ScheduledActionSpec {
  name: string;
  schedule: string;
  timezone?: string;
  minCount?: number;
  maxCount?: number;
}

/** One scaling activity. */
export interface ScalingActivityView {
  id: string;
  description: string;
  cause: string;
  statusCode: string;
  statusMessage?: string;
  startedAt: Date;
}

/** What the reconciler may ask of Application Auto Scaling for one ECS service. */
export interface ApplicationAutoScalingGateway {
  /** Registers the target or updates its bounds; returns its ARN. Tags apply on creation. */
  registerTarget(
    ref: EcsServiceRef,
    bounds: { minCount: number; maxCount: number },
    tags?: TagMap,
    signal?: AbortSignal,
  ): Promise<string>;
  /** The target, or undefined when none is registered. */
  describeTarget(ref: EcsServiceRef, signal?: AbortSignal): Promise<ScalableTargetView | undefined>;
  /** Deregisters the target (AWS removes its policies and scheduled actions); false when there was none. */
  deregisterTarget(ref: EcsServiceRef, signal?: AbortSignal): Promise<boolean>;
  /** Creates or updates (same name) a target-tracking policy; returns its ARN. */
  putTargetTrackingPolicy(
    ref: EcsServiceRef,
    policy: TargetTrackingPolicy,
    signal?: AbortSignal,
  ): Promise<string>;
  /** Deletes a policy; false when there was none. */
  deletePolicy(ref: EcsServiceRef, name: string, signal?: AbortSignal): Promise<boolean>;
  /** Every policy of the target. */
  listPolicies(ref: EcsServiceRef, signal?: AbortSignal): Promise<ScalingPolicyView[]>;
  /** Creates or updates (same name) a scheduled action. */
  putScheduledAction(ref: EcsServiceRef, action: ScheduledActionSpec, signal?: AbortSignal): Promise<void>;
  /** Deletes a scheduled action; false when there was none. */
  deleteScheduledAction(ref: EcsServiceRef, name: string, signal?: AbortSignal): Promise<boolean>;
  /** Every scheduled action of the target. */
  listScheduledActions(ref: EcsServiceRef, signal?: AbortSignal): Promise<ScheduledActionSpec[]>;
  /** The newest scaling activity of the target, if any. */
  lastActivity(ref: EcsServiceRef, signal?: AbortSignal): Promise<ScalingActivityView | undefined>;
}

/** The scalable target's resource id of an ECS service: `service/<cluster name>/<service name>`. */
export function ecsResourceId(ref: EcsServiceRef): string {
  return `service/${clusterKey(ref.cluster)}/${ref.service}`;
}

const metricByType = new Map<string, ScalingMetric>(
  Object.entries(ScalingMetric).map(([key, type]) => [type, key as ScalingMetric]),
);

/** An AWS policy as the gateway reports it. */
export function policyView(p: ScalingPolicy): ScalingPolicyView {
  const config = p.TargetTrackingScalingPolicyConfiguration;
  const metric = metricByType.get(config?.PredefinedMetricSpecification?.PredefinedMetricType ?? "");
  const label = config?.PredefinedMetricSpecification?.ResourceLabel;
  const view: ScalingPolicyView = {
    name: p.PolicyName ?? "",
    arn: p.PolicyARN ?? "",
    policyType: p.PolicyType ?? "",
  };
  if (config?.TargetValue === undefined || metric === undefined) return view;
  return {
    ...view,
    targetTracking: {
      name: view.name,
      metric,
      targetValue: config.TargetValue,
      ...(label === undefined ? {} : { resourceLabel: label }),
      ...(config.ScaleInCooldown === undefined ? {} : { scaleInCooldownSeconds: config.ScaleInCooldown }),
      ...(config.ScaleOutCooldown === undefined ? {} : { scaleOutCooldownSeconds: config.ScaleOutCooldown }),
      ...(config.DisableScaleIn === undefined ? {} : { disableScaleIn: config.DisableScaleIn }),
    },
  };
}

/** An AWS scheduled action as the gateway reports it. */
export function scheduledView(a: ScheduledAction): ScheduledActionSpec {
  const min = a.ScalableTargetAction?.MinCapacity;
  const max = a.ScalableTargetAction?.MaxCapacity;
  return {
    name: a.ScheduledActionName ?? "",
    schedule: a.Schedule ?? "",
    ...(a.Timezone === undefined ? {} : { timezone: a.Timezone }),
    ...(min === undefined ? {} : { minCount: min }),
    ...(max === undefined ? {} : { maxCount: max }),
  };
}
