/**
 * The table is the API: creates, updates and deletes written as `put-item`, `update-item` and `delete-item` (and
 * by the CLI), with controller processes SIGKILLed meanwhile, converge with no orphan and no lost update; forgers
 * that carry other records' uids, finalizer and status, in a namespace whose ECS names collide with theirs, are
 * refused and change nothing. `npm run soak` runs the same scenario longer.
 */
import { afterEach, describe, expect, inject, it } from "vitest";
import { runRawWriteScenario } from "./scenarios/raw-writes.js";
import { Teardown } from "./support/teardown.js";

const teardown = new Teardown();
afterEach(() => teardown.run());

describe("raw writes to the table (put-item, update-item, delete-item) across controller crashes", () => {
  it("converges 16 operations across 3 kills with 0 orphans, 0 lost updates and 0 foreign writes", async () => {
    const r = await runRawWriteScenario(
      { operations: 16, kills: 3, seed: 21, convergeTimeoutMs: 45_000, forgers: 2 },
      inject("dynamodbLocalEndpoint"),
      teardown,
    );
    console.info(
      `[figures] raw writes: ${JSON.stringify(r.operations)} by ${JSON.stringify(r.paths)} with ${r.kills} ` +
        `SIGKILLs; converged ${r.convergeMs} ms after the last takeover; forgers ${JSON.stringify(r.forgers)}; ` +
        `orphans ${r.audit.orphans.length}, mismatches ${r.audit.mismatches.length}, foreign writes ${r.foreignWrites.length}`,
    );
    expect(r.paths.putItem + r.paths.updateItem + r.paths.deleteItem).toBeGreaterThan(0);
    expect(r.killedExits).toEqual(Array(r.kills).fill({ code: null, signal: "SIGKILL" }));
    expect(r.lastExit).toEqual({ code: 0, signal: null });
    expect(r.forgers.map((f) => f.reason)).toEqual(r.forgers.map(() => "NameConflict"));
    expect(r.audit.duplicates).toEqual([]);
    expect(r.audit.orphans).toEqual([]);
    expect(r.audit.mismatches).toEqual([]);
    expect(r.foreignWrites).toEqual([]);
  }, 150_000);
});
