import type { TimerHandle } from "../../../clock.js";
import type { SimContext } from "../context.js";
import { AwsApiError } from "../errors.js";
import type { JsonObject } from "../input.js";

/** The one namespace the simulator scales (ECS services). */
export const ECS_NAMESPACE = "ecs";
/** The one scalable dimension of an ECS service. */
export const ECS_DESIRED_COUNT = "ecs:service:DesiredCount";

/** What identifies a scalable target: namespace, resource id and dimension. */
export interface TargetRef {
  readonly namespace: string;
  readonly resourceId: string;
  readonly dimension: string;
}

/** Which dynamic or scheduled scaling is paused on a target. */
export interface SuspendedState {
  DynamicScalingInSuspended: boolean;
  DynamicScalingOutSuspended: boolean;
  ScheduledScalingSuspended: boolean;
}

/** A registered scalable target (an ECS service's desired count). */
export interface ScalableTarget extends TargetRef {
  readonly id: string;
  readonly arn: string;
  readonly createdAt: number;
  /** The ECS cluster and service the resource id names. */
  readonly cluster: string;
  readonly service: string;
  minCapacity: number;
  maxCapacity: number;
  roleArn: string;
  suspended: SuspendedState;
  tags: Map<string, string>;
}

/** A scaling policy of a target, as put (the configuration kept as sent). */
export interface ScalingPolicy extends TargetRef {
  readonly name: string;
  readonly arn: string;
  readonly createdAt: number;
  policyType: string;
  configuration: JsonObject;
  alarms: { AlarmName: string; AlarmARN: string }[];
}

/** A scheduled action and the timer that fires it next. */
export interface ScheduledAction extends TargetRef {
  readonly name: string;
  readonly arn: string;
  readonly createdAt: number;
  schedule: string;
  timezone: string | undefined;
  startTime: number | undefined;
  endTime: number | undefined;
  minCapacity: number | undefined;
  maxCapacity: number | undefined;
  timer: TimerHandle | undefined;
}

/** Why a dynamic evaluation left the count alone (AWS NotScaledReason). */
export interface NotScaledReason {
  Code: string;
  MaxCapacity?: number;
  MinCapacity?: number;
  CurrentCapacity?: number;
}

/** One scaling activity (newest first in answers). */
export interface ScalingActivity extends TargetRef {
  readonly id: string;
  readonly description: string;
  readonly cause: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly statusCode: "Successful" | "Failed";
  readonly statusMessage: string;
  /** Set on activities that did not scale (shown only with IncludeNotScaledActivities). */
  readonly notScaled: NotScaledReason[] | undefined;
}

/** A predefined metric the `/_sim` hook can feed, by its short name. */
export const SimMetric = {
  cpu: "ECSServiceAverageCPUUtilization",
  memory: "ECSServiceAverageMemoryUtilization",
  albRequestCountPerTarget: "ALBRequestCountPerTarget",
} as const;
/** A short metric name accepted by the hook. */
export type SimMetric = keyof typeof SimMetric;

/** A fed metric value and the desired count when it was fed (value × count is the load it stands for). */
export interface MetricReading {
  readonly value: number;
  readonly count: number;
}

const MAX_ACTIVITIES = 1000;

/** Everything Application Auto Scaling holds for one simulated account and Region. */
export class AutoScalingState {
  /** Targets by {@link targetKey}. */
  readonly targets = new Map<string, ScalableTarget>();
  /** Policies by target key, then name (insertion order kept for answers). */
  readonly policies = new Map<string, Map<string, ScalingPolicy>>();
  /** Scheduled actions by target key, then name. */
  readonly scheduled = new Map<string, Map<string, ScheduledAction>>();
  /** Activities, newest first (kept after deregistration, as AWS keeps history). */
  readonly activities: ScalingActivity[] = [];
  /** Latest metric reading fed per target key and predefined metric type, with the count it was read at. */
  readonly metrics = new Map<string, Map<string, MetricReading>>();
  /** The simulator context. */
  readonly ctx: SimContext;

  /** Empty state on `ctx`. */
  constructor(ctx: SimContext) {
    this.ctx = ctx;
  }

  /** The ARN of a scalable target with this id. */
  targetArn(id: string): string {
    return `arn:aws:application-autoscaling:${this.ctx.region}:${this.ctx.accountId}:scalable-target/${id}`;
  }

  /** The service-linked role Application Auto Scaling uses for ECS when no role is given. */
  serviceLinkedRole(): string {
    return `arn:aws:iam::${this.ctx.accountId}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`;
  }

  /** The registered target, else AWS's ObjectNotFoundException. */
  target(ref: TargetRef): ScalableTarget {
    const found = this.targets.get(targetKey(ref));
    if (found === undefined) {
      throw new AwsApiError(
        "ObjectNotFoundException",
        `No scalable target registered for service namespace: ${ref.namespace}, resource ID: ${ref.resourceId}, scalable dimension: ${ref.dimension}`,
      );
    }
    return found;
  }

  /** Policies of a target (an empty map when none). */
  policiesOf(ref: TargetRef): Map<string, ScalingPolicy> {
    const key = targetKey(ref);
    let map = this.policies.get(key);
    if (map === undefined) {
      map = new Map();
      this.policies.set(key, map);
    }
    return map;
  }

  /** Scheduled actions of a target (an empty map when none). */
  scheduledOf(ref: TargetRef): Map<string, ScheduledAction> {
    const key = targetKey(ref);
    let map = this.scheduled.get(key);
    if (map === undefined) {
      map = new Map();
      this.scheduled.set(key, map);
    }
    return map;
  }

  /** Records an activity (newest first; the oldest beyond 1000 are forgotten). */
  record(activity: Omit<ScalingActivity, "id">): ScalingActivity {
    const full: ScalingActivity = { id: this.ctx.ids.uuid(), ...activity };
    this.activities.unshift(full);
    this.activities.length = Math.min(this.activities.length, MAX_ACTIVITIES);
    return full;
  }

  /** Forgets a target with its policies, scheduled actions (timers cancelled) and fed metrics. */
  remove(target: ScalableTarget): void {
    const key = targetKey(target);
    for (const action of this.scheduled.get(key)?.values() ?? []) action.timer?.cancel();
    this.targets.delete(key);
    this.policies.delete(key);
    this.scheduled.delete(key);
    this.metrics.delete(key);
  }
}

/** The map key of a target. */
export function targetKey(ref: TargetRef): string {
  return `${ref.namespace}|${ref.resourceId}|${ref.dimension}`;
}
