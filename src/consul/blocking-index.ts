/** The client side of Consul's documented blocking-query index rules ("Blocking Queries", Implementation Details). Pure. */

/**
 * The `index` to send on the next blocking call, given the one just sent and the `X-Consul-Index` returned:
 * - an index that went backwards (snapshot restore, the last item removed, ...) resets to 0, so the next call
 *   answers at once and the loop restarts from fresh data;
 * - otherwise it is at least 1, because `index=0` never blocks and a buggy 0 would turn the loop into a busy loop.
 */
export function nextBlockingIndex(sent: number, returned: number): number {
  if (returned < sent) return 0;
  return Math.max(1, returned);
}

/** Settings of {@link BlockingPace}. */
export interface BlockingPaceOptions {
  /** The first pause after an early answer (default 1 s). */
  minMs?: number;
  /** The longest pause (default 30 s). */
  maxMs?: number;
  /** The pause after the second and later early answers in a row whose index did move (default 100 ms). */
  churnMs?: number;
  /** Jitter source in [0, 1): each backoff pause grows by up to 20% (default Math.random). */
  random?: () => number;
}

/**
 * The pause before the next call of one blocking-query loop ("Rate limit" in Consul's rules). An answer that came
 * back early (held less than half its wait) without a new index — the same index, or one that went backwards and
 * was reset — tells nothing new, and answering the next call at once again would make the loop a busy loop (a
 * server that never blocks drove 1,300 requests/s). Such answers wait `minMs`, doubling per early answer in a row
 * up to `maxMs`, with jitter; an index that moves, or an answer Consul held for its wait, resets the backoff. An
 * early answer with a new index is a change and is followed at once; from the second such answer in a row the next
 * call waits `churnMs`, so a server that answers at once with an ever-rising index is bounded too.
 */
export class BlockingPace {
  #early = 0;
  #churn = 0;
  readonly #minMs: number;
  readonly #maxMs: number;
  readonly #churnMs: number;
  readonly #random: () => number;

  constructor(options: BlockingPaceOptions = {}) {
    this.#minMs = options.minMs ?? 1_000;
    this.#churnMs = options.churnMs ?? 100;
    this.#maxMs = Math.max(this.#minMs, options.maxMs ?? 30_000);
    this.#random = options.random ?? Math.random;
  }

  /** How long to wait before the next call, after an answer to a call sent with `sent` that returned `returned`. */
  after(answer: { sent: number; returned: number; heldMs: number; waitMs: number }): number {
    const early = answer.heldMs < answer.waitMs / 2;
    if (answer.returned > answer.sent || !early) {
      this.#early = 0;
      this.#churn = early ? this.#churn + 1 : 0;
      return this.#churn >= 2 ? this.#churnMs : 0;
    }
    this.#churn = 0;
    this.#early += 1;
    const base = Math.min(this.#maxMs, this.#minMs * 2 ** (this.#early - 1));
    return Math.min(this.#maxMs, Math.round(base * (1 + 0.2 * this.#random())));
  }
}
