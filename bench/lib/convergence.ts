/**
 * Convergence: N new FargateServices applied (as `fargatectl apply` would, 25 at a time) while the controller
 * runs; measured in simulated seconds from the first apply to the status write that made the last one Ready,
 * and compared with the bound the ECS buckets allow (DESIGN.md §10), computed from the simulator's counters.
 */
import type { OperationCounters } from "../../src/dev/aws-sim/index.js";
import type { DynamoResourceStore } from "../../src/store/dynamo-store.js";
import {
  type ConvergenceBound,
  callsByOperation,
  convergenceBound,
  minimumBoundSeconds,
  type ThrottlingSettings,
} from "./bound.js";
import { type BenchController, isReadyNow } from "./controller.js";
import { AUTOSCALED_EVERY, fargateServiceDocument, serviceKey } from "./specs.js";
import { type BenchStack, ROLLOUT_SECONDS } from "./stack.js";
import { mapLimit, percentile, round, waitUntil } from "./stats.js";

/** The `convergence` figure of latest.json. */
export interface ConvergenceFigure {
  services: number;
  seconds: number;
  boundSeconds: number;
  ratioToBound: number;
}

/** Figure plus what the meta block records. */
export interface ConvergenceOutcome {
  figure: ConvergenceFigure;
  meta: {
    wallSeconds: number;
    applySeconds: number;
    bound: ConvergenceBound;
    minimumBoundSeconds: number;
    /** seconds / minimumBoundSeconds: what the controller would score if it made no call beyond the floor. */
    ratioToMinimumBound: number;
    simulatorCalls: Record<string, number>;
    /** The simulator's raw per-operation counters over the phase. */
    simulatorCounters: Record<string, OperationCounters>;
    throttledBySimulator: number;
    throttling: ThrottlingSettings;
    /** Simulated seconds from the first apply to each service's Ready: p50, p90, max. */
    readySeconds: { p50: number; p90: number; max: number };
    /** Reconcile passes per service until all were Ready: mean and max. */
    passesPerService: { mean: number; max: number };
    /** Simulated seconds from the first apply to the start of the last service's first pass. */
    lastFirstPassSeconds: number;
  };
}

/** Applies `services` records and waits until every one is Ready (throws after `timeoutMs` wall). */
export async function measureConvergence(
  stack: BenchStack,
  store: DynamoResourceStore,
  controller: BenchController,
  services: number,
  timeoutMs: number,
): Promise<ConvergenceOutcome> {
  const { sim, clock } = stack;
  const seen = controller.observations;
  sim.control.resetCounters();
  sim.control.resetThrottling();
  const indices = Array.from({ length: services }, (_, i) => i + 1);
  const startMs = clock.now();
  const startWall = performance.now();
  await mapLimit(indices, 25, (i) =>
    store.apply(fargateServiceDocument(i, { autoscaling: i % AUTOSCALED_EVERY === 0 })),
  );
  const appliedWall = performance.now();
  const keys = indices.map(serviceKey);
  await waitUntil(
    () => keys.every((k) => seen.readyAt.has(k)),
    `${services} FargateServices to become Ready (${keys.filter((k) => seen.readyAt.has(k)).length} so far)`,
    timeoutMs,
  );
  const wallSeconds = (performance.now() - startWall) / 1000;
  const counters = sim.control.counters();
  const throttling = sim.control.throttling();
  const endMs = Math.max(...keys.map((k) => seen.readyAt.get(k)?.atMs ?? Number.POSITIVE_INFINITY));
  // The hooks saw the status writes; the table must agree.
  const records = await store.list("FargateService", { namespace: "bench" });
  const notReady = records.filter((r) => !isReadyNow(r)).map((r) => r.metadata.name);
  if (records.length !== services || notReady.length > 0)
    throw new Error(`after convergence ${notReady.length} of ${records.length} records are not Ready`);
  const bound = convergenceBound(counters, throttling, ROLLOUT_SECONDS);
  const minimum = minimumBoundSeconds(services, throttling, ROLLOUT_SECONDS);
  const seconds = (endMs - startMs) / 1000;
  const readySeconds = keys.map((k) => ((seen.readyAt.get(k)?.atMs ?? endMs) - startMs) / 1000);
  const passes = keys.map((k) => seen.starts.get(k)?.length ?? 0);
  let throttledBySimulator = 0;
  for (const c of Object.values(counters)) throttledBySimulator += c.throttled;
  return {
    figure: {
      services,
      seconds: round(seconds, 1),
      boundSeconds: round(bound.boundSeconds, 1),
      ratioToBound: round(seconds / bound.boundSeconds, 3),
    },
    meta: {
      wallSeconds: round(wallSeconds, 1),
      applySeconds: round((appliedWall - startWall) / 1000, 2),
      bound,
      minimumBoundSeconds: round(minimum, 1),
      ratioToMinimumBound: round(seconds / minimum, 3),
      simulatorCalls: callsByOperation(counters),
      simulatorCounters: counters,
      throttledBySimulator,
      throttling,
      readySeconds: {
        p50: round(percentile(readySeconds, 50) ?? 0, 1),
        p90: round(percentile(readySeconds, 90) ?? 0, 1),
        max: round(Math.max(...readySeconds), 1),
      },
      lastFirstPassSeconds: round(
        Math.max(...keys.map((k) => (seen.starts.get(k)?.[0]?.wallMs ?? startWall) - startWall)) *
          (clock.scale / 1000),
        1,
      ),
      passesPerService: {
        mean: round(passes.reduce((a, b) => a + b, 0) / passes.length, 2),
        max: Math.max(...passes),
      },
    },
  };
}
