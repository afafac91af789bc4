/**
 * Watch latency: a spec write (`store.apply` of a changed desiredCount on a settled service) to the start of the
 * reconcile pass whose informer cache already holds the new generation. Wall milliseconds, measured from the
 * moment `apply` is called (so its own read and write round trips are included). Writes are spaced 50–300 ms
 * apart, one at a time, so each measures an idle watch (the stream reader backs off to 2× its poll when idle).
 */
import { setTimeout as sleepWall } from "node:timers/promises";
import type { DynamoResourceStore } from "../../src/store/dynamo-store.js";
import type { BenchController } from "./controller.js";
import { fargateServiceDocument, serviceKey } from "./specs.js";
import { percentile, round, waitUntil } from "./stats.js";

/** The `watchLatencyMs` figure. */
export interface WatchLatencyFigure {
  p50: number;
  p99: number;
}

/** Figure plus the raw samples for the meta block. */
export interface WatchLatencyOutcome {
  figure: WatchLatencyFigure;
  meta: { writes: number; maxMs: number; samplesMs: number[] };
}

/** Writes `writes` spec changes over services 1..`services` and measures each one's watch-to-reconcile delay. */
export async function measureWatchLatency(
  store: DynamoResourceStore,
  controller: BenchController,
  services: number,
  writes: number,
  settleTimeoutMs: number,
): Promise<WatchLatencyOutcome> {
  const seen = controller.observations;
  const desired = new Map<number, number>();
  const targets = new Map<number, number>();
  const samples: number[] = [];
  for (let w = 0; w < writes; w++) {
    const index = (w % services) + 1;
    const key = serviceKey(index);
    const count = (desired.get(index) ?? 1) === 1 ? 2 : 1;
    desired.set(index, count);
    const t0 = performance.now();
    const result = await store.apply(fargateServiceDocument(index, { desiredCount: count }));
    const generation = result.resource.metadata.generation;
    targets.set(index, generation);
    let startedAt: number | undefined;
    await waitUntil(
      () => {
        startedAt = seen.starts.get(key)?.find((s) => s.wallMs >= t0 && s.generation >= generation)?.wallMs;
        return startedAt !== undefined;
      },
      `a reconcile of ${key} generation ${generation}`,
      10_000,
      10,
    );
    samples.push((startedAt as number) - t0);
    await sleepWall(50 + Math.random() * 250);
  }
  // Leave every touched service settled (Ready for its new generation) for the phases that follow.
  await waitUntil(
    () =>
      [...targets].every(
        ([index, generation]) => (seen.readyAt.get(serviceKey(index))?.generation ?? 0) >= generation,
      ),
    "the services changed by the watch-latency writes to be Ready again",
    settleTimeoutMs,
  );
  return {
    figure: { p50: round(percentile(samples, 50) ?? 0, 1), p99: round(percentile(samples, 99) ?? 0, 1) },
    meta: { writes, maxMs: round(Math.max(...samples), 1), samplesMs: samples.map((s) => round(s, 1)) },
  };
}
