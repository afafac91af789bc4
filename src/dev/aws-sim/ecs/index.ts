import type { CloudMapState } from "../cloudmap/state.js";
import type { SimContext } from "../context.js";
import type { HandlerTable } from "../operation.js";
import { clusterHandlers } from "./clusters.js";
import { EcsScheduler } from "./scheduler.js";
import { serviceDeploymentHandlers } from "./service-deployments.js";
import { serviceHandlers } from "./services.js";
import { EcsState } from "./state.js";
import { ecsTagHandlers } from "./tags.js";
import { taskDefinitionHandlers } from "./taskDefinitions.js";
import { taskHandlers } from "./tasks.js";

/** The simulated ECS API: state, scheduler and every operation it answers. */
export interface EcsApi {
  /** The state (failing images live here). */
  readonly state: EcsState;
  /** Runs tasks and deployments. */
  readonly scheduler: EcsScheduler;
  /** Operations by name. */
  readonly handlers: HandlerTable;
}

/** Creates an empty simulated ECS on `ctx` that registers tasks into `cloudMap`. */
export function createEcs(ctx: SimContext, cloudMap: CloudMapState): EcsApi {
  const state = new EcsState(ctx);
  const scheduler = new EcsScheduler(state, cloudMap);
  return {
    state,
    scheduler,
    handlers: {
      ...clusterHandlers(state),
      ...taskDefinitionHandlers(state),
      ...serviceHandlers(state, scheduler, cloudMap),
      ...serviceDeploymentHandlers(state),
      ...taskHandlers(state),
      ...ecsTagHandlers(state),
    },
  };
}
