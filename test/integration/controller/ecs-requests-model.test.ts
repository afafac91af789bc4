/**
 * Issue 14: every ECS request the controller sends for the ECS fields of a FargateService is valid against AWS's
 * own model. The strict simulator checks each request body against the `<Operation>Request` shape of
 * schemas/ecs-shapes.schema.json (generated from botocore) and records it; this suite reconciles a service using
 * the new fields through create, an update and deletion, then reads the record back from `GET /_sim/requests`.
 */
import { CreateClusterCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadDocuments } from "../../../src/cli/input.js";
import type { CheckedRequest } from "../../../src/dev/aws-sim/index.js";
import type { ResourceDocument } from "../../../src/store/types.js";
import { clientsFor } from "../aws-sim/support.js";
import { isReady, type ReconcileBench, startReconcileBench } from "./reconcile-harness.js";

const ROLE = "arn:aws:iam::123456789012:role/ecs-task-execution";
const TARGET_GROUP =
  "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/search/0123456789abcdef";

const APP_FIELDS = {
  memoryReservation: 256,
  ulimits: [{ name: "nofile", softLimit: 4096, hardLimit: 8192 }],
  linuxParameters: { initProcessEnabled: true, capabilities: { add: ["SYS_PTRACE"] } },
  dockerLabels: { team: "search" },
  mountPoints: [{ sourceVolume: "shared", containerPath: "/mnt/shared", readOnly: true }],
  dependsOn: [{ containerName: "log-router", condition: "START" }],
  logConfiguration: {
    logDriver: "awsfirelens",
    options: { Name: "cloudwatch", region: "us-east-1", log_group_name: "/ecs/search" },
  },
};

const LOG_ROUTER = {
  name: "log-router",
  image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable",
  firelensConfiguration: { type: "fluentbit", options: { "enable-ecs-log-metadata": "true" } },
  memoryReservation: 50,
};

const ENVOY = {
  name: "envoy",
  image: "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29",
  memoryReservation: 128,
};

const TASK_FIELDS = {
  volumes: [
    { name: "scratch" },
    {
      name: "shared",
      efsVolumeConfiguration: { fileSystemId: "fs-0123456789abcdef0", transitEncryption: "ENABLED" },
    },
  ],
  ephemeralStorage: { sizeInGiB: 50 },
  pidMode: "task",
  runtimePlatform: { cpuArchitecture: "ARM64", operatingSystemFamily: "LINUX" },
  enableFaultInjection: true,
  proxyConfiguration: {
    type: "APPMESH",
    containerName: "envoy",
    properties: [
      { name: "IgnoredUID", value: "1337" },
      { name: "ProxyIngressPort", value: "15000" },
      { name: "ProxyEgressPort", value: "15001" },
      { name: "AppPorts", value: "8080" },
      { name: "EgressIgnoredIPs", value: "169.254.170.2,169.254.169.254" },
    ],
  },
};

const SERVICE_FIELDS = {
  loadBalancers: [{ targetGroupArn: TARGET_GROUP, containerName: "app", containerPort: 8080 }],
  healthCheckGracePeriodSeconds: 30,
  capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
  enableExecuteCommand: true,
  platformVersion: "1.4.0",
  propagateTags: "TASK_DEFINITION",
  deployment: { alarms: { alarmNames: ["search-5xx"], enable: true, rollback: true }, bakeTimeInMinutes: 5 },
};

/** The FargateService, validated and defaulted as `apply` would store it. */
function searchService(image: string, service: Record<string, unknown>): ResourceDocument {
  const document = {
    apiVersion: "fargate-operator/v1alpha1",
    kind: "FargateService",
    metadata: { name: "search", namespace: "team-search" },
    spec: {
      cluster: "apps",
      cpu: 1024,
      memory: 2048,
      desiredCount: 2,
      containers: [
        { name: "app", image, ports: [{ containerPort: 8080 }], ...APP_FIELDS },
        LOG_ROUTER,
        ENVOY,
      ],
      network: { subnets: ["subnet-0123456789abcdef0"], securityGroups: ["sg-0123456789abcdef0"] },
      iam: { executionRoleArn: ROLE, taskRoleArn: "arn:aws:iam::123456789012:role/search" },
      ...TASK_FIELDS,
      ...service,
    },
  };
  const loaded = loadDocuments([{ source: "search.json", text: JSON.stringify(document) }]);
  if (loaded.errors.length > 0) throw new Error(loaded.errors.join("\n"));
  const [first] = loaded.documents;
  if (first === undefined) throw new Error("no document");
  return first.document;
}

/** What the strict simulator recorded, read through its control endpoint as any tool would. */
async function recorded(bench: ReconcileBench): Promise<{ invalid: number; requests: CheckedRequest[] }> {
  const response = await fetch(`${bench.sim.endpoint}/_sim/requests`);
  expect(response.status).toBe(200);
  return (await response.json()) as { invalid: number; requests: CheckedRequest[] };
}

