import {
  DeregisterInstanceCommand,
  DiscoverInstancesRevisionCommand,
  GetInstancesHealthStatusCommand,
  GetServiceCommand,
  ListInstancesCommand,
  RegisterInstanceCommand,
  UntagResourceCommand,
  UpdateInstanceCustomHealthStatusCommand,
} from "@aws-sdk/client-servicediscovery";
import { afterEach, describe, expect, it } from "vitest";
import { AwsInvalidRequestError, AwsNotFoundError, AwsUnavailableError } from "../../../src/aws/errors.js";
import { cloudMapError, type MockedGateways, mockedGateways, rejectionOf } from "./support.js";

describe("CloudMapGateway: instances, health and discovery", () => {
  let m: MockedGateways;
  afterEach(() => m.close());

  it("registerInstance sends the attributes and returns the operation id", async () => {
    m = mockedGateways();
    m.cloudMap.on(RegisterInstanceCommand).resolvesOnce({ OperationId: "op-1" }).resolvesOnce({});
    const attributes = { AWS_INSTANCE_IPV4: "10.0.0.1", AWS_INSTANCE_PORT: "8200" };
    expect(await m.aws.cloudMap.registerInstance("srv-1", "c-1", attributes)).toBe("op-1");
    expect(m.cloudMap.commandCalls(RegisterInstanceCommand)[0]?.args[0].input).toEqual({
      ServiceId: "srv-1",
      InstanceId: "c-1",
      Attributes: attributes,
    });
    expect(await rejectionOf(m.aws.cloudMap.registerInstance("srv-1", "c-1", attributes))).toBeInstanceOf(
      AwsUnavailableError,
    );
  });

  it("deregisterInstance: an instance already gone is fine, a missing service is not", async () => {
    m = mockedGateways();
    m.cloudMap
      .on(DeregisterInstanceCommand)
      .resolvesOnce({ OperationId: "op-1" })
      .rejectsOnce(cloudMapError("InstanceNotFound", "gone"))
      .rejectsOnce(cloudMapError("ServiceNotFound", "no service"));
    await m.aws.cloudMap.deregisterInstance("srv-1", "c-1");
    await m.aws.cloudMap.deregisterInstance("srv-1", "c-1");
    expect(await rejectionOf(m.aws.cloudMap.deregisterInstance("srv-1", "c-1"))).toBeInstanceOf(
      AwsNotFoundError,
    );
    expect(m.cloudMap.commandCalls(DeregisterInstanceCommand)[0]?.args[0].input).toEqual({
      ServiceId: "srv-1",
      InstanceId: "c-1",
    });
  });

  it("listInstances reads every page with the attributes", async () => {
    m = mockedGateways();
    m.cloudMap
      .on(ListInstancesCommand)
      .resolvesOnce({
        Instances: [{ Id: "i-1", Attributes: { AWS_INSTANCE_IPV4: "10.0.0.1" } }],
        NextToken: "t",
      })
      .resolvesOnce({ Instances: [{ Id: "i-2" }, { Attributes: { no: "id" } }] });
    expect(await m.aws.cloudMap.listInstances("srv-1")).toEqual([
      { id: "i-1", attributes: { AWS_INSTANCE_IPV4: "10.0.0.1" } },
      { id: "i-2", attributes: {} },
    ]);
    expect(m.cloudMap.commandCalls(ListInstancesCommand).map((c) => c.args[0].input)).toEqual([
      { ServiceId: "srv-1" },
      { ServiceId: "srv-1", NextToken: "t" },
    ]);
  });

  it("getInstancesHealthStatus merges every page; an unknown status is a malformed answer", async () => {
    m = mockedGateways();
    m.cloudMap
      .on(GetInstancesHealthStatusCommand)
      .resolvesOnce({ Status: { "i-1": "HEALTHY" }, NextToken: "t" })
      .resolvesOnce({ Status: { "i-2": "UNHEALTHY", "i-3": "UNKNOWN" } })
      .resolvesOnce({ Status: { "i-1": "SICK" as "HEALTHY" } });
    expect(await m.aws.cloudMap.getInstancesHealthStatus("srv-1")).toEqual({
      "i-1": "HEALTHY",
      "i-2": "UNHEALTHY",
      "i-3": "UNKNOWN",
    });
    expect(m.cloudMap.commandCalls(GetInstancesHealthStatusCommand)[1]?.args[0].input).toEqual({
      ServiceId: "srv-1",
      NextToken: "t",
    });
    expect(await rejectionOf(m.aws.cloudMap.getInstancesHealthStatus("srv-1"))).toMatchObject({
      code: "MalformedResponse",
    });
  });

  it("updateInstanceCustomHealthStatus sends the status; CustomHealthNotFound is an invalid request", async () => {
    m = mockedGateways();
    m.cloudMap
      .on(UpdateInstanceCustomHealthStatusCommand)
      .resolvesOnce({})
      .rejectsOnce(cloudMapError("CustomHealthNotFound", "no custom health"));
    await m.aws.cloudMap.updateInstanceCustomHealthStatus("srv-1", "i-1", "UNHEALTHY");
    expect(m.cloudMap.commandCalls(UpdateInstanceCustomHealthStatusCommand)[0]?.args[0].input).toEqual({
      ServiceId: "srv-1",
      InstanceId: "i-1",
      Status: "UNHEALTHY",
    });
    expect(
      await rejectionOf(m.aws.cloudMap.updateInstanceCustomHealthStatus("srv-1", "i-1", "HEALTHY")),
    ).toBeInstanceOf(AwsInvalidRequestError);
  });

  it("discoverInstancesRevision returns the revision; a missing one is malformed, an unknown service not found", async () => {
    m = mockedGateways();
    m.cloudMap
      .on(DiscoverInstancesRevisionCommand)
      .resolvesOnce({ InstancesRevision: 7 })
      .resolvesOnce({})
      .rejectsOnce(cloudMapError("ServiceNotFound", "nope"));
    expect(await m.aws.cloudMap.discoverInstancesRevision("prod.internal", "vault")).toBe(7);
    expect(m.cloudMap.commandCalls(DiscoverInstancesRevisionCommand)[0]?.args[0].input).toEqual({
      NamespaceName: "prod.internal",
      ServiceName: "vault",
    });
    expect(
      await rejectionOf(m.aws.cloudMap.discoverInstancesRevision("prod.internal", "vault")),
    ).toMatchObject({
      code: "MalformedResponse",
    });
    expect(await rejectionOf(m.aws.cloudMap.discoverInstancesRevision("prod.internal", "x"))).toBeInstanceOf(
      AwsNotFoundError,
    );
  });

  it("untagResource sends the keys", async () => {
    m = mockedGateways();
    m.cloudMap.on(UntagResourceCommand).resolves({});
    await m.aws.cloudMap.untagResource("arn:svc", ["a", "b"]);
    expect(m.cloudMap.commandCalls(UntagResourceCommand)[0]?.args[0].input).toEqual({
      ResourceARN: "arn:svc",
      TagKeys: ["a", "b"],
    });
  });

  it("getService says which health check the service has", async () => {
    m = mockedGateways();
    const base = { Id: "srv-1", Arn: "arn:svc", Name: "a", NamespaceId: "ns-1" };
    m.cloudMap
      .on(GetServiceCommand)
      .resolvesOnce({ Service: { ...base, HealthCheckCustomConfig: {} } })
      .resolvesOnce({ Service: { ...base, HealthCheckConfig: { Type: "HTTP" } } })
      .resolvesOnce({ Service: base });
    expect((await m.aws.cloudMap.getService("srv-1")).healthCheck).toBe("custom");
    expect((await m.aws.cloudMap.getService("srv-1")).healthCheck).toBe("route53");
    expect(await m.aws.cloudMap.getService("srv-1")).not.toHaveProperty("healthCheck");
  });
});
