/**
 * The delete grace (DESIGN 10, Sync timing): something that vanished without explanation is removed only after it
 * stayed missing for `graceMs`; reappearing cancels the wait. Keys are opaque (`<service>/<instance>`). Pure.
 */

/** When each missing key was first seen missing (ms on the engine's clock). */
export type GraceState = ReadonlyMap<string, number>;

/** One step of the grace bookkeeping. */
export interface GraceStep {
  /** The new state (due keys stay in it until they are gone for good). */
  state: Map<string, number>;
  /** Keys missing for at least the grace: remove them now. */
  due: Set<string>;
  /** When the next waiting key becomes due, if any waits. */
  nextDueAt?: number;
}

/**
 * Advances the grace: `missing` are the keys seen missing now; a key that is neither missing nor `frozen` (its
 * source could not be read, so nobody knows) has come back and is forgotten.
 */
export function advanceGrace(
  previous: GraceState,
  missing: ReadonlySet<string>,
  frozen: (key: string) => boolean,
  now: number,
  graceMs: number,
): GraceStep {
  const state = new Map<string, number>();
  const due = new Set<string>();
  let nextDueAt: number | undefined;
  for (const key of missing) {
    const since = previous.get(key) ?? now;
    state.set(key, since);
    if (now - since >= graceMs) due.add(key);
    else nextDueAt = Math.min(nextDueAt ?? Number.POSITIVE_INFINITY, since + graceMs);
  }
  for (const [key, since] of previous) if (!missing.has(key) && frozen(key)) state.set(key, since);
  return nextDueAt === undefined ? { state, due } : { state, due, nextDueAt };
}
