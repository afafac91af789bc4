import type { EcsScheduler } from "../ecs/scheduler.js";
import type { EcsService, EcsState } from "../ecs/state.js";
import { field, isJsonObject, numField } from "../input.js";
import { activityShape } from "./shapes.js";
import {
  type AutoScalingState,
  ECS_DESIRED_COUNT,
  ECS_NAMESPACE,
  type MetricReading,
  type ScalableTarget,
  type ScalingPolicy,
  SimMetric,
  targetKey,
} from "./state.js";

/** A metric value fed through `/_sim/autoscaling/metrics` for one ECS service. */
export interface MetricSample {
  /** ECS cluster name. */
  readonly cluster: string;
  /** ECS service name. */
  readonly service: string;
  /** cpu, memory or albRequestCountPerTarget. */
  readonly metric: SimMetric;
  /** The metric's value (percent, or requests per target). */
  readonly value: number;
}

/** What feeding a metric did. */
export interface MetricResult {
  /** The scalable target's resource id. */
  readonly resourceId: string;
  /** ECS desiredCount before. */
  readonly previousDesiredCount: number;
  /** ECS desiredCount after. */
  readonly desiredCount: number;
  /** The activity recorded (absent when no policy asked for a change). */
  readonly activity?: Record<string, unknown>;
}

/** One policy's wish for a metric. */
interface Proposal {
  readonly policy: ScalingPolicy;
  readonly wanted: number;
}

/** Moves ECS desired counts the way Application Auto Scaling does: into [min, max], on metrics and schedules. */
export class Scaler {
  readonly #state: AutoScalingState;
  readonly #ecs: EcsState;
  readonly #scheduler: EcsScheduler;

  /** A scaler writing into `ecs` through its scheduler (as UpdateService does). */
  constructor(state: AutoScalingState, ecs: EcsState, scheduler: EcsScheduler) {
    this.#state = state;
    this.#ecs = ecs;
    this.#scheduler = scheduler;
  }

  /** The ACTIVE ECS service a target scales, if there is one. */
  service(target: { cluster: string; service: string }): EcsService | undefined {
    const svc = this.#ecs.findService(target.cluster, target.service);
    return svc?.status === "ACTIVE" ? svc : undefined;
  }

  /** Brings the service's desired count into the target's [min, max] (AWS does so on register and schedules). */
  clampToRange(target: ScalableTarget): void {
    const svc = this.service(target);
    if (svc === undefined) return;
    if (svc.desiredCount < target.minCapacity)
      this.#setCount(target, svc, target.minCapacity, `minimum capacity was set to ${target.minCapacity}`);
    else if (svc.desiredCount > target.maxCapacity)
      this.#setCount(target, svc, target.maxCapacity, `maximum capacity was set to ${target.maxCapacity}`);
  }

  /**
   * Records a metric value and evaluates every target-tracking policy on its metric's latest reading: each
   * wants ceil(count × value / target), count being the desired count when the value was fed (never lower with
   * DisableScaleIn or scale-in suspended, never higher with scale-out suspended); the largest wish wins, clamped
   * to [min, max] (AWS's rule for several policies).
   */
  feedMetric(sample: MetricSample): MetricResult {
    const resourceId = `service/${sample.cluster}/${sample.service}`;
    const ref = { namespace: ECS_NAMESPACE, resourceId, dimension: ECS_DESIRED_COUNT };
    const target = this.#state.targets.get(targetKey(ref));
    if (target === undefined) throw new TypeError(`no scalable target is registered for ${resourceId}`);
    const metricType = SimMetric[sample.metric];
    const svc = this.service(target);
    if (svc === undefined) throw new TypeError(`ECS service doesn't exist: ${resourceId}`);
    const current = svc.desiredCount;
    let fed = this.#state.metrics.get(targetKey(ref));
    if (fed === undefined) {
      fed = new Map();
      this.#state.metrics.set(targetKey(ref), fed);
    }
    fed.set(metricType, { value: sample.value, count: current });
    const readings = fed;
    const proposals = [...this.#state.policiesOf(target).values()]
      .map((policy) => this.#proposal(target, policy, readings, current))
      .filter((p): p is Proposal => p !== undefined);
    const best = proposals.reduce<Proposal | undefined>(
      (a, b) => (a === undefined || b.wanted > a.wanted ? b : a),
      undefined,
    );
    if (best === undefined || best.wanted === current)
      return { resourceId, previousDesiredCount: current, desiredCount: current };
    const desired = Math.min(target.maxCapacity, Math.max(target.minCapacity, best.wanted));
    const alarm = best.policy.alarms.find((a) =>
      a.AlarmName.includes(best.wanted > current ? "High" : "Low"),
    );
    const cause = `monitor alarm ${alarm?.AlarmName ?? best.policy.name} in state ALARM triggered policy ${best.policy.name}`;
    if (desired === current) {
      const atMax = best.wanted > current;
      const activity = this.#state.record({
        ...ref,
        description: "Attempting to scale due to alarm triggered",
        cause,
        startedAt: this.#state.ctx.clock.now(),
        endedAt: this.#state.ctx.clock.now(),
        statusCode: "Failed",
        statusMessage: `Failed to set desired count to ${best.wanted}. Reason: Already at ${atMax ? "maximum" : "minimum"} capacity.`,
        notScaled: [
          atMax
            ? { Code: "AlreadyAtMaxCapacity", MaxCapacity: target.maxCapacity, CurrentCapacity: current }
            : { Code: "AlreadyAtMinCapacity", MinCapacity: target.minCapacity, CurrentCapacity: current },
        ],
      });
      return {
        resourceId,
        previousDesiredCount: current,
        desiredCount: current,
        activity: activityShape(activity),
      };
    }
    const activity = this.#setCount(target, svc, desired, cause);
    return {
      resourceId,
      previousDesiredCount: current,
      desiredCount: desired,
      activity: activityShape(activity),
    };
  }

