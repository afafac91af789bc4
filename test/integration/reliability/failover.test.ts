/**
 * Leader failover between two real `fargatectl controller` processes (1.5 s lease, 0.5 s heartbeat/retry):
 * SIGKILL of the leader → the standby leads within one lease plus one retry period (DESIGN §9); SIGTERM → the
 * leader releases the lease and the standby takes over at its next retry. Figures are printed; only the generous
 * budget (lease + retry + 1 s) is asserted. `npm run soak` runs more rounds.
 */
import { afterEach, describe, expect, inject, it } from "vitest";
import { FAILOVER_LEASE, runFailoverScenario } from "./scenarios/failover.js";
import { Teardown } from "./support/teardown.js";

const teardown = new Teardown();
afterEach(() => teardown.run());

const BUDGET_MS = FAILOVER_LEASE.durationMs + FAILOVER_LEASE.retryMs + 1_000;

describe("leader failover between controller processes", () => {
  it("hands over within lease + retry after SIGKILL and at once after SIGTERM", async () => {
    const result = await runFailoverScenario({ rounds: 1 }, inject("dynamodbLocalEndpoint"), teardown);
    for (const t of result.takeovers)
      console.info(
        `[figures] failover after ${t.signal}: standby led ${t.ms} ms after the signal ` +
          `(lease ${FAILOVER_LEASE.durationMs} ms + retry ${FAILOVER_LEASE.retryMs} ms)`,
      );
    expect(result.takeovers.map((t) => t.signal)).toEqual(["SIGKILL", "SIGTERM"]);
    for (const t of result.takeovers) {
      expect(t.ms).toBeLessThanOrEqual(BUDGET_MS);
      expect(t.gauge).toBe(1);
    }
    const [killed, terminated] = result.takeovers;
    // Safety: the standby never takes a lease that could still be alive on the dead leader's side.
    expect(killed?.ms).toBeGreaterThanOrEqual(FAILOVER_LEASE.durationMs - FAILOVER_LEASE.retryMs);
    expect(killed?.exit).toEqual({ code: null, signal: "SIGKILL" });
    expect(terminated?.exit).toEqual({ code: 0, signal: null });
    expect(terminated?.released).toBe(true);
    expect(result.maxSimultaneousLeaders).toBe(1);
    expect(result.reconciledAfter).toBe(true);
  });
});
