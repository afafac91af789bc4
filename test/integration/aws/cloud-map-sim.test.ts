/** The Cloud Map gateway end to end against the AWS simulator (strict mode, ManualClock). */
import { RegisterInstanceCommand, ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AwsAlreadyExistsError, AwsNotFoundError, AwsResourceInUseError } from "../../../src/aws/errors.js";
import type { CloudMapGateway } from "../../../src/aws/types.js";
import { rejectionOf, type SimBed, startSimBed, TEST_CREDENTIALS } from "./support.js";

const VPC = "vpc-0123456789abcdef0";

let bed: SimBed;
let raw: ServiceDiscoveryClient;
beforeEach(async () => {
  bed = await startSimBed({ sim: { mode: "strict", operationSeconds: 1 } });
  raw = new ServiceDiscoveryClient({
    endpoint: bed.sim.endpoint,
    region: "us-east-1",
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
    disableHostPrefix: true,
  });
});
afterEach(async () => {
  raw.destroy();
  await bed.close();
});

/** Polls the operation, moving simulated time on, until it has finished. */
async function finished(cloudMap: CloudMapGateway, operationId: string) {
  for (let i = 0; i < 10; i += 1) {
    const op = await cloudMap.getOperation(operationId);
    if (op.status === "SUCCESS" || op.status === "FAIL") return op;
    bed.clock.advanceSync(1_000);
  }
  throw new Error(`operation ${operationId} never finished`);
}

async function namespace(name: string, creatorRequestId: string): Promise<string> {
  const { cloudMap } = bed.aws;
  const op = await cloudMap.createPrivateDnsNamespace({
    name,
    vpc: VPC,
    creatorRequestId,
    tags: { owner: "me" },
  });
  const done = await finished(cloudMap, op);
  expect(done.status).toBe("SUCCESS");
  const id = done.targets.NAMESPACE;
  if (id === undefined) throw new Error("no namespace target");
  return id;
}

describe("CloudMapGateway on the simulator: namespaces", () => {
  it("creates a namespace asynchronously, reads it, and reports a clash with the existing id and creator", async () => {
    const { cloudMap } = bed.aws;
    const op = await cloudMap.createPrivateDnsNamespace({
      name: "prod.internal",
      vpc: VPC,
      creatorRequestId: "uid-1",
      description: "prod",
      tags: { "fargate-operator:uid": "uid-1" },
    });
    expect(["SUBMITTED", "PENDING"]).toContain((await cloudMap.getOperation(op)).status);
    // A retry while the first creation runs follows that creation.
    expect(
      await cloudMap.createPrivateDnsNamespace({
        name: "prod.internal",
        vpc: VPC,
        creatorRequestId: "uid-1",
        tags: {},
      }),
    ).toBe(op);
    const done = await finished(cloudMap, op);
    const id = done.targets.NAMESPACE ?? "";
    expect(done).toMatchObject({ id: op, status: "SUCCESS" });

    const ns = await cloudMap.getNamespace(id);
    expect(ns).toMatchObject({
      id,
      arn: `arn:aws:servicediscovery:us-east-1:123456789012:namespace/${id}`,
      name: "prod.internal",
      type: "DNS_PRIVATE",
      creatorRequestId: "uid-1",
      serviceCount: 0,
    });
    expect(ns.hostedZoneId).toMatch(/^Z[A-Z0-9]+$/);
    expect(await cloudMap.listTags(ns.arn)).toEqual({ "fargate-operator:uid": "uid-1" });
    await cloudMap.tagResource(ns.arn, { adopted: "yes" });
    expect(await cloudMap.listTags(ns.arn)).toEqual({ "fargate-operator:uid": "uid-1", adopted: "yes" });

    const clash = await rejectionOf(
      cloudMap.createPrivateDnsNamespace({
        name: "prod.internal",
        vpc: VPC,
        creatorRequestId: "uid-2",
        tags: {},
      }),
    );
    expect(clash).toBeInstanceOf(AwsAlreadyExistsError);
    expect(clash).toMatchObject({
      existingId: id,
      creatorRequestId: "uid-1",
      code: "NamespaceAlreadyExists",
    });

    expect(await rejectionOf(cloudMap.getNamespace("ns-aaaaaaaaaaaaaaaa"))).toBeInstanceOf(AwsNotFoundError);
    expect(await rejectionOf(cloudMap.getOperation("nope"))).toBeInstanceOf(AwsNotFoundError);
    expect(
      await rejectionOf(
        cloudMap.listTags("arn:aws:servicediscovery:us-east-1:123456789012:service/srv-aaaaaaaaaaaaaaaa"),
      ),
    ).toBeInstanceOf(AwsNotFoundError);
  });
});

