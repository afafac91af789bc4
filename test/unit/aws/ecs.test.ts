import {
  CreateServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  type TaskDefinitionStatus,
} from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import { AwsInvalidRequestError, AwsNotFoundError, AwsUnavailableError } from "../../../src/aws/errors.js";
import { createLogger } from "../../../src/log.js";
import { ecsError, ecsService, type MockedGateways, mockedGateways, rejectionOf } from "./support.js";

const ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition";
const td = (family: string, revision: number, status: TaskDefinitionStatus = "ACTIVE") => ({
  taskDefinitionArn: `${ARN}/${family}:${revision}`,
  family,
  revision,
  status,
});

describe("EcsGateway", () => {
  let m: MockedGateways;
  afterEach(() => m.close());

  it("registerTaskDefinition returns the revision with the response's tags, else the input's", async () => {
    m = mockedGateways();
    m.ecs
      .on(RegisterTaskDefinitionCommand)
      .resolvesOnce({ taskDefinition: td("web", 3), tags: [{ key: "from", value: "response" }] })
      .resolvesOnce({ taskDefinition: td("web", 4) });
    const input = {
      family: "web",
      containerDefinitions: [{ name: "app", image: "nginx" }],
      tags: [{ key: "fargate-operator:uid", value: "u-1" }],
    };
    expect(await m.aws.ecs.registerTaskDefinition(input)).toEqual({
      arn: `${ARN}/web:3`,
      family: "web",
      revision: 3,
      status: "ACTIVE",
      tags: { from: "response" },
    });
    expect((await m.aws.ecs.registerTaskDefinition(input)).tags).toEqual({ "fargate-operator:uid": "u-1" });
    expect(m.ecs.commandCalls(RegisterTaskDefinitionCommand)[0]?.args[0].input).toEqual(input);
  });

  it("registerTaskDefinition reports an answer without a task definition as unavailable", async () => {
    m = mockedGateways();
    m.ecs.on(RegisterTaskDefinitionCommand).resolves({});
    const error = await rejectionOf(
      m.aws.ecs.registerTaskDefinition({ family: "x", containerDefinitions: [] }),
    );
    expect(error).toBeInstanceOf(AwsUnavailableError);
  });

  it("listActiveRevisions reads every page, newest first, and keeps only the exact family", async () => {
    m = mockedGateways();
    m.ecs
      .on(ListTaskDefinitionsCommand)
      .resolvesOnce({ taskDefinitionArns: [`${ARN}/web:9`, `${ARN}/web-2:4`], nextToken: "p2" })
      .resolvesOnce({ taskDefinitionArns: [`${ARN}/web:8`, `${ARN}/webby:1`], nextToken: "p3" })
      .resolvesOnce({ taskDefinitionArns: [`${ARN}/web:2`] });
    expect(await m.aws.ecs.listActiveRevisions("web")).toEqual([
      `${ARN}/web:9`,
      `${ARN}/web:8`,
      `${ARN}/web:2`,
    ]);
    const inputs = m.ecs.commandCalls(ListTaskDefinitionsCommand).map((c) => c.args[0].input);
    expect(inputs).toEqual([
      { familyPrefix: "web", status: "ACTIVE", sort: "DESC" },
      { familyPrefix: "web", status: "ACTIVE", sort: "DESC", nextToken: "p2" },
      { familyPrefix: "web", status: "ACTIVE", sort: "DESC", nextToken: "p3" },
    ]);
  });

  it("listActiveRevisions orders newest first even when the endpoint ignores sort", async () => {
    m = mockedGateways();
    m.ecs.on(ListTaskDefinitionsCommand).resolves({
      taskDefinitionArns: [`${ARN}/web:2`, `${ARN}/web:10`, `${ARN}/web:9`],
    });
    expect(await m.aws.ecs.listActiveRevisions("web")).toEqual([
      `${ARN}/web:10`,
      `${ARN}/web:9`,
      `${ARN}/web:2`,
    ]);
  });

  it("listActiveRevisions gives [] for an unknown family", async () => {
    m = mockedGateways();
    m.ecs.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [] });
    expect(await m.aws.ecs.listActiveRevisions("nope")).toEqual([]);
  });

  it("describeTaskDefinition asks for tags and maps ECS's not-found ClientException", async () => {
    m = mockedGateways();
    m.ecs
      .on(DescribeTaskDefinitionCommand)
      .resolvesOnce({ taskDefinition: td("web", 2, "INACTIVE"), tags: [{ key: "k", value: "v" }] })
      .rejectsOnce(ecsError("ClientException", "Unable to describe task definition."));
    expect(await m.aws.ecs.describeTaskDefinition(`${ARN}/web:2`)).toEqual({
      arn: `${ARN}/web:2`,
      family: "web",
      revision: 2,
      status: "INACTIVE",
      tags: { k: "v" },
      content: td("web", 2, "INACTIVE"),
    });
    expect(m.ecs.commandCalls(DescribeTaskDefinitionCommand)[0]?.args[0].input).toEqual({
      taskDefinition: `${ARN}/web:2`,
      include: ["TAGS"],
    });
    expect(await rejectionOf(m.aws.ecs.describeTaskDefinition(`${ARN}/web:99`))).toBeInstanceOf(
      AwsNotFoundError,
    );
  });

  it("deregisterTaskDefinition accepts an already inactive revision but not a missing one", async () => {
    m = mockedGateways();
    m.ecs
      .on(DeregisterTaskDefinitionCommand)
      .resolvesOnce({ taskDefinition: td("web", 1, "INACTIVE") })
      .rejectsOnce(ecsError("ClientException", "The task definition is already INACTIVE."))
      .rejectsOnce(ecsError("ClientException", "The specified task definition does not exist."));
    await m.aws.ecs.deregisterTaskDefinition(`${ARN}/web:1`);
    await m.aws.ecs.deregisterTaskDefinition(`${ARN}/web:1`);
    expect(await rejectionOf(m.aws.ecs.deregisterTaskDefinition(`${ARN}/web:5`))).toBeInstanceOf(
      AwsNotFoundError,
    );
  });

  it("tagResource sends ECS's key/value list", async () => {
    m = mockedGateways();
    m.ecs.on(TagResourceCommand).resolves({});
    await m.aws.ecs.tagResource(`${ARN}/web:1`, { a: "1", b: "2" });
    expect(m.ecs.commandCalls(TagResourceCommand)[0]?.args[0].input).toEqual({
      resourceArn: `${ARN}/web:1`,
      tags: [
        { key: "a", value: "1" },
        { key: "b", value: "2" },
      ],
    });
  });

  it("createService returns the service and rejects with typed errors", async () => {
    m = mockedGateways();
    m.ecs
      .on(CreateServiceCommand)
      .resolvesOnce({ service: ecsService("prod", "web") })
      .rejectsOnce(ecsError("InvalidParameterException", "Creation of service was not idempotent."));
    const input = { cluster: "prod", serviceName: "web", taskDefinition: "web:1", clientToken: "t" };
    expect((await m.aws.ecs.createService(input)).serviceArn).toBe(ecsService("prod", "web").serviceArn);
    expect(await rejectionOf(m.aws.ecs.createService(input))).toBeInstanceOf(AwsInvalidRequestError);
  });

  it("counts every call by outcome and logs awsOperation and durationMs, never the request", async () => {
    const lines: Array<Record<string, unknown>> = [];
    m = mockedGateways({
      log: createLogger({ level: "debug", destination: { write: (l: string) => lines.push(JSON.parse(l)) } }),
    });
    m.ecs
      .on(RegisterTaskDefinitionCommand)
      .resolvesOnce({ taskDefinition: td("web", 1) })
      .rejectsOnce(ecsError("ThrottlingException", "Rate exceeded"))
      .rejectsOnce(ecsError("ServerException", "boom", 500))
      .rejectsOnce(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))
      .rejectsOnce(ecsError("ClientException", "bad"));
    const input = {
      family: "web",
      containerDefinitions: [
        { name: "app", image: "nginx", environment: [{ name: "P", value: "s3cr3t-value" }] },
      ],
    };
    for (let i = 0; i < 5; i += 1) await m.aws.ecs.registerTaskDefinition(input).catch(() => undefined);
    expect(m.calls.map((c) => c.outcome)).toEqual([
      "success",
      "throttled",
      "server_error",
      "network_error",
      "client_error",
    ]);
    expect(new Set(m.calls.map((c) => `${c.service}:${c.operation}`))).toEqual(
      new Set(["ecs:RegisterTaskDefinition"]),
    );
    expect(lines).toHaveLength(5);
    for (const line of lines) {
      expect(line).toMatchObject({ level: 20, awsOperation: "ecs:RegisterTaskDefinition" });
      expect(line.durationMs).toEqual(expect.any(Number));
    }
    expect(JSON.stringify(lines)).not.toContain("s3cr3t-value");
    expect(JSON.stringify(lines)).not.toContain("nginx");
  });

  it("rejects an aborted in-flight call with the signal's reason, not the SDK's AbortError", async () => {
    m = mockedGateways();
    const controller = new AbortController();
    // The real SDK rejects with an AbortError when its abortSignal fires; the mock does the same.
    m.ecs
      .on(DescribeTaskDefinitionCommand)
      .callsFake(
        () =>
          new Promise((_resolve, reject) =>
            controller.signal.addEventListener("abort", () =>
              reject(Object.assign(new Error("Request aborted"), { name: "AbortError" })),
            ),
          ),
      );
    const pending = rejectionOf(m.aws.ecs.describeTaskDefinition(`${ARN}/web:1`, controller.signal));
    const reason = new Error("reconcile cancelled");
    controller.abort(reason);
    expect(await pending).toBe(reason);
  });

  it("does not send at all when the signal is already aborted", async () => {
    m = mockedGateways();
    m.ecs.on(TagResourceCommand).resolves({});
    const controller = new AbortController();
    controller.abort(new Error("early"));
    expect(await rejectionOf(m.aws.ecs.tagResource("arn", { a: "b" }, controller.signal))).toEqual(
      new Error("early"),
    );
    expect(m.ecs.commandCalls(TagResourceCommand)).toHaveLength(0);
    expect(m.calls).toHaveLength(0);
  });
});
