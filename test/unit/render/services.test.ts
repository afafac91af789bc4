import { describe, expect, it } from "vitest";
import {
  clientTokenOf,
  RenderError,
  renderCloudMapService,
  renderEcsService,
  renderEndpoints,
} from "../../../src/render/index.js";
import { contextFor, exampleService, minimalSpec, validSpec } from "./fixtures.js";

const UID = "3f1c2b8e-0000-4000-8000-000000000001";
const TD_ARN = "arn:aws:ecs:eu-west-1:000000000000:task-definition/default-web:3";
const SRV_ARN = "arn:aws:servicediscovery:eu-west-1:000000000000:service/srv-abc";
const OWNER_TAGS = [
  { key: "fargate-operator:uid", value: UID },
  { key: "fargate-operator:namespace", value: "default" },
  { key: "fargate-operator:name", value: "web" },
  { key: "fargate-operator:deletion-policy", value: "Delete" },
];

function withCloudMap(cloudMap: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return validSpec({
    cluster: "apps",
    cpu: 256,
    memory: 512,
    containers: [
      { name: "sidecar", image: "envoy:1" },
      { name: "web", image: "web:1", ports: [{ containerPort: 8080 }, { containerPort: 9090 }] },
    ],
    network: { subnets: ["subnet-1", "subnet-2"], securityGroups: ["sg-1"], assignPublicIp: true },
    discovery: { cloudMap: { namespaceRef: { name: "apps" }, ...cloudMap } },
    ...extra,
  });
}

describe("renderEcsService", () => {
  it("renders create and update inputs for a minimal service exactly", () => {
    const { create, update } = renderEcsService(minimalSpec(), contextFor("web", "default"), {
      taskDefinitionArn: TD_ARN,
    });
    const shared = {
      cluster: "apps",
      taskDefinition: TD_ARN,
      desiredCount: 1,
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ["subnet-1"], securityGroups: ["sg-1"], assignPublicIp: "DISABLED" },
      },
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: true, rollback: true },
        minimumHealthyPercent: 100,
        maximumPercent: 200,
      },
      serviceRegistries: [],
      // Always written out (none, off) so a removed load balancer or ECS Exec is undone by the diff.
      loadBalancers: [],
      enableExecuteCommand: false,
      propagateTags: "SERVICE",
      enableECSManagedTags: true,
    };
    expect(create).toEqual({
      ...shared,
      serviceName: "default-web",
      launchType: "FARGATE",
      tags: OWNER_TAGS,
      clientToken: clientTokenOf({ uid: UID, generation: 4 }),
    });
    expect(update).toEqual({ ...shared, service: "default-web" });
  });

  it("derives a client token of at most 36 characters that changes with the generation", () => {
    const token = clientTokenOf({ uid: UID, generation: 4 });
    expect(token.length).toBeLessThanOrEqual(36);
    expect(clientTokenOf({ uid: UID, generation: 4 })).toBe(token);
    expect(clientTokenOf({ uid: UID, generation: 5 })).not.toBe(token);
  });

  it("gives a record written again at the same key (same uid, generation 1 again) another client token", () => {
    const first = clientTokenOf({ uid: UID, generation: 1, creationTimestamp: "2026-12-01T10:00:00.000Z" });
    const again = clientTokenOf({ uid: UID, generation: 1, creationTimestamp: "2026-12-06T09:30:00.000Z" });
    expect(again).not.toBe(first);
  });

  it("points A-only registries at the Cloud Map service without a port", () => {
    const { create } = renderEcsService(withCloudMap({}), contextFor("web", "default"), {
      taskDefinitionArn: TD_ARN,
      cloudMapServiceArn: SRV_ARN,
    });
    expect(create.serviceRegistries).toEqual([{ registryArn: SRV_ARN }]);
    expect(create.networkConfiguration?.awsvpcConfiguration?.assignPublicIp).toBe("ENABLED");
  });

  it("names the container and port for SRV: cloudMap.port, else the first port", () => {
    const context = contextFor("web", "default");
    const refs = { taskDefinitionArn: TD_ARN, cloudMapServiceArn: SRV_ARN };
    const spec = withCloudMap({ records: ["A", "SRV"], port: 9090 });
    expect(renderEcsService(spec, context, refs).create.serviceRegistries).toEqual([
      { registryArn: SRV_ARN, containerName: "web", containerPort: 9090 },
    ]);
    // The schema asks for a port with SRV; the renderer still picks one if it is missing.
    delete spec.discovery?.cloudMap?.port;
    expect(renderEcsService(spec, context, refs).create.serviceRegistries).toEqual([
      { registryArn: SRV_ARN, containerName: "web", containerPort: 8080 },
    ]);
  });

  it("refuses a Cloud Map service without its ARN", () => {
    expect(() =>
      renderEcsService(withCloudMap({}), contextFor("web", "default"), { taskDefinitionArn: TD_ARN }),
    ).toThrow(RenderError);
  });

  it("carries the deployment settings", () => {
    const spec = withCloudMap(
      {},
      {
        deployment: {
          minimumHealthyPercent: 50,
          maximumPercent: 150,
          circuitBreaker: { enable: true, rollback: false },
        },
      },
    );
    const { create } = renderEcsService(spec, contextFor("web", "default"), {
      taskDefinitionArn: TD_ARN,
      cloudMapServiceArn: SRV_ARN,
    });
    expect(create.deploymentConfiguration).toEqual({
      deploymentCircuitBreaker: { enable: true, rollback: false },
      minimumHealthyPercent: 50,
      maximumPercent: 150,
    });
  });
});

