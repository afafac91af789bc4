/**
 * Cloud Map throttling during catalog sync (DESIGN §9: nothing deregistered, resumes after): for 60 s of
 * simulated time the engine's Cloud Map calls are throttled (40%), failed with 5xx (10%) or dropped (5%) while
 * Consul gains services. Every mirrored service stays registered on both sides, no deregistration reaches Cloud
 * Map, and once the faults stop the engine mirrors what it missed. (A Consul outage of 60 s is covered by
 * test/integration/sync/safety.test.ts.) `npm run soak` runs 10 minutes with more services.
 */
import { afterEach, describe, expect, it } from "vitest";
import { runSyncFaultsScenario } from "./scenarios/sync-cloud-map-faults.js";
import { Teardown } from "./support/teardown.js";

const teardown = new Teardown();
afterEach(() => teardown.run());

describe("catalog sync under Cloud Map throttling and failures", () => {
  it("keeps everything registered for 60 s of faults, then catches up", async () => {
    const result = await runSyncFaultsScenario(
      {
        services: 5,
        addedDuringFaults: 3,
        faultMs: 60_000,
        faults: { throttlePercent: 40, serverErrorPercent: 10, dropPercent: 5 },
        seed: 3,
      },
      teardown,
    );
    console.info(
      `[figures] sync under Cloud Map faults: ${result.callsDuringFaults} engine calls in 60 s simulated, ` +
        `${result.injected} failed on purpose; ${result.mirroredDuringFaults}/3 new services mirrored during the ` +
        `faults; caught up ${result.catchUpMs} ms (simulated) after the faults; ` +
        `removals ${result.removals}`,
    );
    expect(result.injected).toBeGreaterThan(0);
    expect(result.lossesSeen).toEqual([]);
    expect(result.removals).toBe(0);
    expect(result.errorAfter).toBeUndefined();
  });
});
