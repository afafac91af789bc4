import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import { fargateTaskDefinition, network, rejectionOf, type SimHarness, startHarness } from "./support.js";

let h: SimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function harness(mode: "lenient" | "strict" = "lenient"): Promise<SimHarness> {
  h = await startHarness({ mode });
  return h;
}

async function createService(s: SimHarness, name: string, clientToken?: string) {
  return await s.ecs.send(
    new CreateServiceCommand({
      cluster: "apps",
      serviceName: name,
      taskDefinition: "web",
      desiredCount: 1,
      networkConfiguration: network,
      ...(clientToken === undefined ? {} : { clientToken }),
    }),
  );
}

describe("ECS service API", () => {
  it("answers CreateService for an active name idempotently only with the same clientToken", async () => {
    const s = await harness();
    await s.ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition("web", "web:1")));
    const first = await createService(s, "web", "token-1");
    const again = await createService(s, "web", "token-1");
    expect(again.service?.serviceArn).toBe(first.service?.serviceArn);
    expect(again.service?.deployments?.[0]?.id).toBe(first.service?.deployments?.[0]?.id);
    const other = await rejectionOf(createService(s, "web", "token-2"));
    expect(other.name).toBe("InvalidParameterException");
    expect(other.message).toBe("Creation of service was not idempotent.");
    expect(other.$metadata?.httpStatusCode).toBe(400);
    expect((await rejectionOf(createService(s, "web"))).message).toBe(
      "Creation of service was not idempotent.",
    );
  });

  it("uses AWS's ARN formats and sends timestamps the SDK reads as dates", async () => {
    const s = await harness();
    const td = await s.ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition("web", "web:1")));
    expect(td.taskDefinition?.taskDefinitionArn).toBe(
      "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1",
    );
    expect(td.taskDefinition?.registeredAt).toEqual(new Date(s.clock.now()));
    const created = await createService(s, "web");
    expect(created.service?.serviceArn).toBe("arn:aws:ecs:us-east-1:123456789012:service/apps/web");
    expect(created.service?.clusterArn).toBe("arn:aws:ecs:us-east-1:123456789012:cluster/apps");
    expect(created.service?.deployments?.[0]?.id).toMatch(/^ecs-svc\/\d{19}$/);
    expect(created.service?.deploymentConfiguration).toMatchObject({
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      deploymentCircuitBreaker: { enable: false, rollback: false },
    });
  });

  it("describes at most 10 services and reports missing ones as failures", async () => {
    const s = await harness();
    await s.ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition("web", "web:1")));
    await createService(s, "web");
    const names = Array.from({ length: 11 }, (_, i) => `svc-${i}`);
    const tooMany = await rejectionOf(
      s.ecs.send(new DescribeServicesCommand({ cluster: "apps", services: names })),
    );
    expect(tooMany.name).toBe("InvalidParameterException");
    const out = await s.ecs.send(
      new DescribeServicesCommand({ cluster: "apps", services: ["web", "ghost"] }),
    );
    expect(out.services?.map((x) => x.serviceName)).toEqual(["web"]);
    expect(out.failures).toEqual([
      { arn: "arn:aws:ecs:us-east-1:123456789012:service/ghost", reason: "MISSING" },
    ]);
  });

  it("pages ListServices with nextToken and maxResults (default page 10)", async () => {
    const s = await harness();
    await s.ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition("web", "web:1")));
    for (let i = 0; i < 12; i += 1) await createService(s, `svc-${String(i).padStart(2, "0")}`);
    const first = await s.ecs.send(new ListServicesCommand({ cluster: "apps" }));
    expect(first.serviceArns).toHaveLength(10);
    const second = await s.ecs.send(new ListServicesCommand({ cluster: "apps", nextToken: first.nextToken }));
    expect(second.serviceArns).toHaveLength(2);
    expect(second.nextToken).toBeUndefined();
    const small = await s.ecs.send(new ListServicesCommand({ cluster: "apps", maxResults: 5 }));
    expect(small.serviceArns).toHaveLength(5);
  });

  it("refuses updates to missing or deleted services with AWS's codes", async () => {
    const s = await harness();
    await s.ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition("web", "web:1")));
    expect(
      (await rejectionOf(s.ecs.send(new UpdateServiceCommand({ cluster: "apps", service: "nope" })))).name,
    ).toBe("ServiceNotFoundException");
    await s.ecs.send(
      new CreateServiceCommand({
        cluster: "apps",
        serviceName: "web",
        taskDefinition: "web",
        desiredCount: 0,
        networkConfiguration: network,
      }),
    );
    await s.ecs.send(new DeleteServiceCommand({ cluster: "apps", service: "web" }));
    const update = await rejectionOf(
      s.ecs.send(new UpdateServiceCommand({ cluster: "apps", service: "web", desiredCount: 1 })),
    );
    expect(update.name).toBe("ServiceNotActiveException");
    const recreate = await rejectionOf(createService(s, "web"));
    expect(recreate.message).toBe("Unable to Start a service that is still Draining.");
    s.clock.advanceSync(1_000);
    const gone = await s.ecs.send(new DescribeServicesCommand({ cluster: "apps", services: ["web"] }));
    expect(gone.services?.[0]?.status).toBe("INACTIVE");
    expect((await createService(s, "web")).service?.status).toBe("ACTIVE");
  });

  it("requires a network configuration for awsvpc task definitions", async () => {
    const s = await harness();
    await s.ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition("web", "web:1")));
    const error = await rejectionOf(
      s.ecs.send(
        new CreateServiceCommand({
          cluster: "apps",
          serviceName: "web",
          taskDefinition: "web",
          desiredCount: 1,
        }),
      ),
    );
    expect(error.name).toBe("InvalidParameterException");
  });
});

