import { describe, expect, it } from "vitest";
import { formatPath, validateDocument } from "../../../src/crds/index.js";
import { minimalService } from "./helpers.js";

type Json = Record<string, unknown>;

/** Issues of the minimal service with `fields` on spec and `ports` on its one container. */
function issuesWith(fields: Json, ports: Json[] = [{ containerPort: 8080, name: "http" }]): string[] {
  const document = minimalService();
  Object.assign(document.spec as Json, fields);
  (document.spec as { containers: Json[] }).containers[0] = { name: "web", image: "nginx:1.27", ports };
  const result = validateDocument(document);
  return result.ok ? [] : result.issues.map((i) => `${formatPath(i.path)}: ${i.message} (${i.hint})`);
}

const TG = "arn:aws:elasticloadbalancing:eu-west-1:000000000000:targetgroup/web/0123456789abcdef";
const TG2 = "arn:aws:elasticloadbalancing:eu-west-1:000000000000:targetgroup/web-green/0123456789abcdef";
const ROLE = "arn:aws:iam::000000000000:role/ecs-infrastructure";

describe("ports: appProtocol and containerPortRange", () => {
  it("accepts appProtocol, ECS's port names and a range without containerPort", () => {
    expect(
      issuesWith({}, [
        { containerPort: 8080, name: "grpc_api", appProtocol: "grpc" },
        { containerPortRange: "9000-9010", protocol: "udp" },
      ]),
    ).toEqual([]);
  });

  it("needs exactly one of containerPort and containerPortRange, a rising range and no overlap", () => {
    expect(
      issuesWith({}, [
        { containerPort: 9005 },
        { containerPortRange: "9000-9010" },
        { containerPortRange: "9010-9000" },
        { containerPort: 1, containerPortRange: "2-3" },
        { protocol: "tcp" },
        { containerPort: 80, hostPort: 81, appProtocol: "http3" },
      ]),
    ).toEqual([
      'spec.containers[0].ports[5].hostPort: "hostPort" is not accepted here (on Fargate (awsvpc) the host port always equals the container port; remove hostPort)',
      'spec.containers[0].ports[5].appProtocol: must be one of "http", "http2", "grpc", got the string "http3" (did you mean "http"?)',
      "spec.containers[0].ports[1].containerPortRange: port range 9000-9010/tcp overlaps containers[0].ports[0] (containers of a task share one network namespace (awsvpc): use ports no other mapping has)",
      "spec.containers[0].ports[2].containerPortRange: port range 9010-9000 is not FIRST-LAST with 1 <= FIRST < LAST <= 65535 (write the lower port first, for example 8000-8010)",
      "spec.containers[0].ports[3].containerPortRange: a port has containerPort or containerPortRange, not both (remove containerPort for a range, or containerPortRange for one port)",
      "spec.containers[0].ports[4]: a port needs containerPort or containerPortRange (add containerPort (e.g. 8080) or containerPortRange (e.g. 8000-8010))",
    ]);
  });
});

describe("serviceConnectConfiguration", () => {
  const connect = {
    enabled: true,
    namespaceRef: { name: "apps" },
    services: [
      {
        portName: "http",
        discoveryName: "web",
        clientAliases: [{ port: 80, dnsName: "web.apps" }],
        timeout: { idleTimeoutSeconds: 60, perRequestTimeoutSeconds: 15 },
      },
    ],
  };

  it("accepts ECS's members with a CloudMapNamespace reference", () => {
    expect(issuesWith({ serviceConnectConfiguration: connect })).toEqual([]);
  });

  it("refuses ECS's namespace naming namespaceRef, and a portName that is no port's name", () => {
    expect(
      issuesWith({
        serviceConnectConfiguration: {
          ...connect,
          namespace: "apps.internal",
          services: [{ portName: "admin" }],
        },
      }),
    ).toEqual([
      'spec.serviceConnectConfiguration.namespace: "namespace" is not accepted here (set namespaceRef (name, namespace) to the CloudMapNamespace record; the operator sends its namespace ARN)',
      'spec.serviceConnectConfiguration.services[0].portName: no container port is named "admin" (use one of http)',
    ]);
  });
});

