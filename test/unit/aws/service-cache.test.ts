import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  type DescribeServicesCommandInput,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import { AwsNotFoundError, AwsThrottledError, AwsUnavailableError } from "../../../src/aws/errors.js";
import { settle } from "../../../src/clock.js";
import { ecsError, ecsService, type MockedGateways, mockedGateways, rejectionOf } from "./support.js";

/** DescribeServices answering from `live` (name → status); names not in it are MISSING. */
function answerFrom(live: Map<string, string>) {
  return (input: DescribeServicesCommandInput) => {
    const cluster = input.cluster ?? "default";
    const names = input.services ?? [];
    return {
      services: names.filter((n) => live.has(n)).map((n) => ecsService(cluster, n, live.get(n))),
      failures: names
        .filter((n) => !live.has(n))
        .map((n) => ({ arn: `arn:aws:ecs:us-east-1:123456789012:service/${n}`, reason: "MISSING" })),
    };
  };
}

/** A DescribeServices answer the test releases by hand. */
function gatedAnswers(live: Map<string, string>) {
  const gates: Array<() => void> = [];
  const fake = (input: DescribeServicesCommandInput) =>
    new Promise((resolve) => gates.push(() => resolve(answerFrom(live)(input))));
  return {
    fake,
    async releaseAll() {
      while (gates.length > 0) {
        for (const release of gates.splice(0)) release();
        await settle();
      }
    },
    pending: () => gates.length,
  };
}

const describedNames = (m: MockedGateways) =>
  m.ecs.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input.services ?? []);

async function createServices(m: MockedGateways, cluster: string, names: string[]) {
  m.ecs.on(CreateServiceCommand).callsFake((input: { cluster: string; serviceName: string }) => ({
    service: ecsService(input.cluster, input.serviceName),
  }));
  for (const name of names)
    await m.aws.ecs.createService({ cluster, serviceName: name, taskDefinition: "td" });
}

