import { AwsApiError } from "../errors.js";
import type { Input } from "../input.js";
import type { HandlerTable } from "../operation.js";
import type { EcsState, EcsTag } from "./state.js";
import { mergeEcsTags, readEcsTags } from "./tagging.js";

/** TagResource, UntagResource, ListTagsForResource for clusters, services and task definitions. */
export function ecsTagHandlers(state: EcsState): HandlerTable {
  const tagged = (input: Input): { tags: EcsTag[] } => {
    const arn = input.str("resourceArn");
    const found =
      [...state.clusters.values()].find((c) => c.arn === arn && c.status === "ACTIVE") ??
      [...state.services.values()].find((s) => s.arn === arn && s.status !== "INACTIVE") ??
      state.findTaskDefinition(arn);
    if (found === undefined)
      throw new AwsApiError("ResourceNotFoundException", "The specified resource could not be found.");
    return found;
  };
  return {
    TagResource(input: Input) {
      const target = tagged(input);
      const merged = mergeEcsTags(target.tags, readEcsTags(input));
      if (merged.length > 50)
        throw new AwsApiError("InvalidParameterException", "Too many tags: at most 50 are allowed.");
      target.tags = merged;
      return {};
    },
    UntagResource(input: Input) {
      const target = tagged(input);
      const keys = input.optStrList("tagKeys") ?? [];
      target.tags = target.tags.filter((t) => !keys.includes(t.key));
      return {};
    },
    ListTagsForResource(input: Input) {
      return { tags: tagged(input).tags.map((t) => ({ ...t })) };
    },
  };
}
