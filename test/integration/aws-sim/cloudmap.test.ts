import {
  CreatePrivateDnsNamespaceCommand,
  CreateServiceCommand,
  DeleteNamespaceCommand,
  DeleteServiceCommand,
  DeregisterInstanceCommand,
  DiscoverInstancesCommand,
  DiscoverInstancesRevisionCommand,
  GetInstancesHealthStatusCommand,
  GetNamespaceCommand,
  GetOperationCommand,
  GetServiceCommand,
  ListInstancesCommand,
  ListNamespacesCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  RegisterInstanceCommand,
  TagResourceCommand,
  UpdateInstanceCustomHealthStatusCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-servicediscovery";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rejectionOf, type SimHarness, startHarness } from "./support.js";

let h: SimHarness;
beforeEach(async () => {
  h = await startHarness({ operationSeconds: 2 });
});
afterEach(async () => {
  await h.close();
});

async function namespace(name = "corp.internal"): Promise<string> {
  const op = await h.cloudMap.send(
    new CreatePrivateDnsNamespaceCommand({ Name: name, Vpc: "vpc-0123456789abcdef0" }),
  );
  h.clock.advanceSync(2_000);
  const done = await h.cloudMap.send(new GetOperationCommand({ OperationId: op.OperationId }));
  return done.Operation?.Targets?.NAMESPACE ?? "";
}

async function service(namespaceId: string, name = "db", custom = false): Promise<string> {
  const out = await h.cloudMap.send(
    new CreateServiceCommand({
      Name: name,
      NamespaceId: namespaceId,
      DnsConfig: { DnsRecords: [{ Type: "A", TTL: 10 }] },
      ...(custom ? { HealthCheckCustomConfig: { FailureThreshold: 1 } } : {}),
    }),
  );
  return out.Service?.Id ?? "";
}

const revision = async () =>
  (
    await h.cloudMap.send(
      new DiscoverInstancesRevisionCommand({ NamespaceName: "corp.internal", ServiceName: "db" }),
    )
  ).InstancesRevision;

describe("Cloud Map namespaces", () => {
  it("creates a namespace through a pending operation that then succeeds", async () => {
    const op = await h.cloudMap.send(
      new CreatePrivateDnsNamespaceCommand({
        Name: "corp.internal",
        Vpc: "vpc-0123456789abcdef0",
        CreatorRequestId: "req-1",
      }),
    );
    const submitted = await h.cloudMap.send(new GetOperationCommand({ OperationId: op.OperationId }));
    expect(submitted.Operation).toMatchObject({ Type: "CREATE_NAMESPACE", Status: "SUBMITTED" });
    const id = submitted.Operation?.Targets?.NAMESPACE ?? "";
    expect(id).toMatch(/^ns-[a-z0-9]{16}$/);
    expect((await rejectionOf(h.cloudMap.send(new GetNamespaceCommand({ Id: id })))).name).toBe(
      "NamespaceNotFound",
    );
    h.clock.advanceSync(1_000);
    expect(
      (await h.cloudMap.send(new GetOperationCommand({ OperationId: op.OperationId }))).Operation?.Status,
    ).toBe("PENDING");
    h.clock.advanceSync(1_000);
    const done = await h.cloudMap.send(new GetOperationCommand({ OperationId: op.OperationId }));
    expect(done.Operation?.Status).toBe("SUCCESS");
    expect(done.Operation?.UpdateDate).toEqual(new Date(h.clock.now()));
    const ns = await h.cloudMap.send(new GetNamespaceCommand({ Id: id }));
    expect(ns.Namespace).toMatchObject({
      Id: id,
      Arn: `arn:aws:servicediscovery:us-east-1:123456789012:namespace/${id}`,
      Name: "corp.internal",
      Type: "DNS_PRIVATE",
      ServiceCount: 0,
      CreatorRequestId: "req-1",
    });
    expect(ns.Namespace?.Properties?.DnsProperties?.HostedZoneId).toMatch(/^Z[A-Z0-9]+$/);
    const dup = await rejectionOf(
      h.cloudMap.send(
        new CreatePrivateDnsNamespaceCommand({ Name: "corp.internal", Vpc: "vpc-0123456789abcdef0" }),
      ),
    );
    expect(dup.name).toBe("NamespaceAlreadyExists");
    expect(dup).toMatchObject({ NamespaceId: id, CreatorRequestId: "req-1" });
    const listed = await h.cloudMap.send(
      new ListNamespacesCommand({ Filters: [{ Name: "TYPE", Values: ["DNS_PRIVATE"], Condition: "EQ" }] }),
    );
    expect(listed.Namespaces?.map((n) => n.Id)).toEqual([id]);
    expect((await rejectionOf(h.cloudMap.send(new GetOperationCommand({ OperationId: "nope" })))).name).toBe(
      "OperationNotFound",
    );
  });

  it("refuses to delete a namespace with services (ResourceInUse), then deletes it asynchronously", async () => {
    const ns = await namespace();
    const svc = await service(ns);
    expect((await rejectionOf(h.cloudMap.send(new DeleteNamespaceCommand({ Id: ns })))).name).toBe(
      "ResourceInUse",
    );
    await h.cloudMap.send(new DeleteServiceCommand({ Id: svc }));
    const op = await h.cloudMap.send(new DeleteNamespaceCommand({ Id: ns }));
    expect((await h.cloudMap.send(new GetNamespaceCommand({ Id: ns }))).Namespace?.Id).toBe(ns);
    h.clock.advanceSync(2_000);
    expect(
      (await h.cloudMap.send(new GetOperationCommand({ OperationId: op.OperationId }))).Operation,
    ).toMatchObject({
      Type: "DELETE_NAMESPACE",
      Status: "SUCCESS",
    });
    expect((await rejectionOf(h.cloudMap.send(new GetNamespaceCommand({ Id: ns })))).name).toBe(
      "NamespaceNotFound",
    );
  });
});

describe("Cloud Map services and instances", () => {
  it("answers ServiceAlreadyExists with the existing service's id and creator request id", async () => {
    const ns = await namespace();
    const first = await h.cloudMap.send(
      new CreateServiceCommand({ Name: "db", NamespaceId: ns, CreatorRequestId: "c-1" }),
    );
    const dup = await rejectionOf(h.cloudMap.send(new CreateServiceCommand({ Name: "db", NamespaceId: ns })));
    expect(dup.name).toBe("ServiceAlreadyExists");
    expect(dup).toMatchObject({ ServiceId: first.Service?.Id, CreatorRequestId: "c-1" });
    const missing = await rejectionOf(
      h.cloudMap.send(new CreateServiceCommand({ Name: "x", NamespaceId: "ns-none" })),
    );
    expect(missing.name).toBe("NamespaceNotFound");
    const listed = await h.cloudMap.send(
      new ListServicesCommand({ Filters: [{ Name: "NAMESPACE_ID", Values: [ns] }] }),
    );
    expect(listed.Services?.map((s) => s.Name)).toEqual(["db"]);
  });

  it("treats RegisterInstance as an upsert and refuses to delete a service with instances", async () => {
    const ns = await namespace();
    const svc = await service(ns);
    await h.cloudMap.send(
      new RegisterInstanceCommand({
        ServiceId: svc,
        InstanceId: "i-1",
        Attributes: { AWS_INSTANCE_IPV4: "10.0.0.1" },
      }),
    );
    await h.cloudMap.send(
      new RegisterInstanceCommand({
        ServiceId: svc,
        InstanceId: "i-1",
        Attributes: { AWS_INSTANCE_IPV4: "10.0.0.2" },
      }),
    );
    const listed = await h.cloudMap.send(new ListInstancesCommand({ ServiceId: svc }));
    expect(listed.Instances).toEqual([
      { Id: "i-1", Attributes: { AWS_INSTANCE_IPV4: "10.0.0.2" }, CreatedByAccount: "123456789012" },
    ]);
    expect((await h.cloudMap.send(new GetServiceCommand({ Id: svc }))).Service?.InstanceCount).toBe(1);
    expect((await rejectionOf(h.cloudMap.send(new DeleteServiceCommand({ Id: svc })))).name).toBe(
      "ResourceInUse",
    );
    const noIp = await rejectionOf(
      h.cloudMap.send(
        new RegisterInstanceCommand({ ServiceId: svc, InstanceId: "i-2", Attributes: { X: "1" } }),
      ),
    );
    expect(noIp.name).toBe("InvalidInput");
    // Attribute values Cloud Map refuses: longer than 1,024 characters, or not printable ASCII.
    for (const bad of ["x".repeat(1_025), "nöde"]) {
      const refused = await rejectionOf(
        h.cloudMap.send(
          new RegisterInstanceCommand({
            ServiceId: svc,
            InstanceId: "i-3",
            Attributes: { AWS_INSTANCE_IPV4: "10.0.0.3", "consul-node": bad },
          }),
        ),
      );
      expect(refused.name).toBe("InvalidInput");
    }
    await h.cloudMap.send(new DeregisterInstanceCommand({ ServiceId: svc, InstanceId: "i-1" }));
    const again = await rejectionOf(
      h.cloudMap.send(new DeregisterInstanceCommand({ ServiceId: svc, InstanceId: "i-1" })),
    );
    expect(again.name).toBe("InstanceNotFound");
    await h.cloudMap.send(new DeleteServiceCommand({ Id: svc }));
    expect((await rejectionOf(h.cloudMap.send(new GetServiceCommand({ Id: svc })))).name).toBe(
      "ServiceNotFound",
    );
  });

  it("changes DiscoverInstancesRevision only when the instances change", async () => {
    const ns = await namespace();
    const svc = await service(ns);
    const register = (ip: string) =>
      h.cloudMap.send(
        new RegisterInstanceCommand({
          ServiceId: svc,
          InstanceId: "i-1",
          Attributes: { AWS_INSTANCE_IPV4: ip },
        }),
      );
    const r0 = await revision();
    expect(await revision()).toBe(r0);
    await register("10.0.0.1");
    const r1 = await revision();
    expect(r1).not.toBe(r0);
    await register("10.0.0.1");
    await h.cloudMap.send(new UpdateServiceCommand({ Id: svc, Service: { Description: "db" } }));
    expect(await revision()).toBe(r1);
    await register("10.0.0.9");
    const r2 = await revision();
    expect(r2).not.toBe(r1);
    const discovered = await h.cloudMap.send(
      new DiscoverInstancesCommand({ NamespaceName: "corp.internal", ServiceName: "db" }),
    );
    expect(discovered.InstancesRevision).toBe(r2);
    expect(discovered.Instances).toEqual([
      {
        InstanceId: "i-1",
        NamespaceName: "corp.internal",
        ServiceName: "db",
        HealthStatus: "UNKNOWN",
        Attributes: { AWS_INSTANCE_IPV4: "10.0.0.9" },
      },
    ]);
    const missing = await rejectionOf(
      h.cloudMap.send(new DiscoverInstancesCommand({ NamespaceName: "corp.internal", ServiceName: "nope" })),
    );
    expect(missing.name).toBe("ServiceNotFound");
  });

  it("tracks custom health: filters discovery, leaves the revision alone, refuses services without it", async () => {
    const ns = await namespace();
    const svc = await service(ns, "db", true);
    for (const [id, ip] of [
      ["a", "10.0.0.1"],
      ["b", "10.0.0.2"],
    ] as const) {
      await h.cloudMap.send(
        new RegisterInstanceCommand({
          ServiceId: svc,
          InstanceId: id,
          Attributes: { AWS_INSTANCE_IPV4: ip },
        }),
      );
    }
    const before = await revision();
    await h.cloudMap.send(
      new UpdateInstanceCustomHealthStatusCommand({ ServiceId: svc, InstanceId: "b", Status: "UNHEALTHY" }),
    );
    expect(await revision()).toBe(before);
    const status = await h.cloudMap.send(new GetInstancesHealthStatusCommand({ ServiceId: svc }));
    expect(status.Status).toEqual({ a: "HEALTHY", b: "UNHEALTHY" });
    const healthy = await h.cloudMap.send(
      new DiscoverInstancesCommand({
        NamespaceName: "corp.internal",
        ServiceName: "db",
        HealthStatus: "HEALTHY",
      }),
    );
    expect(healthy.Instances?.map((i) => i.InstanceId)).toEqual(["a"]);
    const plain = await service(ns, "cache");
    await h.cloudMap.send(
      new RegisterInstanceCommand({
        ServiceId: plain,
        InstanceId: "c",
        Attributes: { AWS_INSTANCE_IPV4: "10.0.0.3" },
      }),
    );
    const noCustom = await rejectionOf(
      h.cloudMap.send(
        new UpdateInstanceCustomHealthStatusCommand({ ServiceId: plain, InstanceId: "c", Status: "HEALTHY" }),
      ),
    );
    expect(noCustom.name).toBe("CustomHealthNotFound");
  });

  it("tags namespaces and services by ARN", async () => {
    const ns = await namespace();
    const arn = (await h.cloudMap.send(new GetNamespaceCommand({ Id: ns }))).Namespace?.Arn ?? "";
    await h.cloudMap.send(
      new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: "fargate-operator:uid", Value: "u1" }] }),
    );
    expect((await h.cloudMap.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags).toEqual([
      { Key: "fargate-operator:uid", Value: "u1" },
    ]);
    const missing = await rejectionOf(
      h.cloudMap.send(
        new ListTagsForResourceCommand({
          ResourceARN: "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-none",
        }),
      ),
    );
    expect(missing.name).toBe("ResourceNotFoundException");
  });
});
