import { AwsApiError } from "../errors.js";
import { field, type Input } from "../input.js";

/** Reads the ECS `tags` member ({key, value}); at most 50, as ECS allows. */
export function readEcsTags(input: Input, name = "tags"): { key: string; value: string }[] {
  const tags: { key: string; value: string }[] = [];
  for (const tag of input.optObjList(name) ?? []) {
    const key = field(tag, "key");
    if (key === undefined || key === "") throw input.invalid("Tag keys must be non-empty.");
    tags.push({ key, value: field(tag, "value") ?? "" });
  }
  if (tags.length > 50)
    throw new AwsApiError("InvalidParameterException", "Too many tags: at most 50 are allowed.");
  return tags;
}

/** Merges `added` into `existing`, a later key replacing an earlier one. */
export function mergeEcsTags(
  existing: readonly { key: string; value: string }[],
  added: readonly { key: string; value: string }[],
): { key: string; value: string }[] {
  const byKey = new Map(existing.map((t) => [t.key, t.value]));
  for (const t of added) byKey.set(t.key, t.value);
  return [...byKey].map(([key, value]) => ({ key, value }));
}
