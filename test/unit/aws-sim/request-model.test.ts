import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/clock.js";
import { createCloudMap } from "../../../src/dev/aws-sim/cloudmap/index.js";
import { IdFactory, type SimContext } from "../../../src/dev/aws-sim/context.js";
import { createEcs } from "../../../src/dev/aws-sim/ecs/index.js";
import { AwsApiError } from "../../../src/dev/aws-sim/errors.js";
import {
  EcsRequestModel,
  hasRequestShape,
  MAX_RECORDED_REQUESTS,
} from "../../../src/dev/aws-sim/request-model.js";

function strictContext(): SimContext {
  const clock = new ManualClock();
  return {
    clock,
    timeScale: 1,
    region: "us-east-1",
    accountId: "123456789012",
    mode: "strict",
    timing: { startMs: 1000, stopMs: 1000, operationMs: 1000 },
    after: (ms, fn) => clock.setTimer(fn, ms),
    ids: new IdFactory(),
  };
}

const taskDefinition = (container: Record<string, unknown> = {}) => ({
  family: "web",
  requiresCompatibilities: ["FARGATE"],
  networkMode: "awsvpc",
  cpu: "256",
  memory: "512",
  containerDefinitions: [{ name: "app", image: "nginx:1", ...container }],
});

function refusal(model: EcsRequestModel, operation: string, body: Record<string, unknown>): AwsApiError {
  try {
    model.check(operation, body);
  } catch (error) {
    if (error instanceof AwsApiError) return error;
    throw error;
  }
  throw new Error(`${operation} was accepted`);
}

describe("strict simulator: ECS requests against AWS's model", () => {
  it("has the request shape of every ECS operation the simulator answers", () => {
    const ctx = strictContext();
    const operations = Object.keys(createEcs(ctx, createCloudMap(ctx).state).handlers);
    expect(operations.length).toBeGreaterThan(10);
    expect(operations.filter((op) => !hasRequestShape(op))).toEqual([]);
  });

  it("accepts and records a valid request", () => {
    const model = new EcsRequestModel();
    model.check(
      "RegisterTaskDefinition",
      taskDefinition({ ulimits: [{ name: "nofile", softLimit: 1, hardLimit: 2 }] }),
    );
    expect(model.requests()).toEqual([
      {
        operation: "RegisterTaskDefinition",
        body: expect.objectContaining({ family: "web" }),
        violations: [],
      },
    ]);
    model.reset();
    expect(model.requests()).toEqual([]);
  });

  it("refuses a ulimit name outside ECS's enum with ClientException naming the member, and records it", () => {
    const model = new EcsRequestModel();
    const error = refusal(
      model,
      "RegisterTaskDefinition",
      taskDefinition({ ulimits: [{ name: "files", softLimit: 1, hardLimit: 2 }] }),
    );
    expect(error.code).toBe("ClientException");
    expect(error.message).toMatch(
      /^1 validation error detected: Value 'files' at 'containerDefinitions\.1\.member\.ulimits\.1\.member\.name' failed to satisfy constraint: Member must satisfy enum value set: \[core, cpu, .*nofile/,
    );
    expect(model.requests()[0]?.violations).toEqual([
      {
        path: "containerDefinitions.1.member.ulimits.1.member.name",
        constraint: expect.stringContaining("enum value set"),
      },
    ]);
  });

  it("names every violation at once: missing members and ranges (InvalidParameterException for services)", () => {
    const error = refusal(new EcsRequestModel(), "CreateService", {
      serviceName: "web",
      capacityProviderStrategy: [{ weight: 1001 }],
    });
    expect(error.code).toBe("InvalidParameterException");
    expect(error.message).toContain("2 validation errors detected: ");
    expect(error.message).toContain(
      "Value null at 'capacityProviderStrategy.1.member.capacityProvider' failed to satisfy constraint: Member must not be null",
    );
    expect(error.message).toContain(
      "Value 1001 at 'capacityProviderStrategy.1.member.weight' failed to satisfy constraint: Member must have value less than or equal to 1000",
    );
  });

  it("answers SerializationException for a wrong JSON type or an unknown member", () => {
    const model = new EcsRequestModel();
    const wrongType = refusal(model, "UpdateService", { service: "web", desiredCount: "2" });
    expect(wrongType.code).toBe("SerializationException");
    expect(wrongType.message).toContain("'desiredCount'");
    const unknown = refusal(model, "TagResource", {
      resourceArn: "arn",
      tags: [{ key: "a", value: "b", Key: "a" }],
    });
    expect(unknown.code).toBe("SerializationException");
    expect(unknown.message).toBe("Unknown member 'tags.1.member.Key'");
  });

  it("names map entries by key", () => {
    const model = new EcsRequestModel();
    expect(
      model.violations(
        "RegisterTaskDefinition",
        taskDefinition({ dockerLabels: { "a/b": 1 } as unknown as Record<string, string> }),
      ),
    ).toEqual([{ path: "containerDefinitions.1.member.dockerLabels.a/b", constraint: expect.any(String) }]);
  });

  it(`keeps the last ${MAX_RECORDED_REQUESTS} requests`, () => {
    const model = new EcsRequestModel();
    for (let i = 0; i <= MAX_RECORDED_REQUESTS; i += 1) model.check("ListClusters", { maxResults: i % 100 });
    const requests = model.requests();
    expect(requests).toHaveLength(MAX_RECORDED_REQUESTS);
    expect(requests[0]?.body).toEqual({ maxResults: 1 });
  });
});
