/**
 * The soak versions of the reliability suites (`npm run soak`): the same scenarios as
 * test/integration/reliability with long loads and a fresh seed each run (printed with the figures, so a failure
 * can be replayed by putting the seed into the bounded test). Run one with `npm run soak -- -t crashes`.
 */
import { afterEach, describe, expect, inject, it } from "vitest";
import { runCrashScenario } from "../integration/reliability/scenarios/crashes.js";
import { FAILOVER_LEASE, runFailoverScenario } from "../integration/reliability/scenarios/failover.js";
import { runFaultsScenario } from "../integration/reliability/scenarios/faults.js";
import {
  checkMutatedExamples,
  checkRandomDocuments,
} from "../integration/reliability/scenarios/hostile-documents.js";
import { runHostileItems } from "../integration/reliability/scenarios/hostile-items.js";
import { runRawWriteScenario } from "../integration/reliability/scenarios/raw-writes.js";
import { runSyncFaultsScenario } from "../integration/reliability/scenarios/sync-cloud-map-faults.js";
import { Teardown } from "../integration/reliability/support/teardown.js";

const teardown = new Teardown();
afterEach(() => teardown.run());

/** A seed for this run (printed), so each soak explores new sequences. */
const SEED = Date.now() % 1_000_000;
const endpoint = () => inject("dynamodbLocalEndpoint");

describe("soak", () => {
  it("faults: 40 services, 15 updates, 10 deletes under 20% throttling, 5% 5xx, 3% drops, 10% lost writes", async () => {
    const r = await runFaultsScenario(
      {
        services: 40,
        updates: 15,
        deletes: 10,
        seed: SEED,
        faults: { throttlePercent: 20, serverErrorPercent: 5, dropPercent: 3 },
        lostWriteResponsePercent: 10,
        convergeTimeoutMs: 300_000,
      },
      endpoint(),
      teardown,
    );
    console.info(
      `[figures] soak faults (seed ${SEED}): converged in ${r.convergeMs} ms; ${r.requests} requests, injected ` +
        `${JSON.stringify(r.injected)}, ${r.retriedPasses} passes retried; ${JSON.stringify(r.audit.counts)}`,
    );
    expect(r.errorLines).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect([r.audit.duplicates, r.audit.orphans, r.audit.mismatches]).toEqual([[], [], []]);
  });

  it("crashes: 50 operations across 15 SIGKILLs", async () => {
    const r = await runCrashScenario(
      { operations: 50, kills: 15, seed: SEED, convergeTimeoutMs: 120_000 },
      endpoint(),
      teardown,
    );
    console.info(
      `[figures] soak crashes (seed ${SEED}): ${JSON.stringify(r.operations)}, ${r.kills} SIGKILLs (AWS changes ` +
        `logged by each victim: ${r.victimWrites.join("/")}); kill → next leader ${r.takeoverMs.join("/")} ms; ` +
        `converged ${r.convergeMs} ms after the last takeover; ${JSON.stringify(r.audit.counts)}`,
    );
    expect(r.killedExits).toEqual(Array(r.kills).fill({ code: null, signal: "SIGKILL" }));
    expect(r.lastExit).toEqual({ code: 0, signal: null });
    expect([r.audit.duplicates, r.audit.orphans, r.audit.mismatches]).toEqual([[], [], []]);
  });

  it("raw writes: 50 put-item/update-item/delete-item/CLI operations across 12 SIGKILLs, 5 forgers", async () => {
    const r = await runRawWriteScenario(
      { operations: 50, kills: 12, seed: SEED, convergeTimeoutMs: 120_000, forgers: 5 },
      endpoint(),
      teardown,
    );
    console.info(
      `[figures] soak raw writes (seed ${SEED}): ${JSON.stringify(r.operations)} by ${JSON.stringify(r.paths)}, ` +
        `${r.kills} SIGKILLs; converged ${r.convergeMs} ms after the last takeover; ` +
        `orphans ${r.audit.orphans.length}, lost updates ${r.audit.mismatches.length}, foreign writes ${r.foreignWrites.length}`,
    );
    expect(r.forgers.map((f) => f.reason)).toEqual(r.forgers.map(() => "NameConflict"));
    expect([r.audit.duplicates, r.audit.orphans, r.audit.mismatches, r.foreignWrites]).toEqual([
      [],
      [],
      [],
      [],
    ]);
  });

  it("failover: 5 rounds of SIGKILL and SIGTERM", async () => {
    const r = await runFailoverScenario({ rounds: 5 }, endpoint(), teardown);
    for (const signal of ["SIGKILL", "SIGTERM"] as const) {
      const ms = r.takeovers.filter((t) => t.signal === signal).map((t) => t.ms);
      console.info(`[figures] soak failover after ${signal}: ${ms.join("/")} ms (max ${Math.max(...ms)})`);
    }
    const budget = FAILOVER_LEASE.durationMs + FAILOVER_LEASE.retryMs + 1_000;
    for (const t of r.takeovers) expect(t.ms).toBeLessThanOrEqual(budget);
    expect(r.maxSimultaneousLeaders).toBe(1);
    expect(r.reconciledAfter).toBe(true);
  });

  it("hostile items: 500 raw DynamoDB items", async () => {
    const r = await runHostileItems({ numRuns: 500, seed: SEED }, endpoint(), teardown);
    console.info(
      `[figures] soak hostile items (seed ${SEED}): ${JSON.stringify(r.outcomes)}; AWS calls ${r.awsCalls}`,
    );
    expect(r.awsCalls).toBe(0);
    expect(r.process).toEqual({ running: true, healthz: 200, leader: 1, errors: [] });
  });

  it("hostile documents: 50,000 random and 50,000 mutated", () => {
    checkRandomDocuments(50_000, SEED);
    checkMutatedExamples(50_000, SEED);
  });

  it("sync: 10 minutes of Cloud Map faults over 20 services", async () => {
    const r = await runSyncFaultsScenario(
      {
        services: 20,
        addedDuringFaults: 10,
        faultMs: 600_000,
        faults: { throttlePercent: 40, serverErrorPercent: 10, dropPercent: 5 },
        seed: SEED,
      },
      teardown,
    );
    console.info(
      `[figures] soak sync faults (seed ${SEED}): ${r.callsDuringFaults} calls, ${r.injected} failed on purpose; ` +
        `caught up ${r.catchUpMs} ms after`,
    );
    expect(r.lossesSeen).toEqual([]);
    expect(r.removals).toBe(0);
  });
});
