import { cloudMapError } from "../errors.js";
import { field, type Input } from "../input.js";
import type { HandlerTable } from "../operation.js";
import type { CloudMapState, CmTag } from "./state.js";

const MAX_TAGS = 50;

/** Reads and checks the `Tags` member of a Cloud Map request. */
export function readTags(input: Input, name = "Tags"): CmTag[] {
  const tags: CmTag[] = [];
  for (const tag of input.optObjList(name) ?? []) {
    const key = field(tag, "Key");
    const value = field(tag, "Value");
    if (key === undefined || key === "" || value === undefined)
      throw input.invalid("Each tag needs a Key and a Value.");
    tags.push({ Key: key, Value: value });
  }
  return tags;
}

/** Merges `added` into `existing`, a later key replacing an earlier one. */
export function mergeTags(existing: readonly CmTag[], added: readonly CmTag[]): CmTag[] {
  const byKey = new Map(existing.map((t) => [t.Key, t.Value]));
  for (const t of added) byKey.set(t.Key, t.Value);
  return [...byKey].map(([Key, Value]) => ({ Key, Value }));
}

/** TagResource, UntagResource, ListTagsForResource for namespaces and services. */
export function tagHandlers(state: CloudMapState): HandlerTable {
  const resource = (input: Input) => {
    const arn = input.str("ResourceARN");
    const id = arn.split("/").pop() ?? "";
    const target = state.namespaces.get(id) ?? state.services.get(id);
    if (target === undefined || target.arn !== arn) {
      throw cloudMapError("ResourceNotFoundException", `Resource not found: ${arn}`);
    }
    return target;
  };
  return {
    TagResource(input: Input) {
      const target = resource(input);
      const merged = mergeTags(target.tags, readTags(input));
      if (merged.length > MAX_TAGS) {
        throw cloudMapError("TooManyTagsException", "The resource can have at most 50 tags.", {
          ResourceName: target.arn,
        });
      }
      target.tags = merged;
      return {};
    },
    UntagResource(input: Input) {
      const target = resource(input);
      const keys = input.optStrList("TagKeys") ?? [];
      target.tags = target.tags.filter((t) => !keys.includes(t.Key));
      return {};
    },
    ListTagsForResource(input: Input) {
      return { Tags: resource(input).tags.map((t) => ({ ...t })) };
    },
  };
}
