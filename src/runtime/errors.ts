/** Errors a reconciler throws to tell the runtime how to retry, and the runtime's own errors. */

/** A failure worth retrying with per-key backoff (throttling, 5xx, a dependency not ready yet). Unknown errors count as this. */
export class TemporaryError extends Error {
  override readonly name = "TemporaryError";
  /** Retry no sooner than this many milliseconds (the per-key backoff still applies when longer). */
  readonly delayMs: number | undefined;
  constructor(message: string, options?: { cause?: unknown; delayMs?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.delayMs = options?.delayMs;
  }
}

/** A failure that retrying cannot fix (an invalid spec, a name clash): no retry until the spec changes. */
export class PermanentError extends Error {
  override readonly name = "PermanentError";
  /** CamelCase condition reason written to the record's status, e.g. `InvalidSpec`, `AlreadyExists`. */
  readonly reason: string;
  constructor(reason: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
  }
}

/** A reconcile pass ran past its timeout; retried like a TemporaryError. */
export class ReconcileTimeoutError extends Error {
  override readonly name = "ReconcileTimeoutError";
  /** The timeout that ran out, in milliseconds. */
  readonly timeoutMs: number;
  constructor(timeoutMs: number, options?: { cause?: unknown }) {
    super(`reconcile pass timed out after ${timeoutMs} ms`, options);
    this.timeoutMs = timeoutMs;
  }
}

/** A machine stopped before reaching a final state (aborted, or stuck with nothing left to wait for). */
export class MachineStalledError extends Error {
  override readonly name = "MachineStalledError";
  /** The state the machine was left in, as xstate prints it. */
  readonly state: string;
  constructor(state: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.state = state;
  }
}

/** The lease backend failed in a way leader election cannot interpret (not a lost condition). */
export class LeaseError extends Error {
  override readonly name = "LeaseError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
