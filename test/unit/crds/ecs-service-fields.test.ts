import { describe, expect, it } from "vitest";
import { formatPath, validateDocument } from "../../../src/crds/index.js";
import { minimalService } from "./helpers.js";

type Json = Record<string, unknown>;

function issuesWith(fields: Json): string[] {
  const document = minimalService();
  Object.assign(document.spec as Json, fields);
  (document.spec as { containers: Json[] }).containers[0] = {
    name: "web",
    image: "nginx:1.27",
    ports: [{ containerPort: 8080 }],
  };
  const result = validateDocument(document);
  return result.ok ? [] : result.issues.map((i) => `${formatPath(i.path)}: ${i.message} (${i.hint})`);
}

const TG = "arn:aws:elasticloadbalancing:eu-west-1:000000000000:targetgroup/web/0123456789abcdef";

describe("ECS service fields on spec", () => {
  it("accepts them", () => {
    expect(
      issuesWith({
        loadBalancers: [{ targetGroupArn: TG, containerName: "web", containerPort: 8080 }],
        healthCheckGracePeriodSeconds: 30,
        capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
        enableExecuteCommand: true,
        platformVersion: "1.4.0",
        propagateTags: "NONE",
        enableECSManagedTags: false,
      }),
    ).toEqual([]);
  });

  it("checks them at the field's path: ECS shapes, Fargate providers, load balancer targets", () => {
    expect(
      issuesWith({
        loadBalancers: [
          { targetGroupArn: TG, containerName: "web", containerPort: 9090 },
          { targetGroupArn: TG, containerName: "api", containerPort: 8080 },
        ],
        capacityProviderStrategy: [{ capacityProvider: "my-asg", weight: 2000 }],
        propagateTags: "ALL",
        platformVersion: "v1",
      }),
    ).toEqual([
      "spec.capacityProviderStrategy[0].weight: 2000 is above the maximum 1000 (use a value from 0 to 1000)",
      'spec.platformVersion: invalid platformVersion "v1" (write LATEST or a version such as 1.4.0)',
      'spec.propagateTags: must be one of "SERVICE", "TASK_DEFINITION", "NONE", got the string "ALL" (use one of "SERVICE", "TASK_DEFINITION", "NONE")',
      'spec.loadBalancers[0].containerPort: container "web" has no port 9090 (use one of 8080)',
      'spec.loadBalancers[1].containerName: no container named "api" in this service (use one of web)',
      'spec.capacityProviderStrategy[0].capacityProvider: capacity provider "my-asg" is not Fargate\'s (use FARGATE or FARGATE_SPOT)',
    ]);
  });

  it("refuses the members the operator owns, naming the spec field that governs each", () => {
    expect(
      issuesWith({
        serviceName: "x",
        launchType: "EC2",
        networkConfiguration: {},
        serviceRegistries: [],
        deploymentConfiguration: {},
      }),
    ).toEqual([
      'spec.serviceName: "serviceName" is not accepted here (the operator names the service <metadata.namespace>-<metadata.name>; remove serviceName)',
      'spec.launchType: "launchType" is not accepted here (tasks always run on FARGATE; for FARGATE_SPOT set capacityProviderStrategy)',
      'spec.networkConfiguration: "networkConfiguration" is not accepted here (set spec.network (subnets, securityGroups, assignPublicIp))',
      'spec.serviceRegistries: "serviceRegistries" is not accepted here (set spec.discovery.cloudMap; the operator creates and registers the Cloud Map service)',
      'spec.deploymentConfiguration: "deploymentConfiguration" is not accepted here (set spec.deployment (minimumHealthyPercent, maximumPercent, circuitBreaker))',
    ]);
  });
});

describe("spec.tags", () => {
  it("accepts the user's tags and refuses keys the operator or AWS reserve, and characters AWS refuses", () => {
    expect(issuesWith({ tags: { team: "payments", "cost-center": "1234" } })).toEqual([]);
    expect(issuesWith({ tags: { "fargate-operator:uid": "x", "aws:x": "y", "a#b": "z", ok: "v!" } })).toEqual(
      [
        `spec.tags["a#b"]: invalid name "a#b": "#" is not allowed (use letters, digits, spaces and _ . : / = + - @ (AWS's tag characters))`,
        `spec.tags.ok: invalid ok "v!": "!" is not allowed (use letters, digits, spaces and _ . : / = + - @ (AWS's tag characters))`,
        'spec.tags["fargate-operator:uid"]: tag keys starting with "fargate-operator:" are reserved (the operator sets its own fargate-operator:* tags; rename the key)',
        'spec.tags["aws:x"]: tag keys starting with "aws:" are reserved (AWS reserves aws:*; rename the key)',
      ],
    );
  });
});

describe("spec.taskDefinitionTags", () => {
  it("follows spec.tags' rules, and the two together give a revision at most 40 keys", () => {
    expect(issuesWith({ tags: { Name: "svc" }, taskDefinitionTags: { Name: "task" } })).toEqual([]);
    expect(issuesWith({ taskDefinitionTags: { "aws:x": "y" } })).toEqual([
      'spec.taskDefinitionTags["aws:x"]: tag keys starting with "aws:" are reserved (AWS reserves aws:*; rename the key)',
    ]);
    const many = (prefix: string) =>
      Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`${prefix}${i}`, "v"]));
    expect(issuesWith({ tags: many("a"), taskDefinitionTags: many("b") })).toEqual([
      "spec.taskDefinitionTags: spec.tags and spec.taskDefinitionTags give the task definition 42 tags, at most 40 allowed (drop keys from one of them)",
    ]);
  });
});
