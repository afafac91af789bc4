/** What the contract suites (moto vs the strict simulator) share: outcomes of calls and shape comparison. */

/** A call's outcome: its output without $metadata, or the error's name. */
export type Outcome = { readonly ok: Record<string, unknown> } | { readonly error: string };

/** Runs a call and keeps its outcome. */
export async function outcome(call: Promise<object>): Promise<Outcome> {
  try {
    const { $metadata: _ignored, ...rest } = (await call) as Record<string, unknown>;
    return { ok: rest };
  } catch (error) {
    if (error instanceof Error) return { error: error.name };
    throw error;
  }
}

/** The output of a successful outcome (throws otherwise). */
export function okOf(o: Outcome): Record<string, unknown> {
  if ("error" in o) throw new Error(`expected success, got ${o.error}`);
  return o.ok;
}

/** The error name of a failed outcome (throws otherwise). */
export function errorOf(o: Outcome): string {
  if ("ok" in o) throw new Error(`expected an error, got ${JSON.stringify(o.ok).slice(0, 200)}`);
  return o.error;
}

function jsonType(v: unknown): string {
  if (v instanceof Date) return "timestamp";
  if (Array.isArray(v)) return "array";
  return v === null ? "null" : typeof v;
}

/**
 * Paths where the simulator lacks a member moto sends, or sends it with another JSON type; `skipNull` also
 * ignores members moto sends as null.
 */
export function shapeGaps(sim: unknown, moto: unknown, path = "$", skipNull = false): string[] {
  if (jsonType(sim) !== jsonType(moto)) return [`${path}: ${jsonType(sim)} instead of ${jsonType(moto)}`];
  if (Array.isArray(moto) && Array.isArray(sim)) {
    return moto.length > 0 && sim.length > 0 ? shapeGaps(sim[0], moto[0], `${path}[0]`, skipNull) : [];
  }
  if (jsonType(moto) !== "object") return [];
  const simObj = sim as Record<string, unknown>;
  return Object.entries(moto as Record<string, unknown>).flatMap(([key, value]) => {
    if (value === undefined || (skipNull && value === null)) return [];
    if (!(key in simObj) || simObj[key] === undefined) return [`${path}.${key}: missing`];
    return shapeGaps(simObj[key], value, `${path}.${key}`, skipNull);
  });
}
