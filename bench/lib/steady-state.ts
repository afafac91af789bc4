/**
 * Steady state: a fresh controller on the converged table, with a resync period longer than the service
 * cache's max age (as the defaults are: 10 m and 1 m), so every resync must refresh every observation. Once its
 * start-up passes and one warm-up resync are over, the counters are reset and several resyncs pass with nothing
 * changed; the simulator's counters then give the AWS writes (budget 0) and the DescribeServices calls per resync.
 */
import type { OperationCounters } from "../../src/dev/aws-sim/index.js";
import type { DynamoResourceStore } from "../../src/store/dynamo-store.js";
import { callsByOperation, isWriteOperation, sumCalls } from "./bound.js";
import type { Cleanup } from "./cleanup.js";
import { type ControllerObservations, startBenchController } from "./controller.js";
import { serviceKey } from "./specs.js";
import type { BenchStack } from "./stack.js";
import { round, waitUntil } from "./stats.js";

/** The `steadyState` figure. */
export interface SteadyStateFigure {
  resyncs: number;
  awsWriteCalls: number;
  describeCallsPer10Services: number;
  /** Cloud Map calls per resync × 10 / services (DESIGN.md §11, budget ≤ 1). */
  cloudMapCallsPer10Services: number;
}

/** Settings of the steady-state run (simulated seconds). */
export interface SteadyStateSettings {
  resyncPeriodSeconds: number;
  serviceCacheMaxAgeSeconds: number;
  resyncs: number;
}

/** Figure plus what the meta block records. */
export interface SteadyStateOutcome {
  figure: SteadyStateFigure;
  meta: SteadyStateSettings & {
    /** FargateService passes over the measured resyncs. */
    passes: number;
    describeServicesCalls: number;
    /** DescribeServices calls of the warm-up resync (the first after the start), not in the figure. */
    warmupDescribeServicesCalls: number;
    /** DescribeServices calls of each measured resync. */
    describesPerResync: number[];
    callsPerResync: Record<string, number>;
    simulatorCalls: Record<string, number>;
    /** The simulator's raw per-operation counters over the measured resyncs. */
    simulatorCounters: Record<string, OperationCounters>;
    controllerWarnings: number;
  };
}

const QUIET_MS = 400;

function quiet(seen: ControllerObservations): boolean {
  return seen.inFlight === 0 && performance.now() - seen.lastStartWallMs > QUIET_MS;
}

/** Runs a controller with a short resync over `services` settled services and counts AWS calls over resyncs. */
export async function measureSteadyState(
  stack: BenchStack,
  store: DynamoResourceStore,
  services: number,
  settings: SteadyStateSettings,
  lease: Record<string, string>,
  logFile: string,
  cleanup: Cleanup,
): Promise<SteadyStateOutcome> {
  const { sim, clock } = stack;
  const controller = await startBenchController({
    store,
    awsEndpoint: sim.endpoint,
    clock,
    logFile,
    flags: {
      ...lease,
      "lease-name": "bench-steady-state",
      "resync-period": `${settings.resyncPeriodSeconds * 1000}ms`,
      "service-cache-max-age": `${settings.serviceCacheMaxAgeSeconds * 1000}ms`,
    },
  });
  const stop = cleanup.add("steady-state controller", async () => {
    await controller.stop();
  });
  try {
    const seen = controller.observations;
    const keys = Array.from({ length: services }, (_, i) => serviceKey(i + 1));
    const wallPerResyncMs = (settings.resyncPeriodSeconds * 1.1 * 1000) / clock.scale;
    await waitUntil(
      () => keys.every((k) => seen.starts.has(k)) && quiet(seen),
      "the steady-state controller's start-up passes",
      60_000 + 2 * wallPerResyncMs,
    );
    const servicePasses = (): number => seen.passesByKind.get("FargateService") ?? 0;
    const oneResync = async (what: string): Promise<void> => {
      const before = servicePasses();
      await waitUntil(
        () => servicePasses() - before >= services && quiet(seen),
        what,
        60_000 + 2 * wallPerResyncMs,
      );
    };
    // The first resync after a start is counted apart (warm-up): the cache's observations still carry the
    // spread-out times of the start-up passes. Runs that counted from right after start-up saw one call more
    // than N/10 in that window; the warm-up count stays in the meta block.
    sim.control.resetCounters();
    await oneResync("the warm-up resync");
    const warmup = sim.control.counters();
    sim.control.resetCounters();
    const passesBefore = servicePasses();
    const describesPerResync: number[] = [];
    for (let r = 1; r <= settings.resyncs; r++) {
      await oneResync(`resync ${r} of ${settings.resyncs} (${services} services)`);
      const sofar = sim.control.counters()["ecs:DescribeServices"]?.calls ?? 0;
      describesPerResync.push(sofar - describesPerResync.reduce((a, b) => a + b, 0));
    }
    const counters = sim.control.counters();
    const passes = servicePasses() - passesBefore;
    const resyncs = Math.round(passes / services);
    const describeServicesCalls = counters["ecs:DescribeServices"]?.calls ?? 0;
    const callsPerResync: Record<string, number> = {};
    for (const [op, n] of Object.entries(callsByOperation(counters)))
      callsPerResync[op] = round(n / Math.max(1, resyncs), 2);
    return {
      figure: {
        resyncs,
        awsWriteCalls: sumCalls(counters, isWriteOperation),
        describeCallsPer10Services: round(
          ((describeServicesCalls / Math.max(1, resyncs)) * 10) / services,
          3,
        ),
        cloudMapCallsPer10Services: round(
          ((sumCalls(counters, (op) => op.startsWith("servicediscovery:")) / Math.max(1, resyncs)) * 10) /
            services,
          3,
        ),
      },
      meta: {
        ...settings,
        passes,
        describeServicesCalls,
        warmupDescribeServicesCalls: warmup["ecs:DescribeServices"]?.calls ?? 0,
        describesPerResync,
        callsPerResync,
        simulatorCalls: callsByOperation(counters),
        simulatorCounters: counters,
        controllerWarnings: seen.warnings,
      },
    };
  } finally {
    await stop();
  }
}