describe("ECS task definitions", () => {
  it("numbers revisions per family, fills ECS defaults and resolves family to the latest ACTIVE revision", async () => {
    const s = await harness();
    const r1 = await s.ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition("web", "web:1")));
    const r2 = await s.ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition("web", "web:2")));
    expect([r1.taskDefinition?.revision, r2.taskDefinition?.revision]).toEqual([1, 2]);
    const container = r2.taskDefinition?.containerDefinitions?.[0];
    expect(container).toMatchObject({
      cpu: 0,
      essential: true,
      environment: [],
      mountPoints: [],
      volumesFrom: [],
      portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: "tcp" }],
    });
    expect(r2.taskDefinition?.compatibilities).toEqual(["EC2", "FARGATE"]);
    await s.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "web:2" }));
    const latest = await s.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "web" }));
    expect(latest.taskDefinition?.revision).toBe(1);
    const inactive = await s.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "web:2" }));
    expect(inactive.taskDefinition?.status).toBe("INACTIVE");
    const listed = await s.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "web" }));
    expect(listed.taskDefinitionArns).toEqual([r1.taskDefinition?.taskDefinitionArn]);
    const gone = await rejectionOf(s.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "nope" })));
    expect(gone.name).toBe("ClientException");
  });

  it("rejects Fargate definitions AWS rejects", async () => {
    const s = await harness();
    const bad = (over: object) =>
      rejectionOf(
        s.ecs.send(new RegisterTaskDefinitionCommand({ ...fargateTaskDefinition("web", "web:1"), ...over })),
      );
    expect((await bad({ cpu: "256", memory: "4096" })).message).toContain("No Fargate configuration exists");
    expect((await bad({ networkMode: "bridge" })).message).toBe(
      "Fargate only supports network mode 'awsvpc'.",
    );
    expect((await bad({ containerDefinitions: [] })).name).toBe("ClientException");
  });

  it("stores tags on task definitions, services and clusters", async () => {
    const s = await harness();
    const td = await s.ecs.send(
      new RegisterTaskDefinitionCommand({
        ...fargateTaskDefinition("web", "web:1"),
        tags: [{ key: "owner", value: "me" }],
      }),
    );
    const arn = td.taskDefinition?.taskDefinitionArn ?? "";
    expect(td.tags).toEqual([{ key: "owner", value: "me" }]);
    await s.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: "team", value: "a" }] }));
    await s.ecs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ["owner"] }));
    expect((await s.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([
      { key: "team", value: "a" },
    ]);
    const described = await s.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ["TAGS"] }),
    );
    expect(described.tags).toEqual([{ key: "team", value: "a" }]);
    const missing = await rejectionOf(
      s.ecs.send(
        new ListTagsForResourceCommand({
          resourceArn: "arn:aws:ecs:us-east-1:123456789012:service/apps/none",
        }),
      ),
    );
    expect(missing.name).toBe("ResourceNotFoundException");
  });
});

describe("modes", () => {
  it("lenient: creates clusters on first use and accepts any ids", async () => {
    const s = await harness("lenient");
    await s.ecs.send(
      new RegisterTaskDefinitionCommand({ ...fargateTaskDefinition("web", "web:1"), taskRoleArn: "role" }),
    );
    await s.ecs.send(
      new CreateServiceCommand({
        cluster: "anything",
        serviceName: "web",
        taskDefinition: "web",
        desiredCount: 1,
        networkConfiguration: { awsvpcConfiguration: { subnets: ["my-subnet"], securityGroups: ["my-sg"] } },
      }),
    );
    const clusters = await s.ecs.send(new DescribeClustersCommand({ clusters: ["anything"] }));
    expect(clusters.clusters?.[0]).toMatchObject({
      clusterName: "anything",
      status: "ACTIVE",
      activeServicesCount: 1,
    });
  });

  it("strict: clusters must exist and ids must look like AWS ids", async () => {
    const s = await harness("strict");
    const roleError = await rejectionOf(
      s.ecs.send(
        new RegisterTaskDefinitionCommand({ ...fargateTaskDefinition("web", "web:1"), taskRoleArn: "role" }),
      ),
    );
    expect(roleError.name).toBe("ClientException");
    await s.ecs.send(
      new RegisterTaskDefinitionCommand({
        ...fargateTaskDefinition("web", "web:1"),
        taskRoleArn: "arn:aws:iam::123456789012:role/web",
      }),
    );
    const create = (cluster: string, subnets: string[], securityGroups: string[]) =>
      s.ecs.send(
        new CreateServiceCommand({
          cluster,
          serviceName: "web",
          taskDefinition: "web",
          desiredCount: 1,
          networkConfiguration: { awsvpcConfiguration: { subnets, securityGroups } },
        }),
      );
    expect((await rejectionOf(create("apps", ["subnet-0123456789abcdef0"], ["sg-01234567"]))).name).toBe(
      "ClusterNotFoundException",
    );
    const described = await s.ecs.send(new DescribeClustersCommand({ clusters: ["apps"] }));
    expect(described.failures?.[0]?.reason).toBe("MISSING");
    await s.ecs.send(new CreateClusterCommand({ clusterName: "apps" }));
    const subnet = await rejectionOf(create("apps", ["my-subnet"], ["sg-01234567"]));
    expect(subnet.name).toBe("InvalidParameterException");
    expect(subnet.message).toContain("InvalidSubnetID.Malformed");
    const group = await rejectionOf(create("apps", ["subnet-01234567"], ["default"]));
    expect(group.message).toContain("InvalidGroupId.Malformed");
    expect((await create("apps", ["subnet-01234567"], ["sg-01234567"])).service?.status).toBe("ACTIVE");
  });
});