function bodiesOf(requests: readonly CheckedRequest[], operation: string): Record<string, unknown>[] {
  return requests.filter((r) => r.operation === operation).map((r) => r.body as Record<string, unknown>);
}

let bench: ReconcileBench;

beforeEach(async () => {
  bench = await startReconcileBench({ sim: { mode: "strict" } });
  const { ecs } = clientsFor(bench.sim.endpoint);
  await ecs.send(new CreateClusterCommand({ clusterName: "apps" }));
  ecs.destroy();
  bench.sim.control.resetRequests();
});

afterEach(async () => {
  await bench.close();
});

describe("ECS requests of the new fields against AWS's model (strict simulator)", () => {
  it("create, update and delete send only requests valid against the generated schema, carrying the fields", async () => {
    await bench.store.apply(
      searchService("registry.example/search:1.0.0", { ...SERVICE_FIELDS, tags: { team: "search" } }),
    );
    // Deployment alarms with a 5-minute bake: each rollout bakes before Ready (5 s polls).
    await bench.converge("FargateService", "team-search", "search", isReady, 120);

    await bench.store.apply(
      searchService("registry.example/search:1.1.0", {
        ...SERVICE_FIELDS,
        healthCheckGracePeriodSeconds: 90,
        tags: { team: "discovery" },
      }),
    );
    await bench.converge(
      "FargateService",
      "team-search",
      "search",
      (r) => isReady(r) && String(r?.status?.taskDefinitionArn).endsWith(":2"),
      120,
    );

    await bench.store.delete("FargateService", "team-search", "search");
    await bench.converge("FargateService", "team-search", "search", (r) => r === undefined);

    const { invalid, requests } = await recorded(bench);
    const violations = requests.flatMap((r) => r.violations.map((v) => `${r.operation}: ${v.constraint}`));
    expect(violations).toEqual([]);
    expect(invalid).toBe(0);
    const operations = new Set(requests.map((r) => r.operation));
    for (const op of [
      "RegisterTaskDefinition",
      "CreateService",
      "UpdateService",
      "TagResource",
      "DeleteService",
      "DeregisterTaskDefinition",
    ])
      expect(operations, op).toContain(op);

    // The fields really went out (the check cannot pass on requests that lack them).
    const registered = bodiesOf(requests, "RegisterTaskDefinition");
    expect(registered).toHaveLength(2);
    for (const body of registered) {
      expect(body).toMatchObject(TASK_FIELDS);
      const containers = body.containerDefinitions as Record<string, unknown>[];
      expect(containers.find((c) => c.name === "app")).toMatchObject(APP_FIELDS);
      expect(containers.find((c) => c.name === "log-router")).toMatchObject(LOG_ROUTER);
      expect(body.tags).toEqual(expect.arrayContaining([{ key: "team", value: expect.any(String) }]));
    }
    const [created] = bodiesOf(requests, "CreateService");
    const { deployment, ...serviceFields } = SERVICE_FIELDS;
    expect(created).toMatchObject({
      ...serviceFields,
      tags: expect.arrayContaining([{ key: "team", value: "search" }]),
    });
    expect(created?.deploymentConfiguration).toMatchObject(deployment);
    const updates = bodiesOf(requests, "UpdateService");
    expect(updates).toContainEqual(
      expect.objectContaining({
        taskDefinition: expect.stringMatching(/team-search-search:2$/),
        healthCheckGracePeriodSeconds: 90,
      }),
    );
    expect(bodiesOf(requests, "TagResource")).toContainEqual(
      expect.objectContaining({ tags: expect.arrayContaining([{ key: "team", value: "discovery" }]) }),
    );
  });

  it("refuses a request that breaks the model, naming the member, and records it as invalid", async () => {
    const { ecs } = clientsFor(bench.sim.endpoint);
    const refused = await ecs
      .send(
        new RegisterTaskDefinitionCommand({
          family: "bad",
          requiresCompatibilities: ["FARGATE"],
          networkMode: "awsvpc",
          cpu: "256",
          memory: "512",
          containerDefinitions: [
            // The SDK's types allow only ECS's names; a hand-written JSON or an old renderer does not.
            {
              name: "app",
              image: "nginx:1",
              ulimits: [{ name: "open-files" as "nofile", softLimit: 1, hardLimit: 1 }],
            },
          ],
        }),
      )
      .then(
        () => undefined,
        (error: unknown) => error as Error,
      );
    ecs.destroy();
    expect(refused?.name).toBe("ClientException");
    expect(refused?.message).toContain(
      "Value 'open-files' at 'containerDefinitions.1.member.ulimits.1.member.name' failed to satisfy constraint: Member must satisfy enum value set",
    );
    const { invalid, requests } = await recorded(bench);
    expect(invalid).toBe(1);
    expect(requests.map((r) => [r.operation, r.violations.map((v) => v.path)])).toEqual([
      ["RegisterTaskDefinition", ["containerDefinitions.1.member.ulimits.1.member.name"]],
    ]);
  });
});
