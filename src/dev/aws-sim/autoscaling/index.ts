import type { SimContext } from "../context.js";
import type { EcsApi } from "../ecs/index.js";
import type { HandlerTable } from "../operation.js";
import { activityHandlers } from "./activities.js";
import { policyHandlers } from "./policies.js";
import { Scaler } from "./scaler.js";
import { scheduledHandlers } from "./scheduled.js";
import { AutoScalingState } from "./state.js";
import { tagHandlers } from "./tags.js";
import { targetHandlers } from "./targets.js";

export { type MetricResult, type MetricSample, Scaler } from "./scaler.js";
export { SimMetric } from "./state.js";

/** The simulated Application Auto Scaling API (ECS service desired counts only). */
export interface AutoScalingApi {
  /** Targets, policies, scheduled actions, activities. */
  readonly state: AutoScalingState;
  /** Moves ECS desired counts (the `/_sim` metric hook calls it). */
  readonly scaler: Scaler;
  /** Operations by name. */
  readonly handlers: HandlerTable;
}

/** Creates an empty Application Auto Scaling on `ctx` that scales the services of `ecs`. */
export function createAutoScaling(ctx: SimContext, ecs: Pick<EcsApi, "state" | "scheduler">): AutoScalingApi {
  const state = new AutoScalingState(ctx);
  const scaler = new Scaler(state, ecs.state, ecs.scheduler);
  return {
    state,
    scaler,
    handlers: {
      ...targetHandlers(state, scaler),
      ...policyHandlers(state),
      ...scheduledHandlers(state, scaler),
      ...activityHandlers(state),
      ...tagHandlers(state),
    },
  };
}