describe("CloudMapGateway on the simulator: services and instances", () => {
  it("runs a service's whole life: create, clash, list, update records, in-use refusals, delete", async () => {
    const { cloudMap } = bed.aws;
    const nsId = await namespace("svc.internal", "uid-ns");
    const input = {
      Name: "db",
      NamespaceId: nsId,
      CreatorRequestId: "uid-db",
      DnsConfig: { RoutingPolicy: "MULTIVALUE" as const, DnsRecords: [{ Type: "A" as const, TTL: 10 }] },
      Tags: [{ Key: "fargate-operator:uid", Value: "uid-db" }],
    };
    const svc = await cloudMap.createService(input);
    expect(svc).toMatchObject({
      name: "db",
      namespaceId: nsId,
      dnsRecords: [{ Type: "A", TTL: 10 }],
      routingPolicy: "MULTIVALUE",
      creatorRequestId: "uid-db",
    });
    const clash = await rejectionOf(cloudMap.createService({ ...input, CreatorRequestId: "other" }));
    expect(clash).toBeInstanceOf(AwsAlreadyExistsError);
    expect(clash).toMatchObject({ existingId: svc.id, creatorRequestId: "uid-db" });
    expect(await cloudMap.getService(svc.id)).toMatchObject({ id: svc.id, name: "db", namespaceId: nsId });
    expect(await cloudMap.listTags(svc.arn)).toEqual({ "fargate-operator:uid": "uid-db" });

    const updateOp = await cloudMap.updateServiceDnsRecords(svc.id, [{ Type: "A", TTL: 60 }]);
    expect((await finished(cloudMap, updateOp)).status).toBe("SUCCESS");
    expect((await cloudMap.getService(svc.id)).dnsRecords).toEqual([{ Type: "A", TTL: 60 }]);

    for (const id of ["i-1", "i-2"])
      await raw.send(
        new RegisterInstanceCommand({
          ServiceId: svc.id,
          InstanceId: id,
          Attributes: { AWS_INSTANCE_IPV4: "10.0.0.1" },
        }),
      );
    expect((await cloudMap.listInstanceIds(svc.id)).sort()).toEqual(["i-1", "i-2"]);
    expect(await rejectionOf(cloudMap.deleteService(svc.id))).toBeInstanceOf(AwsResourceInUseError);
    expect(await rejectionOf(cloudMap.deleteNamespace(nsId))).toBeInstanceOf(AwsResourceInUseError);
    expect(bed.calls.filter((c) => c.outcome === "client_error").map((c) => c.operation)).toEqual([
      "CreateService",
      "DeleteService",
      "DeleteNamespace",
    ]);
  });

  it("reads every page of services and instances, then deletes down to nothing", async () => {
    const { cloudMap } = bed.aws;
    const nsId = await namespace("many.internal", "uid-many");
    const other = await namespace("other.internal", "uid-other");
    await cloudMap.createService({ Name: "elsewhere", NamespaceId: other });
    const created = [];
    for (let i = 0; i < 105; i += 1)
      created.push(await cloudMap.createService({ Name: `s${i}`, NamespaceId: nsId }));
    const listed = await cloudMap.listServices(nsId);
    expect(listed.map((s) => s.name).sort()).toEqual(created.map((s) => s.name).sort());
    expect(listed.every((s) => s.namespaceId === nsId)).toBe(true);
    expect(bed.calls.filter((c) => c.operation === "ListServices")).toHaveLength(2);

    const first = created[0];
    if (first === undefined) throw new Error("no service");
    for (let i = 0; i < 103; i += 1)
      await raw.send(
        new RegisterInstanceCommand({
          ServiceId: first.id,
          InstanceId: `task-${i}`,
          Attributes: { AWS_INSTANCE_IPV4: "10.0.0.2" },
        }),
      );
    expect(await cloudMap.listInstanceIds(first.id)).toHaveLength(103);
    expect(bed.calls.filter((c) => c.operation === "ListInstances")).toHaveLength(2);

    for (const s of created.slice(1)) await cloudMap.deleteService(s.id);
    expect(await rejectionOf(cloudMap.getService(created[1]?.id ?? ""))).toBeInstanceOf(AwsNotFoundError);
    expect(await rejectionOf(cloudMap.deleteService(created[1]?.id ?? ""))).toBeInstanceOf(AwsNotFoundError);
  });

  it("deletes an empty namespace through an operation", async () => {
    const { cloudMap } = bed.aws;
    const nsId = await namespace("gone.internal", "uid-gone");
    const op = await cloudMap.deleteNamespace(nsId);
    expect(await finished(cloudMap, op)).toMatchObject({ status: "SUCCESS", targets: { NAMESPACE: nsId } });
    expect(await rejectionOf(cloudMap.getNamespace(nsId))).toBeInstanceOf(AwsNotFoundError);
  });
});
