import {
  CreatePrivateDnsNamespaceCommand,
  CreateServiceCommand,
  DeleteNamespaceCommand,
  DeleteServiceCommand,
  GetNamespaceCommand,
  GetOperationCommand,
  GetServiceCommand,
  ListInstancesCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-servicediscovery";
import { afterEach, describe, expect, it } from "vitest";
import {
  AwsAlreadyExistsError,
  AwsInvalidRequestError,
  AwsNotFoundError,
  AwsResourceInUseError,
} from "../../../src/aws/errors.js";
import { cloudMapError, type MockedGateways, mockedGateways, rejectionOf } from "./support.js";

const SVC_ARN = "arn:aws:servicediscovery:us-east-1:123456789012:service";
const NS_ARN = "arn:aws:servicediscovery:us-east-1:123456789012:namespace";
const summary = (id: string, name: string) => ({
  Id: id,
  Arn: `${SVC_ARN}/${id}`,
  Name: name,
  InstanceCount: 2,
  DnsConfig: { RoutingPolicy: "MULTIVALUE" as const, DnsRecords: [{ Type: "A" as const, TTL: 10 }] },
});

describe("CloudMapGateway", () => {
  let m: MockedGateways;
  afterEach(() => m.close());

  it("createPrivateDnsNamespace sends name, VPC, CreatorRequestId and tags, and returns the operation id", async () => {
    m = mockedGateways();
    m.cloudMap.on(CreatePrivateDnsNamespaceCommand).resolves({ OperationId: "op-1" });
    const id = await m.aws.cloudMap.createPrivateDnsNamespace({
      name: "prod.internal",
      vpc: "vpc-1",
      creatorRequestId: "uid-1",
      description: "d",
      tags: { "fargate-operator:uid": "uid-1" },
    });
    expect(id).toBe("op-1");
    expect(m.cloudMap.commandCalls(CreatePrivateDnsNamespaceCommand)[0]?.args[0].input).toEqual({
      Name: "prod.internal",
      Vpc: "vpc-1",
      CreatorRequestId: "uid-1",
      Description: "d",
      Tags: [{ Key: "fargate-operator:uid", Value: "uid-1" }],
    });
    expect(m.calls).toEqual([
      { service: "servicediscovery", operation: "CreatePrivateDnsNamespace", outcome: "success" },
    ]);
  });

  it("createPrivateDnsNamespace: NamespaceAlreadyExists names the existing id and creator", async () => {
    m = mockedGateways();
    m.cloudMap
      .on(CreatePrivateDnsNamespaceCommand)
      .rejects(
        cloudMapError("NamespaceAlreadyExists", "exists", { NamespaceId: "ns-9", CreatorRequestId: "other" }),
      );
    const error = await rejectionOf(
      m.aws.cloudMap.createPrivateDnsNamespace({ name: "a", vpc: "v", creatorRequestId: "mine", tags: {} }),
    );
    expect(error).toBeInstanceOf(AwsAlreadyExistsError);
    expect(error).toMatchObject({
      existingId: "ns-9",
      creatorRequestId: "other",
      code: "NamespaceAlreadyExists",
    });
  });

  it("createPrivateDnsNamespace follows the creation already in progress (DuplicateRequest)", async () => {
    m = mockedGateways();
    m.cloudMap
      .on(CreatePrivateDnsNamespaceCommand)
      .rejectsOnce(cloudMapError("DuplicateRequest", "in progress", { DuplicateOperationId: "op-first" }))
      .rejectsOnce(cloudMapError("DuplicateRequest", "in progress"));
    const input = { name: "a", vpc: "v", creatorRequestId: "mine", tags: {} };
    expect(await m.aws.cloudMap.createPrivateDnsNamespace(input)).toBe("op-first");
    expect(await rejectionOf(m.aws.cloudMap.createPrivateDnsNamespace(input))).toBeInstanceOf(
      AwsInvalidRequestError,
    );
  });

  it("getOperation maps status, targets and error details; OperationNotFound is not found", async () => {
    m = mockedGateways();
    m.cloudMap
      .on(GetOperationCommand)
      .resolvesOnce({
        Operation: {
          Id: "op-1",
          Status: "FAIL",
          Targets: { NAMESPACE: "ns-1" },
          ErrorCode: "CANNOT_CREATE_HOSTED_ZONE",
          ErrorMessage: "no",
        },
      })
      .resolvesOnce({ Operation: { Id: "op-2", Status: "SUCCESS", Targets: { SERVICE: "srv-1" } } })
      .rejectsOnce(cloudMapError("OperationNotFound", "nope"));
    expect(await m.aws.cloudMap.getOperation("op-1")).toEqual({
      id: "op-1",
      status: "FAIL",
      targets: { NAMESPACE: "ns-1" },
      errorCode: "CANNOT_CREATE_HOSTED_ZONE",
      errorMessage: "no",
    });
    expect(await m.aws.cloudMap.getOperation("op-2")).toEqual({
      id: "op-2",
      status: "SUCCESS",
      targets: { SERVICE: "srv-1" },
    });
    expect(await rejectionOf(m.aws.cloudMap.getOperation("op-3"))).toBeInstanceOf(AwsNotFoundError);
  });

  it("getNamespace maps the hosted zone id, counts and creator", async () => {
    m = mockedGateways();
    m.cloudMap
      .on(GetNamespaceCommand)
      .resolvesOnce({
        Namespace: {
          Id: "ns-1",
          Arn: `${NS_ARN}/ns-1`,
          Name: "prod.internal",
          Type: "DNS_PRIVATE",
          ServiceCount: 3,
          CreatorRequestId: "uid-1",
          Properties: { DnsProperties: { HostedZoneId: "Z123" } },
        },
      })
      .rejectsOnce(cloudMapError("NamespaceNotFound", "nope"));
    expect(await m.aws.cloudMap.getNamespace("ns-1")).toEqual({
      id: "ns-1",
      arn: `${NS_ARN}/ns-1`,
      name: "prod.internal",
      type: "DNS_PRIVATE",
      hostedZoneId: "Z123",
      serviceCount: 3,
      creatorRequestId: "uid-1",
    });
    expect(await rejectionOf(m.aws.cloudMap.getNamespace("ns-2"))).toBeInstanceOf(AwsNotFoundError);
  });

  it("deleteNamespace returns the operation id; ResourceInUse while services remain", async () => {
    m = mockedGateways();
    m.cloudMap
      .on(DeleteNamespaceCommand)
      .resolvesOnce({ OperationId: "op-del" })
      .rejectsOnce(cloudMapError("ResourceInUse", "has services"));
    expect(await m.aws.cloudMap.deleteNamespace("ns-1")).toBe("op-del");
    expect(await rejectionOf(m.aws.cloudMap.deleteNamespace("ns-1"))).toBeInstanceOf(AwsResourceInUseError);
  });

  it("listServices filters by namespace and reads every page, 100 at a time", async () => {
    m = mockedGateways();
    m.cloudMap
      .on(ListServicesCommand)
      .resolvesOnce({ Services: [summary("srv-1", "a")], NextToken: "t2" })
      .resolvesOnce({ Services: [summary("srv-2", "b")] });
    const services = await m.aws.cloudMap.listServices("ns-1");
    expect(services).toEqual([
      {
        id: "srv-1",
        arn: `${SVC_ARN}/srv-1`,
        name: "a",
        namespaceId: "ns-1",
        dnsRecords: [{ Type: "A", TTL: 10 }],
        routingPolicy: "MULTIVALUE",
        instanceCount: 2,
      },
      expect.objectContaining({ id: "srv-2", name: "b", namespaceId: "ns-1" }),
    ]);
    const filter = [{ Name: "NAMESPACE_ID", Values: ["ns-1"], Condition: "EQ" }];
    expect(m.cloudMap.commandCalls(ListServicesCommand).map((c) => c.args[0].input)).toEqual([
      { Filters: filter, MaxResults: 100 },
      { Filters: filter, MaxResults: 100, NextToken: "t2" },
    ]);
  });

  it("createService and getService map the service; ServiceAlreadyExists names the existing one", async () => {
    m = mockedGateways();
    const service = { ...summary("srv-1", "db"), NamespaceId: "ns-1", CreatorRequestId: "uid-1" };
    m.cloudMap
      .on(CreateServiceCommand)
      .resolvesOnce({ Service: service })
      .rejectsOnce(
        cloudMapError("ServiceAlreadyExists", "exists", { ServiceId: "srv-1", CreatorRequestId: "uid-1" }),
      );
    m.cloudMap
      .on(GetServiceCommand)
      .resolvesOnce({ Service: service })
      .rejectsOnce(cloudMapError("ServiceNotFound", "x"));
    const input = { Name: "db", NamespaceId: "ns-1", CreatorRequestId: "uid-1" };
    const expected = {
      id: "srv-1",
      arn: `${SVC_ARN}/srv-1`,
      name: "db",
      namespaceId: "ns-1",
      dnsRecords: [{ Type: "A", TTL: 10 }],
      routingPolicy: "MULTIVALUE",
      instanceCount: 2,
      creatorRequestId: "uid-1",
    };
    expect(await m.aws.cloudMap.createService(input)).toEqual(expected);
    expect(await rejectionOf(m.aws.cloudMap.createService(input))).toMatchObject({
      existingId: "srv-1",
      creatorRequestId: "uid-1",
    });
    expect(await m.aws.cloudMap.getService("srv-1")).toEqual(expected);
    expect(await rejectionOf(m.aws.cloudMap.getService("srv-2"))).toBeInstanceOf(AwsNotFoundError);
  });

  it("updateServiceDnsRecords replaces the records and returns the operation id", async () => {
    m = mockedGateways();
    m.cloudMap.on(UpdateServiceCommand).resolves({ OperationId: "op-up" });
    expect(await m.aws.cloudMap.updateServiceDnsRecords("srv-1", [{ Type: "A", TTL: 30 }])).toBe("op-up");
    expect(m.cloudMap.commandCalls(UpdateServiceCommand)[0]?.args[0].input).toEqual({
      Id: "srv-1",
      Service: { DnsConfig: { DnsRecords: [{ Type: "A", TTL: 30 }] } },
    });
  });

  it("deleteService maps ResourceInUse and ServiceNotFound", async () => {
    m = mockedGateways();
    m.cloudMap
      .on(DeleteServiceCommand)
      .resolvesOnce({})
      .rejectsOnce(cloudMapError("ResourceInUse", "instances"))
      .rejectsOnce(cloudMapError("ServiceNotFound", "gone"));
    await m.aws.cloudMap.deleteService("srv-1");
    expect(await rejectionOf(m.aws.cloudMap.deleteService("srv-1"))).toBeInstanceOf(AwsResourceInUseError);
    expect(await rejectionOf(m.aws.cloudMap.deleteService("srv-1"))).toBeInstanceOf(AwsNotFoundError);
  });

  it("listInstanceIds reads every page", async () => {
    m = mockedGateways();
    m.cloudMap
      .on(ListInstancesCommand)
      .resolvesOnce({ Instances: [{ Id: "i-1" }, { Id: "i-2" }], NextToken: "n" })
      .resolvesOnce({ Instances: [{ Id: "i-3" }], NextToken: "" });
    expect(await m.aws.cloudMap.listInstanceIds("srv-1")).toEqual(["i-1", "i-2", "i-3"]);
    expect(m.cloudMap.commandCalls(ListInstancesCommand).map((c) => c.args[0].input)).toEqual([
      { ServiceId: "srv-1" },
      { ServiceId: "srv-1", NextToken: "n" },
    ]);
  });

  it("listTags and tagResource convert between maps and Key/Value lists", async () => {
    m = mockedGateways();
    m.cloudMap.on(ListTagsForResourceCommand).resolves({
      Tags: [
        { Key: "a", Value: "1" },
        { Key: "b", Value: "2" },
      ],
    });
    m.cloudMap.on(TagResourceCommand).resolves({});
    expect(await m.aws.cloudMap.listTags(`${NS_ARN}/ns-1`)).toEqual({ a: "1", b: "2" });
    await m.aws.cloudMap.tagResource(`${NS_ARN}/ns-1`, { c: "3" });
    expect(m.cloudMap.commandCalls(TagResourceCommand)[0]?.args[0].input).toEqual({
      ResourceARN: `${NS_ARN}/ns-1`,
      Tags: [{ Key: "c", Value: "3" }],
    });
  });

  it("is never paced by the ECS buckets", async () => {
    m = mockedGateways({ ecsBuckets: { tagging: { burst: 1, refillPerSecond: 1 } } });
    m.cloudMap.on(TagResourceCommand).resolves({});
    await Promise.all(Array.from({ length: 5 }, () => m.aws.cloudMap.tagResource("arn", { a: "b" })));
    expect(m.cloudMap.commandCalls(TagResourceCommand)).toHaveLength(5);
  });
});
