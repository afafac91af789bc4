/**
 * Raw DeleteItems (Terraform destroy) interleaved with controller crashes: records vanish from the table without
 * their finalizer while real `fargatectl controller` processes are SIGKILLed and restarted. What a live process saw
 * go is cleaned up from its tombstone; what went while no process led is found by the orphan sweep. In the end
 * the account holds exactly what the live records own: 0 orphans.
 */
import { afterEach, describe, expect, inject, it } from "vitest";
import { runCrashScenario } from "./scenarios/crashes.js";
import { Teardown } from "./support/teardown.js";

const teardown = new Teardown();
afterEach(() => teardown.run());

describe("raw DeleteItems with controller crashes", () => {
  it("leaves no orphaned ECS service, revision or Cloud Map service", async () => {
    const result = await runCrashScenario(
      { operations: 15, kills: 3, seed: 21, convergeTimeoutMs: 40_000, rawDeletes: true },
      inject("dynamodbLocalEndpoint"),
      teardown,
    );
    console.info(
      `[figures] raw deletes: ${JSON.stringify(result.operations)} with ${result.kills} SIGKILLs; ` +
        `${JSON.stringify(result.audit.counts)}; orphans ${result.audit.orphans.length}`,
    );
    expect(result.operations.delete).toBeGreaterThan(0);
    expect(result.lastExit).toEqual({ code: 0, signal: null });
    expect(result.audit.duplicates).toEqual([]);
    expect(result.audit.orphans).toEqual([]);
    expect(result.audit.mismatches).toEqual([]);
  }, 150_000);
});
