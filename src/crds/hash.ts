/** Canonical JSON and the spec hash the controller uses to see hand-written changes. Pure (hashing only). */
import { createHash } from "node:crypto";

/** JSON with object keys sorted at every level, so equal values give equal text whatever their key order. */
export function canonicalJson(value: unknown): string {
  // One list of pieces joined once: every record is hashed on every read, so no per-level strings or arrays.
  const out: string[] = [];
  writeCanonical(value, out);
  return out.join("");
}

function writeCanonical(value: unknown, out: string[]): void {
  if (value === null || typeof value !== "object") {
    // Same leaf rules as JSON.stringify (undefined/functions at the top become "null" to stay a string).
    out.push(JSON.stringify(value) ?? "null");
    return;
  }
  if (Array.isArray(value)) {
    out.push("[");
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(",");
      const item: unknown = value[i];
      if (item === undefined) out.push("null");
      else writeCanonical(item, out);
    }
    out.push("]");
    return;
  }
  const record = value as Record<string, unknown>;
  out.push("{");
  let first = true;
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
    out.push(first ? "" : ",", JSON.stringify(key), ":");
    first = false;
    writeCanonical(item, out);
  }
  out.push("}");
}

/** sha256 (hex) of the canonical JSON of a spec. */
export function specHash(spec: unknown): string {
  return createHash("sha256").update(canonicalJson(spec)).digest("hex");
}
