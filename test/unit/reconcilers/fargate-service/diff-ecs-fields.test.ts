import { describe, expect, it } from "vitest";
import type { EcsService } from "../../../../src/aws/types.js";
import { desiredUpdateFor, diffService } from "../../../../src/reconcilers/fargate-service/diff.js";
import { renderEcsService } from "../../../../src/render/index.js";
import { contextFor, validSpec } from "../../render/fixtures.js";

const TG = "arn:aws:elasticloadbalancing:eu-west-1:000000000000:targetgroup/web/0123456789abcdef";
const TD = "arn:aws:ecs:eu-west-1:000000000000:task-definition/default-web:1";

const spec = validSpec({
  cluster: "apps",
  cpu: 256,
  memory: 512,
  containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 8080 }] }],
  network: { subnets: ["subnet-1"], securityGroups: ["sg-1"] },
  loadBalancers: [{ targetGroupArn: TG, containerName: "web", containerPort: 8080 }],
  healthCheckGracePeriodSeconds: 30,
  capacityProviderStrategy: [
    { capacityProvider: "FARGATE_SPOT", weight: 3 },
    { capacityProvider: "FARGATE", base: 1 },
  ],
  enableExecuteCommand: true,
  platformVersion: "1.4.0",
  propagateTags: "TASK_DEFINITION",
  enableECSManagedTags: false,
});
const { create, update } = renderEcsService(spec, contextFor("web", "default"), { taskDefinitionArn: TD });

/** The service as ECS describes it after CreateService: defaults filled in, lists reordered. */
function observed(over: Partial<EcsService> = {}): EcsService {
  return {
    serviceName: "default-web",
    status: "ACTIVE",
    taskDefinition: TD,
    desiredCount: 1,
    networkConfiguration: {
      awsvpcConfiguration: { subnets: ["subnet-1"], securityGroups: ["sg-1"], assignPublicIp: "DISABLED" },
    },
    deploymentConfiguration: {
      deploymentCircuitBreaker: { enable: true, rollback: true },
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      strategy: "ROLLING",
    },
    serviceRegistries: [],
    loadBalancers: [{ containerPort: 8080, containerName: "web", targetGroupArn: TG }],
    healthCheckGracePeriodSeconds: 30,
    capacityProviderStrategy: [
      { capacityProvider: "FARGATE", weight: 0, base: 1 },
      { capacityProvider: "FARGATE_SPOT", weight: 3, base: 0 },
    ],
    enableExecuteCommand: true,
    platformVersion: "1.4.0",
    propagateTags: "TASK_DEFINITION",
    enableECSManagedTags: false,
    ...over,
  };
}

describe("ECS service fields", () => {
  it("render into CreateService: a capacity provider strategy replaces the launch type; tag defaults overridable", () => {
    expect(create.launchType).toBeUndefined();
    expect(create).toMatchObject({
      loadBalancers: [{ targetGroupArn: TG, containerName: "web", containerPort: 8080 }],
      healthCheckGracePeriodSeconds: 30,
      capacityProviderStrategy: [
        { capacityProvider: "FARGATE_SPOT", weight: 3 },
        { capacityProvider: "FARGATE", base: 1 },
      ],
      enableExecuteCommand: true,
      platformVersion: "1.4.0",
      propagateTags: "TASK_DEFINITION",
      enableECSManagedTags: false,
    });
  });

  it("steady state: what ECS fills in or reorders is no difference (no UpdateService forever)", () => {
    expect(diffService(update, observed())).toEqual([]);
  });

  it("a minimal service matches a service ECS describes without the optional members", () => {
    const minimal = validSpec({
      cluster: "apps",
      cpu: 256,
      memory: 512,
      containers: [{ name: "web", image: "nginx:1.27" }],
      network: { subnets: ["subnet-1"], securityGroups: ["sg-1"] },
    });
    const plain = renderEcsService(minimal, contextFor("web", "default"), { taskDefinitionArn: TD }).update;
    const {
      loadBalancers: _lb,
      healthCheckGracePeriodSeconds: _grace,
      capacityProviderStrategy: _cps,
      enableExecuteCommand: _exec,
      platformVersion: _pv,
      ...bare
    } = observed({ propagateTags: "SERVICE", enableECSManagedTags: true });
    expect(diffService(plain, bare)).toEqual([]);
  });

  it("each changed field is found and only it is sent", () => {
    const drifted = observed({
      loadBalancers: [],
      healthCheckGracePeriodSeconds: 0,
      capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1, base: 0 }],
      enableExecuteCommand: false,
      platformVersion: "LATEST",
    });
    const differences = diffService(update, drifted);
    expect(differences.map((d) => d.field)).toEqual([
      "loadBalancers",
      "healthCheckGracePeriodSeconds",
      "capacityProviderStrategy",
      "enableExecuteCommand",
      "platformVersion",
    ]);
    const repair = desiredUpdateFor(update, differences);
    expect(Object.keys(repair).sort()).toEqual([
      "capacityProviderStrategy",
      "cluster",
      "enableExecuteCommand",
      "healthCheckGracePeriodSeconds",
      "loadBalancers",
      "platformVersion",
      "service",
    ]);
  });
});

describe("deployment alarms and bake time", () => {
  const withAlarms = validSpec({
    cluster: "apps",
    cpu: 256,
    memory: 512,
    containers: [{ name: "web", image: "nginx:1.27" }],
    network: { subnets: ["subnet-1"], securityGroups: ["sg-1"] },
    deployment: { alarms: { alarmNames: ["web-5xx"], enable: true, rollback: true }, bakeTimeInMinutes: 0 },
  });
  const desired = renderEcsService(withAlarms, contextFor("web", "default"), {
    taskDefinitionArn: TD,
  }).update;
  const bare = (deploymentConfiguration: EcsService["deploymentConfiguration"]): EcsService => ({
    ...observed({ propagateTags: "SERVICE", enableECSManagedTags: true, enableExecuteCommand: false }),
    loadBalancers: [],
    capacityProviderStrategy: [],
    deploymentConfiguration,
  });

  it("are sent in deploymentConfiguration and match once ECS has them (a bake time of 0 may be omitted)", () => {
    expect(desired.deploymentConfiguration).toMatchObject({
      alarms: { alarmNames: ["web-5xx"], enable: true, rollback: true },
      bakeTimeInMinutes: 0,
    });
    const steady = bare({
      deploymentCircuitBreaker: { enable: true, rollback: true },
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      alarms: { alarmNames: ["web-5xx"], enable: true, rollback: true },
    });
    expect(diffService(desired, steady).map((d) => d.field)).toEqual([]);
    const without = bare({
      deploymentCircuitBreaker: { enable: true, rollback: true },
      minimumHealthyPercent: 100,
      maximumPercent: 200,
    });
    expect(diffService(desired, without).map((d) => d.field)).toEqual(["deploymentConfiguration"]);
  });
});