describe("describeService through the per-cluster cache", () => {
  let m: MockedGateways;
  afterEach(() => m.close());

  it("refreshes 25 known services with exactly 3 DescribeServices calls for 25 concurrent stale reads", async () => {
    m = mockedGateways();
    const names = Array.from({ length: 25 }, (_, i) => `svc-${i}`);
    await createServices(m, "prod", names);
    const live = new Map(names.map((n) => [n, "ACTIVE"]));
    m.ecs.on(DescribeServicesCommand).callsFake(answerFrom(live));
    await m.clock.advance(60_000);
    const read = await Promise.all(names.map((n) => m.aws.ecs.describeService("prod", n, { maxAgeMs: 0 })));
    expect(read.map((s) => s?.serviceName)).toEqual(names);
    const calls = m.ecs.commandCalls(DescribeServicesCommand);
    expect(calls).toHaveLength(3);
    expect(describedNames(m).map((batch) => batch.length)).toEqual([10, 10, 5]);
    expect(new Set(describedNames(m).flat())).toEqual(new Set(names));
    for (const call of calls)
      expect(call.args[0].input).toMatchObject({ cluster: "prod", include: ["TAGS"] });
    expect(m.calls.filter((c) => c.operation === "DescribeServices")).toHaveLength(3);
  });

  it("answers from the cache while the observation is younger than maxAgeMs, then refreshes", async () => {
    m = mockedGateways();
    await createServices(m, "prod", ["web"]);
    m.ecs.on(DescribeServicesCommand).callsFake(answerFrom(new Map([["web", "ACTIVE"]])));
    await m.clock.advance(29_999);
    expect((await m.aws.ecs.describeService("prod", "web", { maxAgeMs: 30_000 }))?.serviceName).toBe("web");
    expect(m.ecs.commandCalls(DescribeServicesCommand)).toHaveLength(0);
    await m.clock.advance(1);
    await m.aws.ecs.describeService("prod", "web", { maxAgeMs: 30_000 });
    expect(m.ecs.commandCalls(DescribeServicesCommand)).toHaveLength(1);
    await m.aws.ecs.describeService("prod", "web", { maxAgeMs: 30_000 });
    expect(m.ecs.commandCalls(DescribeServicesCommand)).toHaveLength(1);
  });

  it("forces a fresh call with maxAgeMs 0 (the default) even with the clock standing still", async () => {
    m = mockedGateways();
    await createServices(m, "prod", ["web"]);
    m.ecs.on(DescribeServicesCommand).callsFake(answerFrom(new Map([["web", "ACTIVE"]])));
    await m.aws.ecs.describeService("prod", "web");
    await m.aws.ecs.describeService("prod", "web", { maxAgeMs: 0 });
    expect(m.ecs.commandCalls(DescribeServicesCommand)).toHaveLength(2);
  });

  it("brings along names older than the steady-state age, and tops the batch up with the oldest others", async () => {
    m = mockedGateways({ serviceCacheMaxAgeMs: 5_000 });
    await createServices(m, "prod", ["old-1", "old-2"]);
    await m.clock.advance(10_000);
    await createServices(m, "prod", ["new-1"]);
    m.ecs.on(DescribeServicesCommand).callsFake(
      answerFrom(
        new Map([
          ["old-1", "ACTIVE"],
          ["old-2", "ACTIVE"],
          ["new-1", "ACTIVE"],
        ]),
      ),
    );
    await m.aws.ecs.describeService("prod", "old-1", { maxAgeMs: 5_000 });
    // old-2 is stale; new-1 is fresh but fits in the same call for free.
    expect(describedNames(m)).toEqual([["old-1", "old-2", "new-1"]]);
    await m.aws.ecs.describeService("prod", "old-2", { maxAgeMs: 5_000 });
    expect(m.ecs.commandCalls(DescribeServicesCommand)).toHaveLength(1);
  });

  it("makes one call for a rollout's fresh read among many settled services, not one per 10 of them", async () => {
    m = mockedGateways({ serviceCacheMaxAgeMs: 60_000 });
    const names = Array.from({ length: 45 }, (_, i) => `svc-${i}`);
    await createServices(m, "prod", names);
    m.ecs.on(DescribeServicesCommand).callsFake(answerFrom(new Map(names.map((n) => [n, "ACTIVE"]))));
    await m.clock.advance(5_000);
    for (let poll = 0; poll < 6; poll += 1) {
      await m.aws.ecs.describeService("prod", "svc-7", { maxAgeMs: 0 });
      await m.clock.advance(5_000);
    }
    // Six rollout polls: six calls of ten names each (svc-7 plus the nine oldest), where every poll used to
    // describe all 45 names in five calls.
    expect(describedNames(m).map((batch) => batch.length)).toEqual([10, 10, 10, 10, 10, 10]);
    expect(describedNames(m).every((batch) => batch[0] === "svc-7")).toBe(true);
    // Topping up rotates through the oldest: 6 × 9 others cover all 44 of them.
    expect(new Set(describedNames(m).flat()).size).toBe(45);
    // Past the steady-state age, the next read brings every stale name along again.
    await m.clock.advance(60_000);
    await m.aws.ecs.describeService("prod", "svc-0", { maxAgeMs: 60_000 });
    expect(describedNames(m).slice(6).flat().sort()).toEqual([...names].sort());
  });

  it("keeps clusters apart, and treats a cluster ARN and a service ARN like their names", async () => {
    m = mockedGateways();
    await createServices(m, "a", ["web"]);
    await createServices(m, "b", ["web", "api"]);
    m.ecs.on(DescribeServicesCommand).callsFake(
      answerFrom(
        new Map([
          ["web", "ACTIVE"],
          ["api", "ACTIVE"],
        ]),
      ),
    );
    await m.aws.ecs.describeService("arn:aws:ecs:us-east-1:123456789012:cluster/a", "web");
    expect(m.ecs.commandCalls(DescribeServicesCommand)[0]?.args[0].input).toMatchObject({
      cluster: "a",
      services: ["web"],
    });
    await m.aws.ecs.describeService("b", "arn:aws:ecs:us-east-1:123456789012:service/b/api");
    expect(describedNames(m)[1]).toEqual(["api", "web"]);
  });

  it("shares one in-flight refresh and queues uncovered reads into one follow-up call", async () => {
    m = mockedGateways();
    const live = new Map([
      ["a", "ACTIVE"],
      ["b", "ACTIVE"],
      ["c", "ACTIVE"],
    ]);
    const gated = gatedAnswers(live);
    m.ecs.on(DescribeServicesCommand).callsFake(gated.fake);
    const first = m.aws.ecs.describeService("prod", "a");
    await settle();
    expect(gated.pending()).toBe(1);
    const again = m.aws.ecs.describeService("prod", "a");
    const b = m.aws.ecs.describeService("prod", "b");
    const c = m.aws.ecs.describeService("prod", "c");
    await settle();
    expect(gated.pending()).toBe(1);
    await gated.releaseAll();
    const results = await Promise.all([first, again, b, c]);
    expect(results.map((s) => s?.serviceName)).toEqual(["a", "a", "b", "c"]);
    // The follow-up also refreshes "a", which is known and (with maxAgeMs 0) stale.
    expect(describedNames(m)).toEqual([["a"], ["b", "c", "a"]]);
  });

  it("answers undefined for MISSING and INACTIVE services and keeps DRAINING ones", async () => {
    m = mockedGateways();
    const live = new Map([
      ["gone", "INACTIVE"],
      ["draining", "DRAINING"],
    ]);
    m.ecs.on(DescribeServicesCommand).callsFake(answerFrom(live));
    const [missing, inactive, draining] = await Promise.all([
      m.aws.ecs.describeService("prod", "never"),
      m.aws.ecs.describeService("prod", "gone"),
      m.aws.ecs.describeService("prod", "draining"),
    ]);
    expect(missing).toBeUndefined();
    expect(inactive).toBeUndefined();
    expect(draining?.status).toBe("DRAINING");
  });

  it("learns from create, update and delete, and forgets on forgetService", async () => {
    m = mockedGateways();
    await createServices(m, "prod", ["web", "api"]);
    m.ecs.on(UpdateServiceCommand).resolves({ service: ecsService("prod", "web", "ACTIVE", 3) });
    m.ecs.on(DeleteServiceCommand).resolves({ service: ecsService("prod", "api", "DRAINING", 0) });
    m.ecs.on(DescribeServicesCommand).callsFake(answerFrom(new Map([["web", "ACTIVE"]])));
    await m.aws.ecs.updateService({ cluster: "prod", service: "web", desiredCount: 3 });
    await m.aws.ecs.deleteService("prod", "api");
    expect((await m.aws.ecs.describeService("prod", "web", { maxAgeMs: 1_000 }))?.desiredCount).toBe(3);
    expect((await m.aws.ecs.describeService("prod", "api", { maxAgeMs: 1_000 }))?.status).toBe("DRAINING");
    expect(m.ecs.commandCalls(DescribeServicesCommand)).toHaveLength(0);
    m.aws.ecs.forgetService("prod", "api");
    await m.aws.ecs.describeService("prod", "web");
    expect(describedNames(m)).toEqual([["web"]]);
  });

  it("never lets an older refresh overwrite a write that landed while it was in flight", async () => {
    m = mockedGateways();
    await createServices(m, "prod", ["web"]);
    const gated = gatedAnswers(new Map([["web", "ACTIVE"]]));
    m.ecs.on(DescribeServicesCommand).callsFake(gated.fake);
    m.ecs.on(UpdateServiceCommand).resolves({ service: ecsService("prod", "web", "ACTIVE", 7) });
    const read = m.aws.ecs.describeService("prod", "web");
    await settle();
    await m.aws.ecs.updateService({ cluster: "prod", service: "web", desiredCount: 7 });
    await gated.releaseAll();
    expect((await read)?.desiredCount).toBe(7);
    expect((await m.aws.ecs.describeService("prod", "web", { maxAgeMs: 1_000 }))?.desiredCount).toBe(7);
  });

  it("rejects the readers of a failed batch with the typed error and keeps the old observation", async () => {
    m = mockedGateways();
    await createServices(m, "prod", ["web"]);
    await m.clock.advance(10_000);
    m.ecs.on(DescribeServicesCommand).rejectsOnce(ecsError("ThrottlingException", "Rate exceeded"));
    expect(await rejectionOf(m.aws.ecs.describeService("prod", "web"))).toBeInstanceOf(AwsThrottledError);
    expect((await m.aws.ecs.describeService("prod", "web", { maxAgeMs: 60_000 }))?.serviceName).toBe("web");
    expect(m.calls.at(-1)).toEqual({ service: "ecs", operation: "DescribeServices", outcome: "throttled" });
  });

  it("turns a failure other than MISSING into an error for that name only", async () => {
    m = mockedGateways();
    m.ecs.on(DescribeServicesCommand).resolves({
      services: [ecsService("prod", "ok")],
      failures: [{ arn: "arn:aws:ecs:us-east-1:123456789012:service/prod/odd", reason: "INTERNAL" }],
    });
    const [ok, odd] = await Promise.allSettled([
      m.aws.ecs.describeService("prod", "ok"),
      m.aws.ecs.describeService("prod", "odd"),
    ]);
    expect(ok).toMatchObject({ status: "fulfilled", value: { serviceName: "ok" } });
    expect(odd).toMatchObject({ status: "rejected", reason: expect.any(AwsUnavailableError) });
  });

  it("lets one reader abort with its signal's reason while the shared refresh serves the others", async () => {
    m = mockedGateways();
    const gated = gatedAnswers(new Map([["web", "ACTIVE"]]));
    m.ecs.on(DescribeServicesCommand).callsFake(gated.fake);
    const controller = new AbortController();
    const aborted = rejectionOf(m.aws.ecs.describeService("prod", "web", { signal: controller.signal }));
    const other = m.aws.ecs.describeService("prod", "web");
    await settle();
    const reason = new Error("reconcile cancelled");
    controller.abort(reason);
    expect(await aborted).toBe(reason);
    await gated.releaseAll();
    expect((await other)?.serviceName).toBe("web");
    expect(m.ecs.commandCalls(DescribeServicesCommand)).toHaveLength(1);
  });

  it("deleteService answers undefined and forgets the name when ECS no longer has it ACTIVE", async () => {
    m = mockedGateways();
    await createServices(m, "prod", ["web"]);
    m.ecs.on(DeleteServiceCommand).rejects(ecsError("ServiceNotActiveException", "Service was not ACTIVE."));
    m.ecs.on(DescribeServicesCommand).callsFake(answerFrom(new Map([["web", "DRAINING"]])));
    expect(await m.aws.ecs.deleteService("prod", "web")).toBeUndefined();
    expect((await m.aws.ecs.describeService("prod", "web", { maxAgeMs: 60_000 }))?.status).toBe("DRAINING");
    m.ecs.on(DeleteServiceCommand).rejects(ecsError("ServiceNotFoundException", "Service not found."));
    expect(await m.aws.ecs.deleteService("prod", "ghost")).toBeUndefined();
    m.ecs.on(UpdateServiceCommand).rejects(ecsError("ServiceNotFoundException", "Service not found."));
    expect(await rejectionOf(m.aws.ecs.updateService({ cluster: "prod", service: "ghost" }))).toBeInstanceOf(
      AwsNotFoundError,
    );
  });
});
