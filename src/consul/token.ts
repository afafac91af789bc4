/**
 * A Consul token that can change under a running client (a rotated Secrets Manager secret, DESIGN 11 "Consul over
 * TLS"): the client asks for a re-read when Consul answers 403, and this source re-reads at most once per
 * `minIntervalMs`, so a token that is simply wrong costs one secret read per interval, not one per call. The
 * value never leaves except to the client's header; failures are logged without it.
 */
import type { Clock } from "../clock.js";
import type { Logger } from "../log.js";

/** Where a client's token comes from when it may change. */
export interface ConsulTokenSource {
  /** The token to send now (undefined: none). */
  current(): string | undefined;
  /**
   * Consul refused `rejected`: re-read if allowed now. True when the current token differs from `rejected`
   * (re-read, or already replaced by another call's re-read), so the call is worth one retry.
   */
  refresh(rejected: string | undefined, signal?: AbortSignal): Promise<boolean>;
}

/** Settings of {@link RereadableToken}. */
export interface RereadableTokenOptions {
  /** The token read at start. */
  initial: string | undefined;
  /** Reads the token again (e.g. GetSecretValue). */
  read: (signal?: AbortSignal) => Promise<string>;
  clock: Clock;
  log?: Logger;
  /** Least time between two re-reads (default 30 s). */
  minIntervalMs?: number;
}

/** Default least time between two re-reads of a token after 403s. */
export const TOKEN_REREAD_INTERVAL_MS = 30_000;

/** A token re-read on demand, rate-limited. */
export class RereadableToken implements ConsulTokenSource {
  #token: string | undefined;
  #lastReadAt: number | undefined;
  #inflight: Promise<boolean> | undefined;
  readonly #options: RereadableTokenOptions;

  constructor(options: RereadableTokenOptions) {
    this.#options = options;
    this.#token = options.initial === "" ? undefined : options.initial;
  }

  current(): string | undefined {
    return this.#token;
  }

  refresh(rejected: string | undefined, signal?: AbortSignal): Promise<boolean> {
    if (this.#token !== rejected) return Promise.resolve(true);
    if (this.#inflight !== undefined) return this.#inflight;
    const { clock, minIntervalMs = TOKEN_REREAD_INTERVAL_MS } = this.#options;
    const now = clock.now();
    if (this.#lastReadAt !== undefined && now - this.#lastReadAt < minIntervalMs)
      return Promise.resolve(false);
    this.#lastReadAt = now;
    this.#inflight = this.#options
      .read(signal)
      .then((value) => {
        const next = value.trim() === "" ? undefined : value.trim();
        const changed = next !== this.#token;
        this.#token = next;
        this.#options.log?.info({ changed }, "Consul refused the token (403): re-read it");
        return changed;
      })
      .catch((error: unknown) => {
        // The reader's errors name the secret's ARN and an AWS code, never its value.
        this.#options.log?.warn({ err: error }, "Consul refused the token (403) and re-reading it failed");
        return false;
      })
      .finally(() => {
        this.#inflight = undefined;
      });
    return this.#inflight;
  }
}

/** A token that never changes. */
export function fixedToken(token: string | undefined): ConsulTokenSource {
  const value = token === "" ? undefined : token;
  return { current: () => value, refresh: async (rejected) => value !== rejected };
}