describe("deployment strategy, controller and the other CreateService members", () => {
  const blueGreenBalancer = {
    targetGroupArn: TG,
    containerName: "web",
    containerPort: 8080,
    advancedConfiguration: { alternateTargetGroupArn: TG2, productionListenerRule: TG, roleArn: ROLE },
  };

  it("accepts a strategy with its configuration, hooks and the simple pass-throughs", () => {
    expect(
      issuesWith({
        loadBalancers: [blueGreenBalancer],
        deployment: {
          strategy: "LINEAR",
          linearConfiguration: { stepPercent: 12.5, stepBakeTimeInMinutes: 5 },
          bakeTimeInMinutes: 10,
          lifecycleHooks: [
            {
              targetType: "AWS_LAMBDA",
              hookTargetArn: "arn:aws:lambda:eu-west-1:000000000000:function:smoke",
              roleArn: ROLE,
              lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"],
            },
          ],
        },
        deploymentController: { type: "ECS" },
        availabilityZoneRebalancing: "ENABLED",
        vpcLatticeConfigurations: [{ roleArn: ROLE, targetGroupArn: TG, portName: "http" }],
      }),
    ).toEqual([]);
  });

  it("keeps each configuration to its strategy and a shifting strategy to a load balancer or Service Connect", () => {
    expect(
      issuesWith({
        loadBalancers: [{ targetGroupArn: TG, containerName: "web", containerPort: 8080 }],
        deployment: {
          strategy: "CANARY",
          linearConfiguration: { stepPercent: 1 },
          canaryConfiguration: { canaryPercent: 5.05, canaryBakeTimeInMinutes: 2000 },
        },
      }),
    ).toEqual([
      "spec.deployment.linearConfiguration: linearConfiguration applies only with strategy LINEAR (strategy is CANARY) (set strategy: LINEAR, or remove linearConfiguration)",
      "spec.deployment.linearConfiguration.stepPercent: stepPercent 1 is not a multiple of 0.1 from 3 to 100 (use a value such as 10)",
      "spec.deployment.canaryConfiguration.canaryPercent: canaryPercent 5.05 is not a multiple of 0.1 from 0.1 to 100 (use a value such as 5)",
      "spec.deployment.canaryConfiguration.canaryBakeTimeInMinutes: 2000 minutes is outside 0-1440 (use 0 to 1440 minutes (24 hours))",
      "spec.loadBalancers[0].advancedConfiguration: strategy CANARY needs the load balancer's advancedConfiguration with alternateTargetGroupArn (add advancedConfiguration: {alternateTargetGroupArn, productionListenerRule, roleArn} (the green target group, listener rule and ECS's ELB role))",
    ]);
    expect(issuesWith({ deployment: { strategy: "BLUE_GREEN" } })).toEqual([
      "spec.deployment.strategy: strategy BLUE_GREEN shifts traffic through a load balancer or Service Connect, and the service has neither (add loadBalancers (with advancedConfiguration) or serviceConnectConfiguration, or use strategy ROLLING)",
    ]);
  });

  it("refuses CODE_DEPLOY and EXTERNAL controllers and the members Fargate or the operator decide", () => {
    expect(
      issuesWith({
        deploymentController: { type: "CODE_DEPLOY" },
        role: "ecsServiceRole",
        placementStrategy: [],
        schedulingStrategy: "REPLICA",
        volumeConfigurations: [],
        vpcLatticeConfigurations: [{ roleArn: ROLE, targetGroupArn: TG, portName: "web" }],
      }),
    ).toEqual([
      'spec.role: "role" is not accepted here (ECS uses its service-linked role for awsvpc services; remove role)',
      'spec.placementStrategy: "placementStrategy" is not accepted here (Fargate places tasks itself (spread across Availability Zones); remove placementStrategy (availabilityZoneRebalancing is accepted))',
      'spec.schedulingStrategy: "schedulingStrategy" is not accepted here (Fargate services are always REPLICA (DAEMON needs EC2); remove schedulingStrategy)',
      'spec.volumeConfigurations: "volumeConfigurations" is not accepted here (EBS volumes configured at launch are not offered: use EFS volumes (spec.volumes with efsVolumeConfiguration))',
      'spec.vpcLatticeConfigurations[0].portName: no container port is named "web" (use one of http)',
      "spec.deploymentController.type: deployment controller CODE_DEPLOY is not accepted: the operator drives deployments through ECS (remove deploymentController (or set type: ECS) and choose spec.deployment.strategy (ROLLING, BLUE_GREEN, LINEAR, CANARY))",
    ]);
  });
});
