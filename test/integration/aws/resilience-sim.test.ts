/**
 * Pacing, faults, network failures and aborts end to end: the client buckets against the simulator's buckets
 * on one ManualClock, injected throttles/5xx/drops, a closed port, and an abort mid-request.
 */
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { AwsThrottledError, AwsUnavailableError } from "../../../src/aws/errors.js";
import { TIMER_MARGIN_MS } from "../../../src/aws/throttle.js";
import {
  fargateTaskDefinition,
  gatewaysAt,
  rejectionOf,
  type SimBed,
  startSimBed,
  until,
} from "./support.js";

let bed: SimBed | undefined;
afterEach(async () => {
  await bed?.close();
  bed = undefined;
});

const counter = (b: SimBed, key: string) => b.sim.control.counters()[key];

describe("client-side pacing against the simulator's buckets", () => {
  it("registers 25 task definitions without one ThrottlingException: 20 at once, then one per second", async () => {
    const b = await startSimBed({ sim: { throttling: true }, gateways: { ecsBuckets: {} } });
    bed = b;
    const sent = () => counter(b, "ecs:RegisterTaskDefinition")?.calls ?? 0;
    const results = Array.from({ length: 25 }, (_, i) =>
      b.aws.ecs.registerTaskDefinition(fargateTaskDefinition(`paced-${i}`)),
    );
    await until(() => sent() === 20, "the burst of 20");
    // The other five wait on the clock, not on the network.
    expect(b.clock.pendingTimers()).toBe(5);
    await b.clock.advance(999 + TIMER_MARGIN_MS);
    expect(b.clock.pendingTimers()).toBe(5);
    await b.clock.advance(1);
    await until(() => sent() === 21, "the 21st call after one second");
    await b.clock.advance(4_000);
    await until(() => sent() === 25, "the last call");
    expect((await Promise.all(results)).map((r) => r.revision)).toEqual(Array(25).fill(1));
    expect(counter(b, "ecs:RegisterTaskDefinition")).toMatchObject({
      calls: 25,
      succeeded: 25,
      throttled: 0,
    });
  });

  it("paces the SDK's retries of throttled calls: after another client drained ECS's bucket, each retry waits for its own token", async () => {
    const b = await startSimBed({ sim: { throttling: true }, gateways: { ecsBuckets: {}, maxAttempts: 3 } });
    bed = b;
    // Another client of the account takes the whole burst; our buckets cannot know.
    const other = gatewaysAt(b.sim.endpoint, { clock: b.clock });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        other.aws.ecs.registerTaskDefinition(fargateTaskDefinition(`other-${i}`)),
      ),
    );
    other.aws.destroy();
    const results = Array.from({ length: 5 }, (_, i) =>
      b.aws.ecs.registerTaskDefinition(fargateTaskDefinition(`ours-${i}`)),
    );
    // Each first attempt is throttled; the buckets learn ECS's is empty, so every retry waits on the clock.
    await until(() => b.clock.pendingTimers() === 5, "five retries waiting for tokens");
    expect(counter(b, "ecs:RegisterTaskDefinition")).toMatchObject({ calls: 25, throttled: 5 });
    await b.clock.advance(5 * (1_000 + TIMER_MARGIN_MS));
    expect((await Promise.all(results)).map((r) => r.revision)).toEqual(Array(5).fill(1));
    // No retry took a token promised to another: nothing was throttled twice.
    expect(counter(b, "ecs:RegisterTaskDefinition")).toMatchObject({
      calls: 30,
      succeeded: 25,
      throttled: 5,
    });
  });

  it("without pacing the simulator throttles the 21st call, and the gateway says so", async () => {
    const b = await startSimBed({ sim: { throttling: true } });
    bed = b;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 21 }, (_, i) =>
        b.aws.ecs.registerTaskDefinition(fargateTaskDefinition(`raw-${i}`)),
      ),
    );
    const rejected = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason] : []));
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toBeInstanceOf(AwsThrottledError);
    expect(b.calls.filter((c) => c.outcome === "throttled")).toHaveLength(1);
  });
});

describe("faults", () => {
  it("maps injected throttling, 5xx and dropped connections to retryable typed errors", async () => {
    const b = await startSimBed();
    bed = b;
    b.sim.control.setFaults({ throttlePercent: 100, operations: ["ecs:DescribeTaskDefinition"] });
    const throttled = await rejectionOf(b.aws.ecs.describeTaskDefinition("x:1"));
    expect(throttled).toBeInstanceOf(AwsThrottledError);

    b.sim.control.setFaults({ serverErrorPercent: 100, operations: ["servicediscovery:GetNamespace"] });
    const server = await rejectionOf(b.aws.cloudMap.getNamespace("ns-aaaaaaaaaaaaaaaa"));
    expect(server).toBeInstanceOf(AwsUnavailableError);
    expect(server).toMatchObject({ retryable: true, code: "InternalFailure" });

    b.sim.control.setFaults({ dropPercent: 100, operations: ["ecs:ListTaskDefinitions"] });
    const dropped = await rejectionOf(b.aws.ecs.listActiveRevisions("web"));
    expect(dropped).toBeInstanceOf(AwsUnavailableError);
    expect(dropped).toMatchObject({ code: "NetworkError", retryable: true });
    expect(b.calls.map((c) => c.outcome)).toEqual(["throttled", "server_error", "network_error"]);
  });

  it("maps a refused connection to AwsUnavailableError (NetworkError)", async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
      });
    });
    const { aws, calls } = gatewaysAt(`http://127.0.0.1:${port}`);
    try {
      const error = await rejectionOf(aws.cloudMap.getOperation("op-1"));
      expect(error).toBeInstanceOf(AwsUnavailableError);
      expect(error).toMatchObject({ code: "NetworkError" });
      expect(calls).toEqual([
        { service: "servicediscovery", operation: "GetOperation", outcome: "network_error" },
      ]);
    } finally {
      aws.destroy();
    }
  });

  it("rejects with the signal's reason when a slow request is aborted", async () => {
    const b = await startSimBed();
    bed = b;
    b.sim.control.setFaults({ latencyMs: 5_000, operations: ["servicediscovery:GetOperation"] });
    const controller = new AbortController();
    const pending = rejectionOf(b.aws.cloudMap.getOperation("op-1", controller.signal));
    await until(
      () => (counter(b, "servicediscovery:GetOperation")?.calls ?? 0) === 1,
      "the request to arrive",
    );
    const reason = new Error("reconcile cancelled");
    controller.abort(reason);
    expect(await pending).toBe(reason);
  });
});
