import { AwsApiError } from "../errors.js";
import type { Input } from "../input.js";
import type { HandlerTable } from "../operation.js";
import type { AutoScalingState, ScalableTarget } from "./state.js";
import { validation } from "./validate.js";

const MAX_TAGS = 50;
const TARGET_ARN = /^arn:.+:application-autoscaling:.+:[0-9]+:scalable-target\/[a-zA-Z0-9-]+$/;

/** Reads and checks a `Tags` map (keys 1–128, values 0–256 characters, at most 50). */
export function readTags(input: Input, name = "Tags"): Record<string, string> | undefined {
  const tags = input.optStrMap(name);
  if (tags === undefined) return undefined;
  for (const [key, value] of Object.entries(tags)) {
    if (key.length < 1 || key.length > 128 || value.length > 256)
      throw validation("Tag keys must be 1 to 128 characters and values at most 256.");
  }
  if (Object.keys(tags).length > MAX_TAGS) throw validation(`A resource can have at most ${MAX_TAGS} tags.`);
  return tags;
}

/** TagResource, UntagResource, ListTagsForResource on scalable targets (the only taggable resource). */
export function tagHandlers(state: AutoScalingState): HandlerTable {
  const resource = (input: Input): ScalableTarget => {
    const arn = input.str("ResourceARN");
    if (!TARGET_ARN.test(arn)) throw validation(`Invalid ResourceARN: ${arn}`);
    const target = [...state.targets.values()].find((t) => t.arn === arn);
    if (target === undefined) {
      throw new AwsApiError("ResourceNotFoundException", `Scalable target not found: ${arn}`, 400, {
        ResourceName: arn,
      });
    }
    return target;
  };
  return {
    TagResource(input: Input) {
      const target = resource(input);
      const added = readTags(input) ?? {};
      const merged = new Map([...target.tags, ...Object.entries(added)]);
      if (merged.size > MAX_TAGS) {
        throw new AwsApiError("TooManyTagsException", `A resource can have at most ${MAX_TAGS} tags.`, 400, {
          ResourceName: target.arn,
        });
      }
      target.tags = merged;
      return {};
    },
    UntagResource(input: Input) {
      const target = resource(input);
      for (const key of input.optStrList("TagKeys") ?? []) target.tags.delete(key);
      return {};
    },
    ListTagsForResource(input: Input) {
      return { Tags: Object.fromEntries(resource(input).tags) };
    },
  };
}