describe("renderCloudMapService", () => {
  it("renders A records by default", () => {
    expect(renderCloudMapService(withCloudMap({}), contextFor("web", "default"), "ns-123")).toEqual({
      Name: "web",
      NamespaceId: "ns-123",
      CreatorRequestId: UID,
      Description: "FargateService default/web",
      DnsConfig: { RoutingPolicy: "MULTIVALUE", DnsRecords: [{ Type: "A", TTL: 10 }] },
      HealthCheckCustomConfig: {},
      Tags: OWNER_TAGS.map(({ key, value }) => ({ Key: key, Value: value })),
    });
  });

  it("renders A and SRV with the TTL and the configured name", () => {
    const spec = withCloudMap({ records: ["A", "SRV"], port: 8080, dnsTtl: 30, serviceName: "api" });
    const input = renderCloudMapService(spec, contextFor("web", "default"), "ns-123");
    expect(input.Name).toBe("api");
    expect(input.DnsConfig).toEqual({
      RoutingPolicy: "MULTIVALUE",
      DnsRecords: [
        { Type: "A", TTL: 30 },
        { Type: "SRV", TTL: 30 },
      ],
    });
  });
});

describe("renderEndpoints", () => {
  it("gives the Cloud Map and Consul names of the payments-api example", () => {
    const doc = exampleService("services/payments-api.yaml");
    expect(renderEndpoints(doc.spec, doc.metadata, "apps.internal")).toEqual({
      cloudMap: "payments-api.apps.internal",
      consul: "payments-api.service.consul",
    });
    expect(renderEndpoints(doc.spec, doc.metadata, "apps.internal", "aws-")).toEqual({
      cloudMap: "payments-api.apps.internal",
      consul: "aws-payments-api.service.consul",
    });
  });

  it("uses the configured names and leaves out what is not asked for", () => {
    const spec = withCloudMap({ serviceName: "api" }, {});
    expect(renderEndpoints(spec, { name: "web" }, "apps.internal")).toEqual({
      cloudMap: "api.apps.internal",
    });
    expect(renderEndpoints(minimalSpec(), { name: "web" }, "apps.internal")).toEqual({});
  });
});
