/**
 * The convergence bound of DESIGN.md §10: the largest, over ECS API categories, of (calls − burst) / refill
 * rate, plus the simulator's rollout time — from the simulator's raw counters and bucket settings. Pure.
 */
import type { OperationCounters } from "../../src/dev/aws-sim/index.js";

/** Bucket settings as `control.throttling()` reports them. */
export interface ThrottlingSettings {
  enabled: boolean;
  /** Simulated seconds per clock second of the simulator's own clock. */
  timeScale: number;
  buckets: Record<string, { burst: number; refillPerSecond: number }>;
  operations: Record<string, string>;
}

/** One category's share of the bound. */
export interface CategoryBound {
  /** Requests the simulator received for the category's operations. */
  calls: number;
  /** Requests the buckets refused (they took no token). */
  throttled: number;
  /** Tokens taken: calls − throttled. */
  admitted: number;
  burst: number;
  refillPerSecond: number;
  /** max(0, admitted − burst) / refill, in simulated seconds. */
  seconds: number;
}

/** The bound and how it was reached. */
export interface ConvergenceBound {
  boundSeconds: number;
  /** The category that sets the bound. */
  limitingCategory: string | undefined;
  rolloutSeconds: number;
  byCategory: Record<string, CategoryBound>;
}

/**
 * Computes the bound from `ecs:*` counters. Throttled requests are left out of "calls": a refused request
 * takes no token, so only admitted requests consume the bucket's capacity.
 */
export function convergenceBound(
  counters: Readonly<Record<string, OperationCounters>>,
  throttling: ThrottlingSettings,
  rolloutSeconds: number,
): ConvergenceBound {
  const byCategory: Record<string, CategoryBound> = {};
  for (const [key, c] of Object.entries(counters)) {
    if (!key.startsWith("ecs:")) continue;
    const category = throttling.operations[key.slice("ecs:".length)];
    const bucket = category === undefined ? undefined : throttling.buckets[category];
    if (category === undefined || bucket === undefined) continue;
    const entry = byCategory[category] ?? {
      calls: 0,
      throttled: 0,
      admitted: 0,
      burst: bucket.burst,
      refillPerSecond: bucket.refillPerSecond,
      seconds: 0,
    };
    byCategory[category] = entry;
    entry.calls += c.calls;
    entry.throttled += c.throttled;
  }
  let limitingCategory: string | undefined;
  let worst = 0;
  for (const [category, entry] of Object.entries(byCategory)) {
    entry.admitted = entry.calls - entry.throttled;
    entry.seconds = Math.max(0, entry.admitted - entry.burst) / entry.refillPerSecond;
    if (limitingCategory === undefined || entry.seconds > worst) {
      worst = entry.seconds;
      limitingCategory = category;
    }
  }
  return { boundSeconds: worst + rolloutSeconds, limitingCategory, rolloutSeconds, byCategory };
}

/**
 * The floor for N new services whatever the controller does: one RegisterTaskDefinition and one CreateService
 * each (AWS's 20/1 and 50/5 buckets), plus the rollout time.
 */
export function minimumBoundSeconds(
  services: number,
  throttling: ThrottlingSettings,
  rolloutSeconds: number,
): number {
  const register = throttling.buckets.taskDefinitionRegister;
  const serviceWrite = throttling.buckets.serviceWrite;
  const parts = [register, serviceWrite].map((b) =>
    b === undefined ? 0 : Math.max(0, services - b.burst) / b.refillPerSecond,
  );
  return Math.max(...parts) + rolloutSeconds;
}

/** Operation names that change AWS state (ECS and Cloud Map). */
export function isWriteOperation(operationKey: string): boolean {
  const op = operationKey.slice(operationKey.indexOf(":") + 1);
  return /^(Create|Update|Delete|Register|Deregister|Tag|Untag|Put|Run|Start|Stop)/.test(op);
}

/** Sum of `calls` over counters whose key satisfies `pick`. */
export function sumCalls(
  counters: Readonly<Record<string, OperationCounters>>,
  pick: (operationKey: string) => boolean,
): number {
  let n = 0;
  for (const [key, c] of Object.entries(counters)) if (pick(key)) n += c.calls;
  return n;
}

/** `{ "ecs:DescribeServices": 12, … }`: the calls of every counter (for the meta block). */
export function callsByOperation(
  counters: Readonly<Record<string, OperationCounters>>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, c] of Object.entries(counters)) out[key] = c.calls;
  return out;
}
