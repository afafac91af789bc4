/** A cancellable timer returned by a {@link Clock}. */
export interface ClockTimer {
  /** Cancels the timer; a no-op once it fired. */
  cancel(): void;
}

/** Time source of the simulator: wall clock in dev, a {@link ManualClock} in tests. */
export interface Clock {
  /** Current time in epoch milliseconds. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds of this clock's time. */
  setTimer(ms: number, fn: () => void): ClockTimer;
}

/** The wall clock; its timers are unref'd so they never keep a process alive. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const handle = setTimeout(fn, Math.max(0, ms));
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};

interface PendingTimer {
  readonly due: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/** 2025-01-01T00:00:00Z: a fixed, readable start for tests. */
const DEFAULT_START_MS = Date.UTC(2025, 0, 1);

/** A clock that only moves when told to, so tests advance simulated time deterministically. */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: PendingTimer[] = [];

  /** Starts at `startMs` (epoch ms; default 2025-01-01T00:00:00Z). */
  constructor(startMs: number = DEFAULT_START_MS) {
    this.#now = startMs;
  }

  /** Current simulated time in epoch milliseconds. */
  now(): number {
    return this.#now;
  }

  /** Schedules `fn` at now + ms; fired only by {@link advance}. */
  setTimer(ms: number, fn: () => void): ClockTimer {
    const timer: PendingTimer = { due: this.#now + Math.max(0, ms), seq: this.#seq++, fn, cancelled: false };
    this.#timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Number of timers still waiting to fire. */
  pendingTimers(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  /**
   * Moves time forward by `ms`, firing every due timer in (due time, creation) order, including timers
   * that fired callbacks schedule inside the window; `now()` equals each timer's due time while it runs.
   */
  advance(ms: number): void {
    const target = this.#now + Math.max(0, ms);
    for (;;) {
      const next = this.#nextDue(target);
      if (next === undefined) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = next.due;
      next.fn();
    }
    this.#now = target;
  }

  #nextDue(target: number): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    this.#timers = this.#timers.filter((t) => !t.cancelled);
    for (const t of this.#timers) {
      if (t.due > target) continue;
      if (best === undefined || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    }
    return best;
  }
}
