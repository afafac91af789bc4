/** Write pacing and error backoff of the engine's loops, on the injected clock. */
import { type Clock, sleep } from "../clock.js";
import { TokenBucket } from "../token-bucket.js";

/** A token bucket's settings. */
export interface RateSettings {
  perSecond: number;
  burst: number;
}

/** Paces writes of one direction: each write waits for its token (an abort ends the wait). */
export class WriteLimiter {
  readonly #bucket: TokenBucket;

  constructor(
    private readonly clock: Clock,
    rate: RateSettings,
  ) {
    this.#bucket = new TokenBucket(rate.perSecond, rate.burst, clock);
  }

  /** Resolves when the next write may go. */
  async take(signal: AbortSignal): Promise<void> {
    const waitMs = this.#bucket.reserve();
    if (waitMs > 0) await sleep(this.clock, waitMs, signal);
  }
}

/** Backoff after `failures` consecutive failures: 500 ms doubling to `maxMs`, with up to 20% jitter. */
export function backoffMs(failures: number, maxMs = 30_000, random: () => number = Math.random): number {
  const base = Math.min(maxMs, 500 * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (1 + 0.2 * random()));
}

/** Sleeps, resolving (not rejecting) when the signal aborts: the caller's loop checks the signal itself. */
export function pause(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return sleep(clock, ms, signal).catch(() => undefined);
}

/** A failure as one short line for reports and logs (messages of the adapters never carry secrets). */
export function describeFailure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
