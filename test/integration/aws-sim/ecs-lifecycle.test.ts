import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type Service,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import {
  CreatePrivateDnsNamespaceCommand,
  CreateServiceCommand as CreateRegistryCommand,
  GetOperationCommand,
  ListInstancesCommand,
} from "@aws-sdk/client-servicediscovery";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fargateTaskDefinition, network, type SimHarness, startHarness } from "./support.js";

let h: SimHarness;
beforeEach(async () => {
  h = await startHarness({ rolloutSeconds: 2, stopSeconds: 1, operationSeconds: 1 });
});
afterEach(async () => {
  await h.close();
});

async function describeService(name: string): Promise<Service> {
  const out = await h.ecs.send(new DescribeServicesCommand({ cluster: "apps", services: [name] }));
  const svc = out.services?.[0];
  if (svc === undefined) throw new Error(`service ${name} not found`);
  return svc;
}

async function taskIps(service: string): Promise<string[]> {
  const list = await h.ecs.send(new ListTasksCommand({ cluster: "apps", serviceName: service }));
  if ((list.taskArns ?? []).length === 0) return [];
  const tasks = await h.ecs.send(new DescribeTasksCommand({ cluster: "apps", tasks: list.taskArns }));
  return (tasks.tasks ?? [])
    .flatMap((t) => t.attachments?.[0]?.details?.filter((d) => d.name === "privateIPv4Address") ?? [])
    .map((d) => d.value ?? "")
    .sort();
}

async function registryIps(serviceId: string): Promise<string[]> {
  const out = await h.cloudMap.send(new ListInstancesCommand({ ServiceId: serviceId }));
  return (out.Instances ?? []).map((i) => i.Attributes?.AWS_INSTANCE_IPV4 ?? "").sort();
}

