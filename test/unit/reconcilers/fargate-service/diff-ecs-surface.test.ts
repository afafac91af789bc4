import type { ServiceConnectConfiguration } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import type { EcsService } from "../../../../src/aws/types.js";
import { desiredUpdateFor, diffService } from "../../../../src/reconcilers/fargate-service/diff.js";
import { RenderError, renderEcsService, renderTaskDefinition } from "../../../../src/render/index.js";
import { contextFor, validSpec } from "../../render/fixtures.js";

const TD = "arn:aws:ecs:eu-west-1:000000000000:task-definition/default-web:1";
const NS_ARN = "arn:aws:servicediscovery:eu-west-1:000000000000:namespace/ns-apps";
const TG = "arn:aws:elasticloadbalancing:eu-west-1:000000000000:targetgroup/web/0123456789abcdef";
const ROLE = "arn:aws:iam::000000000000:role/ecs-infrastructure";

const spec = validSpec({
  cluster: "apps",
  cpu: 256,
  memory: 512,
  containers: [
    {
      name: "web",
      image: "nginx:1.27",
      ports: [
        { containerPort: 8080, name: "http", appProtocol: "http" },
        { containerPortRange: "9000-9010", protocol: "udp" },
      ],
    },
  ],
  network: { subnets: ["subnet-1"], securityGroups: ["sg-1"] },
  serviceConnectConfiguration: {
    enabled: true,
    namespaceRef: { name: "apps" },
    services: [{ portName: "http", clientAliases: [{ port: 80 }] }],
  },
  vpcLatticeConfigurations: [{ roleArn: ROLE, targetGroupArn: TG, portName: "http" }],
  availabilityZoneRebalancing: "ENABLED",
  deploymentController: { type: "ECS" },
  deployment: { strategy: "CANARY", canaryConfiguration: { canaryPercent: 10 } },
});
const context = contextFor("web", "default");
const { create, update } = renderEcsService(spec, context, {
  taskDefinitionArn: TD,
  serviceConnectNamespaceArn: NS_ARN,
});

/** The service as ECS describes it: Service Connect and Lattice on the PRIMARY deployment, defaults filled in. */
function observed(
  connect: ServiceConnectConfiguration | undefined,
  over: Partial<EcsService> = {},
): EcsService {
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
      strategy: "CANARY",
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 10 },
    },
    serviceRegistries: [],
    loadBalancers: [],
    enableExecuteCommand: false,
    propagateTags: "SERVICE",
    enableECSManagedTags: true,
    availabilityZoneRebalancing: "ENABLED",
    deployments: [
      {
        status: "PRIMARY",
        taskDefinition: TD,
        serviceConnectConfiguration: connect,
        vpcLatticeConfigurations: [{ portName: "http", targetGroupArn: TG, roleArn: ROLE }],
      },
      { status: "ACTIVE", taskDefinition: TD },
    ],
    ...over,
  };
}

describe("port ranges and appProtocol in the task definition", () => {
  it("renders a single port with hostPort and appProtocol, a range without containerPort or hostPort", () => {
    const { input } = renderTaskDefinition(spec, context);
    expect(input.containerDefinitions?.[0]?.portMappings).toEqual([
      { containerPort: 8080, hostPort: 8080, protocol: "tcp", name: "http", appProtocol: "http" },
      { containerPortRange: "9000-9010", protocol: "udp" },
    ]);
  });
});

describe("Service Connect, VPC Lattice, zone rebalancing, strategy and controller", () => {
  it("are sent to CreateService (namespaceRef as the namespace's ARN; the controller on create only)", () => {
    expect(create).toMatchObject({
      serviceConnectConfiguration: {
        enabled: true,
        namespace: NS_ARN,
        services: [{ portName: "http", clientAliases: [{ port: 80 }] }],
      },
      vpcLatticeConfigurations: [{ roleArn: ROLE, targetGroupArn: TG, portName: "http" }],
      availabilityZoneRebalancing: "ENABLED",
      deploymentController: { type: "ECS" },
      deploymentConfiguration: { strategy: "CANARY", canaryConfiguration: { canaryPercent: 10 } },
    });
    expect(create.serviceConnectConfiguration).not.toHaveProperty("namespaceRef");
    expect(update).not.toHaveProperty("deploymentController");
  });

  it("refuses to render Service Connect before its namespace is resolved", () => {
    expect(() => renderEcsService(spec, context, { taskDefinitionArn: TD })).toThrow(RenderError);
  });

  it("match ECS's echo (namespace by ARN or name, filled-in discoveryName and dnsName, defaults)", () => {
    const echoed = {
      enabled: true,
      namespace: NS_ARN,
      services: [
        {
          portName: "http",
          discoveryName: "http",
          clientAliases: [{ port: 80, dnsName: "http.apps.internal" }],
        },
      ],
    };
    expect(diffService(update, observed(echoed))).toEqual([]);
    expect(diffService(update, observed({ ...echoed, namespace: "apps.internal" }))).toEqual([]);
  });

  it("differ when ECS has another configuration, and the update carries only what differs", () => {
    const differences = diffService(
      update,
      observed(
        { enabled: true, namespace: "arn:aws:servicediscovery:eu-west-1:000000000000:namespace/ns-other" },
        { availabilityZoneRebalancing: "DISABLED", deploymentConfiguration: { strategy: "ROLLING" } },
      ),
    );
    expect(differences.map((d) => d.field)).toEqual([
      "deploymentConfiguration",
      "serviceConnectConfiguration",
      "availabilityZoneRebalancing",
    ]);
    const repair = desiredUpdateFor(update, differences);
    expect(Object.keys(repair).sort()).toEqual([
      "availabilityZoneRebalancing",
      "cluster",
      "deploymentConfiguration",
      "service",
      "serviceConnectConfiguration",
    ]);
  });

  it("are not sent when unset, so a service without them is not updated", () => {
    const bare = validSpec({
      cluster: "apps",
      cpu: 256,
      memory: 512,
      containers: [{ name: "web", image: "nginx:1.27" }],
      network: { subnets: ["subnet-1"], securityGroups: ["sg-1"] },
    });
    const plain = renderEcsService(bare, context, { taskDefinitionArn: TD });
    for (const field of [
      "serviceConnectConfiguration",
      "vpcLatticeConfigurations",
      "availabilityZoneRebalancing",
      "deploymentController",
    ]) {
      expect(plain.create).not.toHaveProperty(field);
    }
    expect(plain.update.deploymentConfiguration).not.toHaveProperty("strategy");
  });
});
