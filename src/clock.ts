/**
 * Time, injectable: the controller's queues, resyncs and leases and the simulators' rollouts, throttling buckets
 * and blocking queries all read it, so tests move time by hand instead of waiting.
 */

/** A scheduled callback that can be cancelled (a no-op once it fired). */
export interface TimerHandle {
  cancel(): void;
}

/** Wall time and one-shot timers. `now` is milliseconds since the epoch. */
export interface Clock {
  now(): number;
  /** Runs `callback` once after `ms` milliseconds of this clock's time. */
  setTimer(callback: () => void, ms: number): TimerHandle;
}

/** The real clock. Timers are unref'd so a pending timer never keeps the process alive by itself. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(callback, ms) {
    const timer = setTimeout(callback, Math.max(0, ms));
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};

/** Resolves after `ms` on `clock`, or rejects with the signal's reason when it aborts first. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      timer.cancel();
      reject(signal?.reason);
    };
    const timer = clock.setTimer(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

interface ManualTimer {
  at: number;
  seq: number;
  callback: () => void;
}

/**
 * A clock that moves only when told to. Due timers fire in (due time, creation) order, including timers that
 * fired callbacks schedule inside the window, with `now()` at each timer's due time while it runs.
 */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly timers = new Set<ManualTimer>();

  /** Starts at `start` (epoch ms; default 2025-01-01T00:00:00Z, a fixed, readable start). */
  constructor(start = Date.UTC(2025, 0, 1)) {
    this.current = start;
  }

  /** The current fake time. */
  now(): number {
    return this.current;
  }

  /** Schedules a callback at now + ms; fired only by `advance`/`advanceSync`. */
  setTimer(callback: () => void, ms: number): TimerHandle {
    const timer: ManualTimer = { at: this.current + Math.max(0, ms), seq: this.seq++, callback };
    this.timers.add(timer);
    return { cancel: () => this.timers.delete(timer) };
  }

  /** How many timers are waiting to fire. */
  pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms` and lets promise chains settle between timers (for async code under test). */
  async advance(ms: number): Promise<void> {
    const target = this.current + Math.max(0, ms);
    await settle();
    for (let next = this.nextDue(target); next !== undefined; next = this.nextDue(target)) {
      this.fire(next);
      await settle();
    }
    this.current = target;
    await settle();
  }

  /** Moves time forward by `ms`, firing due timers synchronously (for simulators whose timers are synchronous). */
  advanceSync(ms: number): void {
    const target = this.current + Math.max(0, ms);
    for (let next = this.nextDue(target); next !== undefined; next = this.nextDue(target)) this.fire(next);
    this.current = target;
  }

  private fire(timer: ManualTimer): void {
    this.timers.delete(timer);
    this.current = Math.max(this.current, timer.at);
    timer.callback();
  }

  private nextDue(target: number): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const t of this.timers) {
      if (t.at > target) continue;
      if (best === undefined || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}

/** Lets every pending promise chain run (a macrotask turn drains all microtasks). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
