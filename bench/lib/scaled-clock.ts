/**
 * A clock that runs `scale` times faster than the wall: the simulator (its token refills, task starts,
 * deployment timestamps) and the in-process controller (its client-side ECS buckets, requeues, resyncs,
 * leases) share one instance, so every duration the bench reports in simulated seconds is consistent.
 */
import type { Clock, TimerHandle } from "../../src/clock.js";

/** Simulated time = origin + wall time since origin × scale; the scale can change, time stays continuous. */
export class ScaledClock implements Clock {
  private originWallMs: number;
  private originMs: number;
  private current: number;

  /** A clock whose time starts at the wall clock's now and runs `scale` times faster. */
  constructor(scale: number) {
    if (!(scale > 0)) throw new RangeError("scale must be positive");
    this.current = scale;
    this.originWallMs = wallNow();
    this.originMs = this.originWallMs;
  }

  /** Simulated seconds per wall second. */
  get scale(): number {
    return this.current;
  }

  /** Changes the speed from now on (timers already set keep their wall delay). */
  setScale(scale: number): void {
    if (!(scale > 0)) throw new RangeError("scale must be positive");
    this.originMs = this.now();
    this.originWallMs = wallNow();
    this.current = scale;
  }

  /** Simulated epoch milliseconds (sub-millisecond precision, so token buckets agree on both sides). */
  now(): number {
    return this.originMs + (wallNow() - this.originWallMs) * this.current;
  }

  /** Fires after `ms` simulated milliseconds, i.e. `ms / scale` wall milliseconds; unref'd like systemClock. */
  setTimer(callback: () => void, ms: number): TimerHandle {
    const timer = setTimeout(callback, Math.max(0, ms) / this.current);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  }
}

/** High-resolution wall time in epoch milliseconds. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}
