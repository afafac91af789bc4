/** Per-operation call counters (the benchmarks read and reset them). */
export interface OperationCounters {
  /** Requests received for the operation. */
  calls: number;
  /** Requests answered with a success. */
  succeeded: number;
  /** Requests answered with an AWS error from the operation itself (validation, not found, conflict). */
  failed: number;
  /** Requests refused by the ECS token buckets. */
  throttled: number;
  /** Requests answered with an injected ThrottlingException. */
  injectedThrottles: number;
  /** Requests answered with an injected 5xx. */
  injectedServerErrors: number;
  /** Requests whose connection was dropped on purpose. */
  dropped: number;
}

/** A counter field name. */
export type CounterField = keyof OperationCounters;

/** Counters keyed by `ecs:Operation` / `servicediscovery:Operation`. */
export class CallCounters {
  #byOperation = new Map<string, OperationCounters>();

  /** Adds one to `field` of `operationKey`. */
  bump(operationKey: string, field: CounterField): void {
    let entry = this.#byOperation.get(operationKey);
    if (entry === undefined) {
      entry = {
        calls: 0,
        succeeded: 0,
        failed: 0,
        throttled: 0,
        injectedThrottles: 0,
        injectedServerErrors: 0,
        dropped: 0,
      };
      this.#byOperation.set(operationKey, entry);
    }
    entry[field] += 1;
  }

  /** A copy of every counter, sorted by operation key. */
  snapshot(): Record<string, OperationCounters> {
    const out: Record<string, OperationCounters> = {};
    for (const key of [...this.#byOperation.keys()].sort()) {
      const entry = this.#byOperation.get(key);
      if (entry !== undefined) out[key] = { ...entry };
    }
    return out;
  }

  /** Forgets every counter. */
  reset(): void {
    this.#byOperation.clear();
  }
}
