/**
 * Crash safety of a real `fargatectl controller` process: SIGKILLed at seeded random moments during 15 creates,
 * updates and deletes and restarted each time, the last process still converges every record, and the account
 * holds exactly what the live records own: no duplicate, no orphan, no surplus revision (counted, asserted 0).
 * `npm run soak` runs the same scenario with 50 operations and more kills.
 */
import { afterEach, describe, expect, inject, it } from "vitest";
import { runCrashScenario } from "./scenarios/crashes.js";
import { Teardown } from "./support/teardown.js";

const teardown = new Teardown();
afterEach(() => teardown.run());

describe("controller crashes (SIGKILL at random moments)", () => {
  it("converges 15 operations across 4 kills with no duplicate or orphaned AWS resource", async () => {
    const result = await runCrashScenario(
      { operations: 15, kills: 4, seed: 8, convergeTimeoutMs: 30_000 },
      inject("dynamodbLocalEndpoint"),
      teardown,
    );
    console.info(
      `[figures] crashes: ${JSON.stringify(result.operations)} with ${result.kills} SIGKILLs; ` +
        `led before kill ${result.ledForMs.join("/")} ms (AWS changes logged: ${result.victimWrites.join("/")}); ` +
        `kill → next leader ${result.takeoverMs.join("/")} ms; converged ${result.convergeMs} ms after the last takeover; ${JSON.stringify(result.audit.counts)}; ` +
        `duplicates ${result.audit.duplicates.length}, orphans ${result.audit.orphans.length}`,
    );
    expect(result.killedExits).toEqual(Array(result.kills).fill({ code: null, signal: "SIGKILL" }));
    expect(result.lastExit).toEqual({ code: 0, signal: null });
    expect(result.audit.duplicates).toEqual([]);
    expect(result.audit.orphans).toEqual([]);
    expect(result.audit.mismatches).toEqual([]);
  }, 90_000);
});
