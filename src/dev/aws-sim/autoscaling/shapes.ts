import { epochSeconds } from "../context.js";
import type { ScalableTarget, ScalingActivity, ScalingPolicy, ScheduledAction } from "./state.js";

/** A target in DescribeScalableTargets' `ScalableTarget` shape. */
export function targetShape(t: ScalableTarget): Record<string, unknown> {
  return {
    ServiceNamespace: t.namespace,
    ResourceId: t.resourceId,
    ScalableDimension: t.dimension,
    MinCapacity: t.minCapacity,
    MaxCapacity: t.maxCapacity,
    RoleARN: t.roleArn,
    CreationTime: epochSeconds(t.createdAt),
    SuspendedState: { ...t.suspended },
    ScalableTargetARN: t.arn,
  };
}

/** A policy in DescribeScalingPolicies' `ScalingPolicy` shape (its configuration as put). */
export function policyShape(p: ScalingPolicy): Record<string, unknown> {
  const configMember =
    p.policyType === "TargetTrackingScaling"
      ? "TargetTrackingScalingPolicyConfiguration"
      : p.policyType === "StepScaling"
        ? "StepScalingPolicyConfiguration"
        : "PredictiveScalingPolicyConfiguration";
  return {
    PolicyARN: p.arn,
    PolicyName: p.name,
    ServiceNamespace: p.namespace,
    ResourceId: p.resourceId,
    ScalableDimension: p.dimension,
    PolicyType: p.policyType,
    [configMember]: structuredClone(p.configuration),
    Alarms: p.alarms.map((a) => ({ ...a })),
    CreationTime: epochSeconds(p.createdAt),
  };
}

/** A scheduled action in DescribeScheduledActions' `ScheduledAction` shape. */
export function scheduledShape(a: ScheduledAction): Record<string, unknown> {
  const action: Record<string, number> = {};
  if (a.minCapacity !== undefined) action.MinCapacity = a.minCapacity;
  if (a.maxCapacity !== undefined) action.MaxCapacity = a.maxCapacity;
  return {
    ScheduledActionName: a.name,
    ScheduledActionARN: a.arn,
    ServiceNamespace: a.namespace,
    Schedule: a.schedule,
    Timezone: a.timezone,
    ResourceId: a.resourceId,
    ScalableDimension: a.dimension,
    StartTime: a.startTime === undefined ? undefined : epochSeconds(a.startTime),
    EndTime: a.endTime === undefined ? undefined : epochSeconds(a.endTime),
    ScalableTargetAction: action,
    CreationTime: epochSeconds(a.createdAt),
  };
}

/** An activity in DescribeScalingActivities' `ScalingActivity` shape. */
export function activityShape(a: ScalingActivity): Record<string, unknown> {
  return {
    ActivityId: a.id,
    ServiceNamespace: a.namespace,
    ResourceId: a.resourceId,
    ScalableDimension: a.dimension,
    Description: a.description,
    Cause: a.cause,
    StartTime: epochSeconds(a.startedAt),
    EndTime: epochSeconds(a.endedAt),
    StatusCode: a.statusCode,
    StatusMessage: a.statusMessage,
    ...(a.notScaled === undefined ? {} : { NotScaledReasons: a.notScaled.map((r) => ({ ...r })) }),
  };
}
