/** A reservation token bucket on the injected clock, shared by the work queue and the AWS adapters. */
import type { Clock } from "./clock.js";

/** A token bucket that hands out reservations: the delay before the caller's token is available. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1))
      throw new RangeError("token bucket needs rate > 0 and burst >= 1");
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Takes one token, possibly from the future, and returns how long to wait for it (ms, 0 when available now). */
  reserve(): number {
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.ratePerSecond) * 1000);
  }

  /** Forgets any tokens on hand (reservations already made stay): the other side said it has none. */
  drain(): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
  }
}
