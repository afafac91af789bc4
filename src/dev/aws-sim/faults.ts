import type { Random } from "./rng.js";

/** Faults to inject, each as a percentage of matching requests (0–100), plus added latency. */
export interface FaultSettings {
  /** Share of requests answered with ThrottlingException (HTTP 400) before reaching a bucket. */
  readonly throttlePercent?: number;
  /** Share answered with a 5xx (ECS `ServerException` 500, Cloud Map `InternalFailure` 500). */
  readonly serverErrorPercent?: number;
  /** Share whose connection is destroyed without any response. */
  readonly dropPercent?: number;
  /** Wall-clock milliseconds added before every matching response (network latency is not simulated time). */
  readonly latencyMs?: number;
  /** Operation keys (`ecs:CreateService`, `servicediscovery:RegisterInstance`) the faults apply to; all when absent. */
  readonly operations?: readonly string[];
}

/** What the fault injector decided for one request. */
export const FaultOutcome = {
  none: "none",
  drop: "drop",
  serverError: "serverError",
  throttle: "throttle",
} as const;
/** One fault decision. */
export type FaultOutcome = (typeof FaultOutcome)[keyof typeof FaultOutcome];

/** Chooses faults with one seeded draw per matching request, so a seed reproduces the exact sequence. */
export class FaultInjector {
  #settings: FaultSettings = {};
  #random: Random;

  /** An injector with no faults drawing from `random`. */
  constructor(random: Random) {
    this.#random = random;
  }

  /** Replaces the fault settings (percentages are clamped to 0–100). */
  set(settings: FaultSettings): void {
    const clamp = (v: number | undefined) => Math.min(100, Math.max(0, v ?? 0));
    this.#settings = {
      throttlePercent: clamp(settings.throttlePercent),
      serverErrorPercent: clamp(settings.serverErrorPercent),
      dropPercent: clamp(settings.dropPercent),
      latencyMs: Math.max(0, settings.latencyMs ?? 0),
      ...(settings.operations === undefined ? {} : { operations: [...settings.operations] }),
    };
  }

  /** Replaces the random source (a new seed). */
  reseed(random: Random): void {
    this.#random = random;
  }

  /** The settings in force. */
  get settings(): FaultSettings {
    return this.#settings;
  }

  /** Latency to add to a request for `operationKey`. */
  latencyFor(operationKey: string): number {
    return this.#applies(operationKey) ? (this.#settings.latencyMs ?? 0) : 0;
  }

  /** Draws the fault for one request; requests outside `operations` and fault-free settings draw nothing. */
  decide(operationKey: string): FaultOutcome {
    if (!this.#applies(operationKey)) return FaultOutcome.none;
    const drop = this.#settings.dropPercent ?? 0;
    const server = this.#settings.serverErrorPercent ?? 0;
    const throttle = this.#settings.throttlePercent ?? 0;
    if (drop + server + throttle <= 0) return FaultOutcome.none;
    const roll = this.#random() * 100;
    if (roll < drop) return FaultOutcome.drop;
    if (roll < drop + server) return FaultOutcome.serverError;
    if (roll < drop + server + throttle) return FaultOutcome.throttle;
    return FaultOutcome.none;
  }

  #applies(operationKey: string): boolean {
    const ops = this.#settings.operations;
    return ops === undefined || ops.length === 0 || ops.includes(operationKey);
  }
}
