/** Small readers for ECS JSON whose shape is not known yet; each reports what it cannot read as a loss. Pure. */
import { isRecord, type JsonRecord } from "../crds/values.js";
import type { ImportLoss } from "./types.js";

export { isRecord, type JsonRecord };

/** A ecspresso/Go template expression (`{{ must_env `X` }}`, `{{ tfstate ... }}`). */
export const TEMPLATE = /\{\{.*?\}\}/s;

/** Collects losses and notes while converting. */
export class Collector {
  readonly losses: ImportLoss[] = [];
  readonly notes: string[] = [];
  /** Records that `path` of the input could not be carried. */
  lose(path: string, why: string): void {
    if (!this.losses.some((l) => l.path === path && l.why === why)) this.losses.push({ path, why });
  }
  /** Records a note for the user (nothing lost). */
  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }
  /** A number from a number or numeric string; a template or anything else is a loss. */
  number(value: unknown, path: string): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (typeof value === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
    this.lose(path, notCarried(value, "a number"));
    return undefined;
  }
  /** A boolean from a boolean or "true"/"false"; a template or anything else is a loss. */
  boolean(value: unknown, path: string): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === "boolean") return value;
    if (value === "true" || value === "false") return value === "true";
    this.lose(path, notCarried(value, "true or false"));
    return undefined;
  }
}

/** Why a value cannot stand where ECS wants `wanted`. */
function notCarried(value: unknown, wanted: string): string {
  if (typeof value === "string" && (TEMPLATE.test(value) || /\$\{[^}]*\}/.test(value))) {
    return `template expression ${JSON.stringify(value)} where ECS wants ${wanted}; a FargateService cannot carry it (put the value in)`;
  }
  return `${JSON.stringify(value)} is not ${wanted}`;
}

/** The value when it is a non-empty array, else undefined. */
export function nonEmpty(value: unknown): unknown[] | undefined {
  return Array.isArray(value) && value.length > 0 ? value : undefined;
}

/** True when a value says nothing (absent, null, "", empty list or empty object; ecspresso writes "" for unset). */
export function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isRecord(value)) return Object.keys(value).length === 0;
  return false;
}

/** `{key, value}` / `{Key, Value}` tag lists (or a map) as `[key, value]` pairs. */
export function tagPairs(value: unknown): Array<[string, string]> {
  if (isRecord(value)) return Object.entries(value).map(([k, v]) => [k, String(v)]);
  if (!Array.isArray(value)) return [];
  const out: Array<[string, string]> = [];
  for (const item of value) {
    if (!isRecord(item)) continue;
    const key = item.key ?? item.Key;
    const v = item.value ?? item.Value ?? "";
    if (typeof key === "string") out.push([key, String(v)]);
  }
  return out;
}

/** User tags of a tag list or map: ours (`fargate-operator:*`) and AWS's (`aws:*`) dropped. */
export function userTagsOf(list: unknown): Record<string, string> {
  return Object.fromEntries(
    tagPairs(list).filter(([key]) => !key.startsWith("aws:") && !key.startsWith("fargate-operator:")),
  );
}

/** A deep copy without nulls and empty lists/objects (describe output's `"secretOptions": null`, `"host": {}`). */
export function clean(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(clean).filter((v) => v !== undefined);
    return items.length === 0 ? undefined : items;
  }
  if (isRecord(value)) {
    const out: JsonRecord = {};
    for (const [k, v] of Object.entries(value)) {
      const c = clean(v);
      if (c !== undefined) out[k] = c;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return value === null ? undefined : value;
}

/**
 * A deep copy with every template expression replaced by a stand-in, so validation judges the value it stands
 * for: a 12-digit number (fits account ids and names; the same expression always gets the same one), or, for a
 * secret whose whole ARN is a template, an ARN. `found.count` counts the strings that held one.
 */
export function withoutTemplates<T>(value: T, found: { count: number } = { count: 0 }): T {
  // A digest of the expression, so the document and the input get the same stand-in whatever their order.
  const standIn = (text: string) => {
    let hash = 0xcbf29ce484222325n;
    for (const byte of Buffer.from(text, "utf8"))
      hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
    return String(hash % 1_000_000_000_000n).padStart(12, "0");
  };
  const walk = (v: unknown, secret: boolean): unknown => {
    if (typeof v === "string" && TEMPLATE.test(v)) {
      found.count += 1;
      const replaced = v.replace(/\{\{.*?\}\}/gs, (m) => standIn(m));
      // A whole secret ARN made by a template (`{{ secretsmanager_arn … }}`) stands as an ARN.
      if (secret && !replaced.startsWith("arn:")) {
        return `arn:aws:secretsmanager:us-east-1:000000000000:secret:template-${standIn(v)}`;
      }
      return replaced;
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, secret));
    if (isRecord(v)) {
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [k, walk(x, secret || k === "secrets" || k === "valueFrom")]),
      );
    }
    return v;
  };
  return walk(value, false) as T;
}
