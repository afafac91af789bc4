import { randomBytes, randomUUID } from "node:crypto";
import type { Clock } from "../../clock.js";

/** How strictly the simulated account behaves (see DESIGN §10 "The local stack"). */
export const SimulatorMode = {
  /** Clusters appear on first use; any subnet, security group, VPC and role id; fast rollouts. */
  lenient: "lenient",
  /** Ids checked like AWS; clusters must exist. */
  strict: "strict",
} as const;
/** One simulator mode. */
export type SimulatorMode = (typeof SimulatorMode)[keyof typeof SimulatorMode];

/** Timing of simulated tasks, in simulated milliseconds (divided by the time scale on the clock). */
export interface TaskTiming {
  /** From launch to RUNNING (or to STOPPED for a failing image). */
  readonly startMs: number;
  /** From a stop request to STOPPED. */
  readonly stopMs: number;
  /** From submission to SUCCESS of a Cloud Map operation. */
  readonly operationMs: number;
  /** From RUNNING to a healthy target in the service's target groups (only with loadBalancers; default 1 s). */
  readonly targetRegistrationMs?: number;
}

/** What every handler may read: clock, identity of the simulated account, mode and timing. */
export interface SimContext {
  /** The injected clock. */
  readonly clock: Clock;
  /** Simulated seconds per clock second. */
  readonly timeScale: number;
  /** The Region in every ARN. */
  readonly region: string;
  /** The account in every ARN. */
  readonly accountId: string;
  /** lenient or strict. */
  readonly mode: SimulatorMode;
  /** Task and operation timing. */
  readonly timing: TaskTiming;
  /** Schedules `fn` after `simulatedMs` of simulated time. */
  after(simulatedMs: number, fn: () => void): { cancel(): void };
  /** Fresh identifiers. */
  readonly ids: IdFactory;
}

/** Makes ids shaped like the real ones. */
export class IdFactory {
  #ip = 0;

  /** A random UUID. */
  uuid(): string {
    return randomUUID();
  }

  /** `n` random lower-case hex characters. */
  hex(n: number): string {
    return randomBytes(Math.ceil(n / 2))
      .toString("hex")
      .slice(0, n);
  }

  /** An ECS task id: 32 hex characters. */
  taskId(): string {
    return this.hex(32);
  }

  /** An ECS deployment id: `ecs-svc/` and 19 digits. */
  deploymentId(): string {
    const digits = Array.from(randomBytes(19), (b) => String(b % 10)).join("");
    return `ecs-svc/${digits.replace(/^0/, "1")}`;
  }

  /** A Cloud Map id with `prefix` (`ns-`, `srv-`) and 16 lower-case alphanumerics. */
  cloudMapId(prefix: string): string {
    const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    const bytes = randomBytes(16);
    let out = prefix;
    for (const b of bytes) out += alphabet[b % alphabet.length];
    return out;
  }

  /** A Cloud Map operation id (32 + 8 lower-case alphanumerics, as the real ones look). */
  operationId(): string {
    return `${this.cloudMapId("").slice(0, 16)}${this.cloudMapId("")}-${this.cloudMapId("").slice(0, 8)}`;
  }

  /** A Route 53 hosted zone id: `Z` and 20 upper-case alphanumerics. */
  hostedZoneId(): string {
    return `Z${this.cloudMapId("").toUpperCase()}${this.hex(4).toUpperCase()}`;
  }

  /** The next private IPv4 address in 10.0.0.0/16, starting at 10.0.1.10. */
  privateIp(): string {
    const n = 266 + this.#ip;
    this.#ip += 1;
    return `10.0.${Math.floor(n / 256) % 256}.${n % 256}`;
  }
}

/** Seconds since the epoch, as the JSON protocols send timestamps. */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}
