/** The ECS gateway end to end against the AWS simulator (lenient mode, ManualClock). */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AwsInvalidRequestError, AwsNotFoundError } from "../../../src/aws/errors.js";
import { fargateTaskDefinition, rejectionOf, type SimBed, startSimBed } from "./support.js";

const network = {
  awsvpcConfiguration: { subnets: ["subnet-0123456789abcdef0"], securityGroups: ["sg-0123456789abcdef0"] },
};
const TD_ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition";

let bed: SimBed;
beforeEach(async () => {
  bed = await startSimBed();
});
afterEach(async () => {
  await bed.close();
});

const describeCalls = () => bed.sim.control.counters()["ecs:DescribeServices"]?.calls ?? 0;

describe("EcsGateway on the simulator: task definitions", () => {
  it("registers, lists (exact family, newest first), describes with tags, tags and deregisters", async () => {
    const { ecs } = bed.aws;
    const first = await ecs.registerTaskDefinition(
      fargateTaskDefinition("web", { "fargate-operator:uid": "u1" }),
    );
    expect(first).toEqual({
      arn: `${TD_ARN}/web:1`,
      family: "web",
      revision: 1,
      status: "ACTIVE",
      tags: { "fargate-operator:uid": "u1" },
    });
    const second = await ecs.registerTaskDefinition(fargateTaskDefinition("web"));
    expect(second.revision).toBe(2);
    await ecs.registerTaskDefinition(fargateTaskDefinition("web-2"));
    expect(await ecs.listActiveRevisions("web")).toEqual([`${TD_ARN}/web:2`, `${TD_ARN}/web:1`]);
    expect(await ecs.listActiveRevisions("unknown")).toEqual([]);

    await ecs.tagResource(second.arn, { owner: "me" });
    expect(await ecs.describeTaskDefinition(second.arn)).toEqual({
      ...second,
      tags: { owner: "me" },
      content: expect.objectContaining({ taskDefinitionArn: second.arn, family: "web" }),
    });

    await ecs.deregisterTaskDefinition(first.arn);
    await ecs.deregisterTaskDefinition(first.arn); // already INACTIVE: fine
    expect((await ecs.describeTaskDefinition(first.arn)).status).toBe("INACTIVE");
    expect(await ecs.listActiveRevisions("web")).toEqual([`${TD_ARN}/web:2`]);

    expect(await rejectionOf(ecs.describeTaskDefinition(`${TD_ARN}/nope:1`))).toBeInstanceOf(
      AwsNotFoundError,
    );
    expect(await rejectionOf(ecs.deregisterTaskDefinition(`${TD_ARN}/nope:3`))).toBeInstanceOf(
      AwsNotFoundError,
    );
    const invalid = await rejectionOf(
      ecs.registerTaskDefinition({ ...fargateTaskDefinition("bad"), memory: "4096" }),
    );
    expect(invalid).toBeInstanceOf(AwsInvalidRequestError);
    expect(bed.calls.filter((c) => c.outcome === "client_error")).toHaveLength(3);
  });

  it("reads every page of a family with more than 100 active revisions", async () => {
    for (let i = 0; i < 105; i += 1) await bed.aws.ecs.registerTaskDefinition(fargateTaskDefinition("many"));
    const arns = await bed.aws.ecs.listActiveRevisions("many");
    expect(arns).toHaveLength(105);
    expect(arns[0]).toBe(`${TD_ARN}/many:105`);
    expect(arns.at(-1)).toBe(`${TD_ARN}/many:1`);
    expect(bed.calls.filter((c) => c.operation === "ListTaskDefinitions")).toHaveLength(2);
  });
});

describe("EcsGateway on the simulator: services", () => {
  it("creates, reads from the cache, updates, deletes and sees the service go INACTIVE", async () => {
    const { ecs } = bed.aws;
    const td = await ecs.registerTaskDefinition(fargateTaskDefinition("api"));
    const created = await ecs.createService({
      cluster: "prod",
      serviceName: "api",
      taskDefinition: td.arn,
      desiredCount: 1,
      launchType: "FARGATE",
      networkConfiguration: network,
      clientToken: "token-1",
      tags: [{ key: "fargate-operator:uid", value: "u1" }],
    });
    expect(created).toMatchObject({ serviceName: "api", status: "ACTIVE", taskDefinition: td.arn });

    // The create taught the cache: a read within maxAgeMs makes no call.
    expect((await ecs.describeService("prod", "api", { maxAgeMs: 60_000 }))?.serviceArn).toBe(
      created.serviceArn,
    );
    expect(describeCalls()).toBe(0);
    const fresh = await ecs.describeService("prod", "api", { maxAgeMs: 0 });
    expect(fresh?.tags).toEqual([{ key: "fargate-operator:uid", value: "u1" }]);
    expect(describeCalls()).toBe(1);

    // Same clientToken: the same service; another token for an ACTIVE name: not idempotent.
    const again = await ecs.createService({
      cluster: "prod",
      serviceName: "api",
      taskDefinition: td.arn,
      desiredCount: 1,
      launchType: "FARGATE",
      networkConfiguration: network,
      clientToken: "token-1",
    });
    expect(again.serviceArn).toBe(created.serviceArn);
    const clash = await rejectionOf(
      ecs.createService({
        cluster: "prod",
        serviceName: "api",
        taskDefinition: td.arn,
        networkConfiguration: network,
        clientToken: "token-2",
      }),
    );
    expect(clash).toBeInstanceOf(AwsInvalidRequestError);

    await ecs.tagResource(created.serviceArn ?? "", { extra: "1" });
    const scaled = await ecs.updateService({ cluster: "prod", service: "api", desiredCount: 0 });
    expect(scaled.desiredCount).toBe(0);
    expect((await ecs.describeService("prod", "api", { maxAgeMs: 60_000 }))?.desiredCount).toBe(0);
    expect(
      await rejectionOf(ecs.updateService({ cluster: "prod", service: "ghost", desiredCount: 1 })),
    ).toBeInstanceOf(AwsNotFoundError);

    const deleted = await ecs.deleteService("prod", "api");
    expect(deleted?.status).toBe("DRAINING");
    expect(await ecs.deleteService("prod", "api")).toBeUndefined(); // already DRAINING
    expect(await ecs.deleteService("prod", "ghost")).toBeUndefined();
    for (let i = 0; i < 10; i += 1) bed.clock.advanceSync(5_000);
    expect(await ecs.describeService("prod", "api", { maxAgeMs: 0 })).toBeUndefined();
    expect(await ecs.describeService("prod", "never-created")).toBeUndefined();
  });

  it("refreshes 25 services of a cluster with 3 DescribeServices calls", async () => {
    const { ecs } = bed.aws;
    const td = await ecs.registerTaskDefinition(fargateTaskDefinition("fleet"));
    const names = Array.from({ length: 25 }, (_, i) => `svc-${i}`);
    for (const name of names)
      await ecs.createService({
        cluster: "fleet",
        serviceName: name,
        taskDefinition: td.arn,
        desiredCount: 0,
        networkConfiguration: network,
      });
    bed.clock.advanceSync(120_000);
    const read = await Promise.all(names.map((n) => ecs.describeService("fleet", n, { maxAgeMs: 60_000 })));
    expect(read.map((s) => s?.serviceName)).toEqual(names);
    expect(describeCalls()).toBe(3);
    // Fresh now: the same reads again cost nothing.
    await Promise.all(names.map((n) => ecs.describeService("fleet", n, { maxAgeMs: 60_000 })));
    expect(describeCalls()).toBe(3);
  });
});
