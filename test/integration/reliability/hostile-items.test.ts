/**
 * Hostile raw DynamoDB items (fast-check, 50 runs): random attribute maps under record-shaped and other keys,
 * missing fields and wrong types, PutItem'd straight into the table while a real `fargatectl controller`
 * process runs. It never crashes and keeps leading; each invalid record gets Ready=False, reason InvalidSpec,
 * naming every broken field; the AWS simulator counts zero calls. `npm run soak` runs 500.
 */
import { afterEach, describe, expect, inject, it } from "vitest";
import { runHostileItems } from "./scenarios/hostile-items.js";
import { Teardown } from "./support/teardown.js";

const teardown = new Teardown();
afterEach(() => teardown.run());

describe("hostile raw DynamoDB items", () => {
  it("never crash the controller, get InvalidSpec naming the field, and cause no AWS call", async () => {
    const result = await runHostileItems({ numRuns: 50, seed: 7 }, inject("dynamodbLocalEndpoint"), teardown);
    const sorted = [...result.reportMs].sort((a, b) => a - b);
    console.info(
      `[figures] hostile items: ${JSON.stringify(result.outcomes)}; InvalidSpec reported in ` +
        `p50 ${sorted[Math.floor(sorted.length / 2)] ?? "-"} ms, max ${sorted.at(-1) ?? "-"} ms; AWS calls ${result.awsCalls}`,
    );
    expect(result.outcomes.invalid ?? 0).toBeGreaterThan(10);
    expect(result.awsCalls).toBe(0);
    expect(result.process).toEqual({ running: true, healthz: 200, leader: 1, errors: [] });
  }, 90_000);
});
