/**
 * sha256 of a spec's canonical JSON. A local stand-in until `src/crds/hash.ts` exists; both must agree:
 * object keys sorted at every depth, `undefined` members dropped, arrays kept in order.
 */
import { createHash } from "node:crypto";

/** JSON with object keys sorted at every depth, so equal values always serialise equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined) out[key] = sortKeys(member);
    }
    return out;
  }
  return value;
}

/** sha256 (hex) of the canonical JSON of a spec. */
export function specHash(spec: unknown): string {
  return createHash("sha256").update(canonicalJson(spec)).digest("hex");
}
