import type { Input } from "../input.js";
import type { HandlerTable } from "../operation.js";
import { activityShape } from "./shapes.js";
import type { AutoScalingState } from "./state.js";
import { page, readDimension, readNamespace } from "./validate.js";

/** DescribeScalingActivities: newest first; not-scaled activities only with IncludeNotScaledActivities. */
export function activityHandlers(state: AutoScalingState): HandlerTable {
  return {
    DescribeScalingActivities(input: Input) {
      const namespace = readNamespace(input);
      const dimension = readDimension(input, false);
      const resourceId = input.optStr("ResourceId");
      const withNotScaled = input.optBool("IncludeNotScaledActivities") === true;
      const list = state.activities.filter(
        (a) =>
          a.namespace === namespace &&
          (dimension === undefined || a.dimension === dimension) &&
          (resourceId === undefined || a.resourceId === resourceId) &&
          (withNotScaled || a.notScaled === undefined),
      );
      const answer = page(input, list, 50);
      return { ScalingActivities: answer.items.map(activityShape), NextToken: answer.nextToken };
    },
  };
}
