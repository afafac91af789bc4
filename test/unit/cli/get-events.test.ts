import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { runGetEvents } from "../../../src/cli/commands/events.js";
import type { CliContext } from "../../../src/cli/context.js";
import { CliError } from "../../../src/cli/errors.js";
import { buildProgram, type ProgramResult } from "../../../src/cli/program.js";
import type { ResourceStore } from "../../../src/store/types.js";
import { MemoryEvents } from "../../support/memory-events.js";

const NOW = Date.parse("2025-01-01T01:00:00.000Z");

function contextWith(events: MemoryEvents): { ctx: CliContext; out: string[] } {
  const out: string[] = [];
  const store = { events } as unknown as ResourceStore;
  return {
    out,
    ctx: {
      settings: {} as CliContext["settings"],
      store: () => store,
      out: (text) => out.push(text),
      err: (text) => out.push(text),
      now: () => NOW,
    },
  };
}

async function add(events: MemoryEvents, name: string, reason: string, at: string): Promise<void> {
  await events.create(
    {
      type: "Normal",
      reason,
      message: `${reason} of ${name}`,
      count: 1,
      firstTimestamp: at,
      lastTimestamp: at,
      involved: { kind: "FargateService", namespace: "team-a", name },
    },
    60,
  );
}

describe("fargatectl get events", () => {
  it("narrows to one record with --for KIND/NAME and refuses a malformed one", async () => {
    const events = new MemoryEvents();
    await add(events, "web", "ServiceCreated", "2025-01-01T00:58:00.000Z");
    await add(events, "api", "ServiceCreated", "2025-01-01T00:59:00.000Z");
    const { ctx, out } = contextWith(events);
    await runGetEvents(ctx, { namespace: "team-a", allNamespaces: false, output: "table", for: "fs/web" });
    expect(out.join("")).toContain("fargateservice/web");
    expect(out.join("")).not.toContain("fargateservice/api");
    await expect(
      runGetEvents(ctx, { namespace: "team-a", allNamespaces: false, output: "table", for: "web" }),
    ).rejects.toBeInstanceOf(CliError);
    await expect(
      runGetEvents(ctx, { namespace: "team-a", allNamespaces: true, output: "table", for: "fs/web" }),
    ).rejects.toBeInstanceOf(CliError);
  });

  it("prints the list as JSON items with -o json", async () => {
    const events = new MemoryEvents();
    await add(events, "web", "ServiceCreated", "2025-01-01T00:58:00.000Z");
    const { ctx, out } = contextWith(events);
    await runGetEvents(ctx, { namespace: "team-a", allNamespaces: false, output: "json" });
    expect(JSON.parse(out.join("")).items[0]).toMatchObject({ reason: "ServiceCreated", count: 1 });
  });

  it("with -w prints a line for each new or repeated event until interrupted", async () => {
    const events = new MemoryEvents();
    await add(events, "web", "ServiceCreated", "2025-01-01T00:58:00.000Z");
    const { ctx, out } = contextWith(events);
    const interrupt = new AbortController();
    const watching = runGetEvents(ctx, {
      namespace: "team-a",
      allNamespaces: false,
      output: "table",
      watch: { signal: interrupt.signal, intervalMs: 5 },
    });
    await add(events, "web", "RolloutComplete", "2025-01-01T00:59:00.000Z");
    while (!out.join("").includes("RolloutComplete")) await sleep(5);
    interrupt.abort();
    expect(await watching).toBe(0);
    const lines = out.join("").trimEnd().split("\n");
    expect(lines).toHaveLength(3); // header, the first event, the new one (no header again)
    expect(lines[2]).toMatch(/^60s +Normal +RolloutComplete +fargateservice\/web +RolloutComplete of web$/);
  });

  it("is `get events` on the command line, with --for, and refuses a NAME or --for on other kinds", async () => {
    const events = new MemoryEvents();
    await add(events, "web", "ServiceCreated", "2025-01-01T00:58:00.000Z");
    const { ctx, out } = contextWith(events);
    const run = async (...argv: string[]) => {
      const result: ProgramResult = { exitCode: 0 };
      const program = buildProgram(result, () => ctx).exitOverride();
      try {
        await program.parseAsync(argv, { from: "user" });
      } catch (error) {
        return String(error);
      }
      return result.exitCode;
    };
    expect(await run("get", "events", "-n", "team-a", "--for", "fargateservice/web")).toBe(0);
    expect(out.join("")).toMatch(/Normal +ServiceCreated +fargateservice\/web/);
    expect(await run("get", "ev", "web", "-n", "team-a")).toMatch(/use --for KIND\/web/);
    expect(await run("get", "fs", "--for", "fs/web")).toMatch(/--for is for `get events`/);
  });
});
