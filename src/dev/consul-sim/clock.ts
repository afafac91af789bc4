/** Timers for the Consul simulator, injectable so blocking-query timeouts are deterministic in tests. */

/** An opaque timer handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = object;

/** The little the simulator needs from time: a reading and one-shot timers. */
export interface Clock {
  /** Milliseconds since an arbitrary epoch. */
  now(): number;
  /** Runs `callback` once after `ms` milliseconds. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Cancels a timer; a no-op for one that already ran. */
  clearTimeout(handle: TimerHandle): void;
}

/** The wall clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  // Only handles this clock returned reach here, so the cast is sound.
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A clock that moves only when told to, for tests. */
export interface ManualClock extends Clock {
  /** Moves time forward, firing every timer that falls due, in due order. */
  advance(ms: number): void;
  /** How many timers are waiting to fire. */
  pendingTimers(): number;
}

interface ManualTimer {
  readonly handle: { readonly id: number };
  readonly due: number;
  readonly callback: () => void;
}

/** Creates a {@link ManualClock} starting at `start` milliseconds. */
export function createManualClock(start = 0): ManualClock {
  let now = start;
  let nextId = 1;
  let timers: ManualTimer[] = [];
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const handle = { id: nextId++ };
      timers.push({ handle, due: now + Math.max(0, ms), callback });
      return handle;
    },
    clearTimeout(handle) {
      timers = timers.filter((timer) => timer.handle !== handle);
    },
    advance(ms) {
      const target = now + ms;
      for (;;) {
        // Earliest due first; ties in creation order (ids rise).
        const next = timers
          .filter((timer) => timer.due <= target)
          .sort((a, b) => a.due - b.due || a.handle.id - b.handle.id)[0];
        if (next === undefined) break;
        timers = timers.filter((timer) => timer !== next);
        now = next.due;
        next.callback();
      }
      now = target;
    },
    pendingTimers: () => timers.length,
  };
}