  /** Applies a scheduled action's min/max, then brings the count into range; records the activity. */
  runScheduledAction(target: ScalableTarget, name: string, min?: number, max?: number): void {
    if (min !== undefined) target.minCapacity = min;
    if (max !== undefined) target.maxCapacity = max;
    // A one-sided change may cross the other bound; AWS keeps min <= max.
    if (target.minCapacity > target.maxCapacity) {
      if (min !== undefined) target.maxCapacity = target.minCapacity;
      else target.minCapacity = target.maxCapacity;
    }
    const now = this.#state.ctx.clock.now();
    const change = `min capacity to ${target.minCapacity} and max capacity to ${target.maxCapacity}`;
    this.#state.record({
      namespace: target.namespace,
      resourceId: target.resourceId,
      dimension: target.dimension,
      description: `Setting ${change}`,
      cause: `scheduled action name ${name} was triggered`,
      startedAt: now,
      endedAt: now,
      statusCode: "Successful",
      statusMessage: `Successfully set ${change}`,
      notScaled: undefined,
    });
    this.clampToRange(target);
  }

  #proposal(
    target: ScalableTarget,
    policy: ScalingPolicy,
    readings: ReadonlyMap<string, MetricReading>,
    current: number,
  ): Proposal | undefined {
    if (policy.policyType !== "TargetTrackingScaling") return undefined;
    const config = policy.configuration;
    const predefined = isJsonObject(config.PredefinedMetricSpecification)
      ? config.PredefinedMetricSpecification
      : undefined;
    const targetValue = numField(config, "TargetValue");
    const reading = readings.get(field(predefined, "PredefinedMetricType") ?? "");
    if (reading === undefined || targetValue === undefined) return undefined;
    // A reading stands for a load (value × the count it was read at), so an older reading of another metric
    // does not compound after the count has moved; with no task running, any load asks for one task.
    const load = reading.value * Math.max(reading.count, reading.value > 0 ? 1 : 0);
    let wanted = Math.ceil(load / targetValue - 1e-9);
    const noScaleIn = config.DisableScaleIn === true || target.suspended.DynamicScalingInSuspended;
    if (wanted < current && noScaleIn) wanted = current;
    if (wanted > current && target.suspended.DynamicScalingOutSuspended) wanted = current;
    return { policy, wanted };
  }

  #setCount(target: ScalableTarget, svc: EcsService, count: number, cause: string) {
    const started = this.#state.ctx.clock.now();
    svc.desiredCount = count;
    this.#scheduler.reconcile(svc);
    return this.#state.record({
      namespace: target.namespace,
      resourceId: target.resourceId,
      dimension: target.dimension,
      description: `Setting desired count to ${count}.`,
      cause,
      startedAt: started,
      endedAt: this.#state.ctx.clock.now(),
      statusCode: "Successful",
      statusMessage: `Successfully set desired count to ${count}. Change successfully fulfilled by ecs.`,
      notScaled: undefined,
    });
  }
}

/** Reads the `/_sim/autoscaling/metrics` body `{cluster, service, metric, value}` (TypeError when malformed). */
export function readMetricSample(body: Record<string, unknown>): MetricSample {
  const { cluster, service, metric, value } = body;
  if (typeof cluster !== "string" || cluster === "") throw new TypeError("cluster must be a string");
  if (typeof service !== "string" || service === "") throw new TypeError("service must be a string");
  if (typeof metric !== "string" || !Object.hasOwn(SimMetric, metric))
    throw new TypeError(`metric must be one of ${Object.keys(SimMetric).join(", ")}`);
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
    throw new TypeError("value must be a number, 0 or more");
  return { cluster, service, metric: metric as SimMetric, value };
}
