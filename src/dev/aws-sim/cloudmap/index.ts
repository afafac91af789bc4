import type { SimContext } from "../context.js";
import type { HandlerTable } from "../operation.js";
import { instanceHandlers } from "./instances.js";
import { namespaceHandlers } from "./namespaces.js";
import { operationHandlers } from "./operations.js";
import { serviceHandlers } from "./services.js";
import { CloudMapState } from "./state.js";
import { tagHandlers } from "./tags.js";

/** The simulated Cloud Map API: its state and every operation it answers. */
export interface CloudMapApi {
  /** The state, shared with the ECS simulation (which registers tasks as instances). */
  readonly state: CloudMapState;
  /** Operations by name. */
  readonly handlers: HandlerTable;
}

/** Creates an empty simulated Cloud Map on `ctx`. */
export function createCloudMap(ctx: SimContext): CloudMapApi {
  const state = new CloudMapState(ctx);
  return {
    state,
    handlers: {
      ...namespaceHandlers(state),
      ...serviceHandlers(state),
      ...instanceHandlers(state),
      ...operationHandlers(state),
      ...tagHandlers(state),
    },
  };
}