describe("ECS rollouts on the simulator (scripted, ManualClock)", () => {
  it("creates, rolls, fails with rollback and deletes a service as AWS documents", async () => {
    // A Cloud Map namespace (asynchronous) and a service to register tasks in.
    const op = await h.cloudMap.send(
      new CreatePrivateDnsNamespaceCommand({ Name: "apps.internal", Vpc: "vpc-1" }),
    );
    h.clock.advanceSync(1_000);
    const done = await h.cloudMap.send(new GetOperationCommand({ OperationId: op.OperationId }));
    const namespaceId = done.Operation?.Targets?.NAMESPACE ?? "";
    const registry = await h.cloudMap.send(
      new CreateRegistryCommand({
        Name: "web",
        NamespaceId: namespaceId,
        DnsConfig: { DnsRecords: [{ Type: "A", TTL: 10 }] },
        HealthCheckCustomConfig: { FailureThreshold: 1 },
      }),
    );
    const registryId = registry.Service?.Id ?? "";

    // 1. Create: IN_PROGRESS with pending tasks, then COMPLETED with tasks registered in Cloud Map.
    const v1 = await h.ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition("web", "web:1")));
    const created = await h.ecs.send(
      new CreateServiceCommand({
        cluster: "apps",
        serviceName: "web",
        taskDefinition: v1.taskDefinition?.taskDefinitionArn,
        desiredCount: 2,
        launchType: "FARGATE",
        networkConfiguration: network,
        serviceRegistries: [{ registryArn: registry.Service?.Arn }],
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      }),
    );
    expect(created.service?.status).toBe("ACTIVE");
    expect(created.service?.deployments).toHaveLength(1);
    expect(created.service?.deployments?.[0]).toMatchObject({
      status: "PRIMARY",
      rolloutState: "IN_PROGRESS",
      pendingCount: 2,
    });
    expect(await registryIps(registryId)).toEqual([]);

    h.clock.advanceSync(2_000);
    let svc = await describeService("web");
    expect(svc).toMatchObject({ runningCount: 2, pendingCount: 0, desiredCount: 2 });
    expect(svc.deployments).toHaveLength(1);
    expect(svc.deployments?.[0]).toMatchObject({
      status: "PRIMARY",
      rolloutState: "COMPLETED",
      runningCount: 2,
    });
    expect(svc.events?.[0]?.message).toBe("(service web) has reached a steady state.");
    const firstIps = await taskIps("web");
    expect(firstIps).toHaveLength(2);
    expect(await registryIps(registryId)).toEqual(firstIps);

    // 2. Roll revision 2: PRIMARY + ACTIVE during the rollout, then only the new PRIMARY.
    const v2 = await h.ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition("web", "web:2")));
    const updated = await h.ecs.send(
      new UpdateServiceCommand({
        cluster: "apps",
        service: "web",
        taskDefinition: v2.taskDefinition?.taskDefinitionArn,
      }),
    );
    expect(updated.service?.deployments?.map((d) => d.status)).toEqual(["PRIMARY", "ACTIVE"]);
    expect(updated.service?.deployments?.[1]?.taskDefinition).toBe(v1.taskDefinition?.taskDefinitionArn);
    h.clock.advanceSync(2_000);
    svc = await describeService("web");
    expect(svc.deployments?.map((d) => d.status)).toEqual(["PRIMARY", "ACTIVE"]);
    expect(svc.runningCount).toBe(2);
    h.clock.advanceSync(1_000);
    svc = await describeService("web");
    expect(svc.deployments).toHaveLength(1);
    expect(svc.deployments?.[0]).toMatchObject({
      taskDefinition: v2.taskDefinition?.taskDefinitionArn,
      rolloutState: "COMPLETED",
      runningCount: 2,
    });
    const secondIps = await taskIps("web");
    expect(secondIps).not.toEqual(firstIps);
    expect(await registryIps(registryId)).toEqual(secondIps);

    // 3. Roll a crash-looping image: the circuit breaker fails it and revision 2 is PRIMARY again.
    const bad = await h.ecs.send(
      new RegisterTaskDefinitionCommand(fargateTaskDefinition("web", "web:3-crashloop")),
    );
    await h.ecs.send(
      new UpdateServiceCommand({
        cluster: "apps",
        service: "web",
        taskDefinition: bad.taskDefinition?.taskDefinitionArn,
      }),
    );
    h.clock.advanceSync(4_000);
    svc = await describeService("web");
    const failed = svc.deployments?.find((d) => d.taskDefinition === bad.taskDefinition?.taskDefinitionArn);
    expect(failed).toMatchObject({ status: "ACTIVE", rolloutState: "FAILED" });
    expect(failed?.failedTasks).toBeGreaterThanOrEqual(3);
    expect(failed?.rolloutStateReason).toContain("circuit breaker");
    expect(svc.deployments?.[0]).toMatchObject({
      status: "PRIMARY",
      taskDefinition: v2.taskDefinition?.taskDefinitionArn,
    });
    expect(svc.taskDefinition).toBe(v2.taskDefinition?.taskDefinitionArn);
    h.clock.advanceSync(5_000);
    svc = await describeService("web");
    expect(svc.deployments).toHaveLength(1);
    expect(svc.deployments?.[0]).toMatchObject({
      taskDefinition: v2.taskDefinition?.taskDefinitionArn,
      rolloutState: "COMPLETED",
      runningCount: 2,
    });
    expect(await registryIps(registryId)).toEqual(await taskIps("web"));

    // 4. Delete: refused while scaled above 0, then DRAINING and finally INACTIVE with nothing registered.
    await expect(
      h.ecs.send(new DeleteServiceCommand({ cluster: "apps", service: "web" })),
    ).rejects.toMatchObject({
      name: "InvalidParameterException",
    });
    const deleted = await h.ecs.send(
      new DeleteServiceCommand({ cluster: "apps", service: "web", force: true }),
    );
    expect(deleted.service?.status).toBe("DRAINING");
    expect((await describeService("web")).status).toBe("DRAINING");
    expect(await registryIps(registryId)).toEqual([]);
    h.clock.advanceSync(1_000);
    svc = await describeService("web");
    expect(svc.status).toBe("INACTIVE");
    expect(svc.runningCount).toBe(0);
    const stopped = await h.ecs.send(new ListTasksCommand({ cluster: "apps", desiredStatus: "STOPPED" }));
    expect((stopped.taskArns ?? []).length).toBeGreaterThanOrEqual(6);
  });

  it("marks a failing first deployment FAILED without anything to roll back to", async () => {
    const bad = await h.ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition("job", "job:1")));
    h.sim.control.failImage("job:1");
    await h.ecs.send(
      new CreateServiceCommand({
        cluster: "apps",
        serviceName: "job",
        taskDefinition: bad.taskDefinition?.taskDefinitionArn,
        desiredCount: 1,
        networkConfiguration: network,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      }),
    );
    h.clock.advanceSync(10_000);
    const svc = await describeService("job");
    expect(svc.deployments).toHaveLength(1);
    expect(svc.deployments?.[0]).toMatchObject({
      status: "PRIMARY",
      rolloutState: "FAILED",
      runningCount: 0,
    });
    const tasks = await h.ecs.send(new ListTasksCommand({ cluster: "apps", desiredStatus: "STOPPED" }));
    const described = await h.ecs.send(
      new DescribeTasksCommand({ cluster: "apps", tasks: tasks.taskArns?.slice(0, 1) }),
    );
    expect(described.tasks?.[0]).toMatchObject({
      lastStatus: "STOPPED",
      stopCode: "EssentialContainerExited",
    });
    h.sim.control.healImage("job:1");
    expect(h.sim.control.failingImages()).toEqual([]);
  });

  it("keeps retrying a failing image without a circuit breaker and counts failed tasks", async () => {
    const bad = await h.ecs.send(
      new RegisterTaskDefinitionCommand(fargateTaskDefinition("loop", "loop:1-crashloop")),
    );
    await h.ecs.send(
      new CreateServiceCommand({
        cluster: "apps",
        serviceName: "loop",
        taskDefinition: bad.taskDefinition?.taskDefinitionArn,
        desiredCount: 1,
        networkConfiguration: network,
      }),
    );
    h.clock.advanceSync(20_000);
    const svc = await describeService("loop");
    expect(svc.deployments?.[0]?.rolloutState).toBe("IN_PROGRESS");
    expect(svc.deployments?.[0]?.failedTasks).toBeGreaterThanOrEqual(9);
  });

  it("scales a completed service without a new deployment", async () => {
    const td = await h.ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition("api", "api:1")));
    await h.ecs.send(
      new CreateServiceCommand({
        cluster: "apps",
        serviceName: "api",
        taskDefinition: td.taskDefinition?.taskDefinitionArn,
        desiredCount: 1,
        networkConfiguration: network,
      }),
    );
    h.clock.advanceSync(2_000);
    const scaled = await h.ecs.send(
      new UpdateServiceCommand({ cluster: "apps", service: "api", desiredCount: 3 }),
    );
    expect(scaled.service?.deployments).toHaveLength(1);
    expect(scaled.service?.pendingCount).toBe(2);
    h.clock.advanceSync(2_000);
    expect(await describeService("api")).toMatchObject({ runningCount: 3, pendingCount: 0 });
    await h.ecs.send(new UpdateServiceCommand({ cluster: "apps", service: "api", desiredCount: 0 }));
    h.clock.advanceSync(1_000);
    expect(await describeService("api")).toMatchObject({ runningCount: 0, desiredCount: 0 });
  });
});
