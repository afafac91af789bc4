/** Retry pacing for failed passes: per-key exponential backoff and a global token bucket (client-go semantics). */
import type { Clock } from "../clock.js";
import { TokenBucket } from "../token-bucket.js";

/** Re-exported: the work queue and its tests take the bucket from here. */
export { TokenBucket };

/** Per-key exponential backoff: base × 2^failures, capped; `forget` resets a key after a success. */
export class ExponentialBackoff<K> {
  private readonly failures = new Map<K, number>();

  constructor(
    private readonly baseMs: number,
    private readonly capMs: number,
  ) {}

  /** Records one more failure of `key` and returns its delay. */
  when(key: K): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    // 2^n overflows to Infinity for large n; the cap keeps the result finite.
    return Math.min(this.capMs, this.baseMs * 2 ** n);
  }

  /** How many failures `key` has in a row. */
  retries(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  /** Resets `key` after a success. */
  forget(key: K): void {
    this.failures.delete(key);
  }
}

/** Settings for the failure rate limiter; defaults are client-go's controller defaults. */
export interface FailureRateLimiterOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Global failure retries per second across all keys. */
  ratePerSecond: number;
  burst: number;
}

/** Default failure pacing: 1 s base, 5 min cap, 10 retries/s with a burst of 100. */
export const DEFAULT_FAILURE_RATE_LIMITS: FailureRateLimiterOptions = {
  baseDelayMs: 1000,
  maxDelayMs: 5 * 60_000,
  ratePerSecond: 10,
  burst: 100,
};

/** The larger of a key's backoff and the global bucket's delay; used for failure retries only. */
export class FailureRateLimiter<K> {
  private readonly backoff: ExponentialBackoff<K>;
  private readonly bucket: TokenBucket;

  constructor(options: FailureRateLimiterOptions, clock: Clock) {
    this.backoff = new ExponentialBackoff<K>(options.baseDelayMs, options.maxDelayMs);
    this.bucket = new TokenBucket(options.ratePerSecond, options.burst, clock);
  }

  /** Records a failure of `key` and returns how long to wait before retrying it. */
  when(key: K): number {
    return Math.max(this.backoff.when(key), this.bucket.reserve());
  }

  /** Failures of `key` in a row. */
  retries(key: K): number {
    return this.backoff.retries(key);
  }

  /** Resets `key` after a success. */
  forget(key: K): void {
    this.backoff.forget(key);
  }
}
