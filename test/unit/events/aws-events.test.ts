import { describe, expect, it } from "vitest";
import { AwsThrottledError } from "../../../src/aws/errors.js";
import type { AwsGateways } from "../../../src/aws/types.js";
import { eventingGateways } from "../../../src/events/aws-events.js";
import type { EventSink } from "../../../src/events/recorder.js";
import { withEventScope } from "../../../src/events/scope.js";

function sinkOf(seen: string[]): EventSink {
  return {
    record: (involved, type, reason, message) =>
      seen.push(`${involved.kind}/${involved.name} ${type} ${reason}: ${message}`),
  };
}

const ecs = {
  registerTaskDefinition: async () => ({
    arn: "arn:td/web:7",
    family: "web",
    revision: 7,
    status: "ACTIVE",
    tags: {},
  }),
  describeService: async () => undefined,
  updateService: async () => {
    throw new AwsThrottledError("Rate exceeded", {
      service: "ecs",
      operation: "UpdateService",
      code: "ThrottlingException",
    });
  },
} as unknown as AwsGateways["ecs"];

describe("eventingGateways", () => {
  const involved = { kind: "FargateService", namespace: "team-a", name: "web" } as const;

  it("records a Normal event for a write inside a pass and passes the result through", async () => {
    const seen: string[] = [];
    const { ecs: wrapped } = eventingGateways({ ecs });
    const revision = await withEventScope({ sink: sinkOf(seen), involved }, () =>
      wrapped.registerTaskDefinition({ family: "web", containerDefinitions: [] }),
    );
    expect(revision.revision).toBe(7);
    await withEventScope({ sink: sinkOf(seen), involved }, () => wrapped.describeService("c", "web"));
    expect(seen).toEqual([
      "FargateService/web Normal TaskDefinitionRegistered: registered task definition web:7",
    ]);
  });

  it("records throttling as a Warning and rethrows the same error", async () => {
    const seen: string[] = [];
    const { ecs: wrapped } = eventingGateways({ ecs });
    const error = await withEventScope({ sink: sinkOf(seen), involved }, () =>
      wrapped.updateService({ cluster: "c", service: "web" }).catch((e: unknown) => e),
    );
    expect(error).toBeInstanceOf(AwsThrottledError);
    expect(seen).toEqual([
      "FargateService/web Warning AwsThrottled: AWS throttled ecs:UpdateService: Rate exceeded",
    ]);
  });

  it("records nothing outside a pass", async () => {
    const { ecs: wrapped } = eventingGateways({ ecs });
    await expect(
      wrapped.registerTaskDefinition({ family: "web", containerDefinitions: [] }),
    ).resolves.toMatchObject({
      revision: 7,
    });
  });
});
