/** Small guards for walking documents that may not match their schema yet. Pure. */

/** A JSON object (not null, not an array). */
export type JsonRecord = Record<string, unknown>;

/** True for a plain JSON object. */
export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value when it is a JSON object, else undefined. */
export function asRecord(value: unknown): JsonRecord | undefined {
  return isRecord(value) ? value : undefined;
}

/** The JSON objects of an array, with their indexes; nothing when `value` is not an array. */
export function recordsOf(value: unknown): Array<[number, JsonRecord]> {
  if (!Array.isArray(value)) return [];
  const out: Array<[number, JsonRecord]> = [];
  value.forEach((item, index) => {
    if (isRecord(item)) out.push([index, item]);
  });
  return out;
}

/** The value when it is a finite number, else undefined. */
export function asNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** The value when it is a string, else undefined. */
export function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** The value at `path` inside nested objects, or undefined where the path leaves them. */
export function valueAt(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as JsonRecord)[key];
  }
  return current;
}
