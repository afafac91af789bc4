/**
 * Injected faults (DESIGN §9: "20% injected throttling/5xx still converges"): 10 FargateServices created, 4
 * updated and 3 deleted while the simulator answers 20% of ECS and Cloud Map requests with ThrottlingException,
 * 5% with a 5xx and drops 3% of connections, and a proxy loses 10% of the write responses (after the simulator
 * acted, so a retry must not create twice). All
 * converge with the faults on; the account then holds one ECS service and one Cloud Map service per live
 * record, at most keepRevisions revisions each, and nothing for the deleted ones. `npm run soak` runs 40.
 */
import { afterEach, describe, expect, inject, it } from "vitest";
import { runFaultsScenario } from "./scenarios/faults.js";
import { Teardown } from "./support/teardown.js";

const teardown = new Teardown();
afterEach(() => teardown.run());

describe("injected AWS faults", () => {
  it("converges 10 creates, 4 updates and 3 deletes with no duplicate, orphan or surplus revision", async () => {
    const result = await runFaultsScenario(
      {
        services: 10,
        updates: 4,
        deletes: 3,
        seed: 20,
        faults: { throttlePercent: 20, serverErrorPercent: 5, dropPercent: 3 },
        lostWriteResponsePercent: 10,
        convergeTimeoutMs: 45_000,
      },
      inject("dynamodbLocalEndpoint"),
      teardown,
    );
    console.info(
      `[figures] faults: converged in ${result.convergeMs} ms; ${result.requests} AWS requests, injected ` +
        `${JSON.stringify(result.injected)} (lost: ${JSON.stringify(result.lostByOperation)}), bucket throttles ${result.bucketThrottles}, ` +
        `${result.retriedPasses} passes retried; ${JSON.stringify(result.audit.counts)}; ` +
        `duplicates ${result.audit.duplicates.length}, orphans ${result.audit.orphans.length}`,
    );
    expect(result.injected.throttles).toBeGreaterThan(0);
    expect(
      result.injected.serverErrors + result.injected.drops + result.injected.lostResponses,
    ).toBeGreaterThan(0);
    expect(result.errorLines).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.audit.duplicates).toEqual([]);
    expect(result.audit.orphans).toEqual([]);
    expect(result.audit.mismatches).toEqual([]);
    expect(result.audit.counts).toMatchObject({ ecsServices: 7, cloudMapServices: 7 });
  }, 90_000);
});
