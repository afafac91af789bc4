/**
 * ECS's own fields on a FargateService (issue 14), on containers and on the task, end to end on the AWS
 * simulator: they reach ECS unchanged,
 * DescribeTaskDefinition returns them, and changing one registers a new revision.
 */
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadDocuments } from "../../../src/cli/input.js";
import type { ResourceDocument } from "../../../src/store/types.js";
import { clientsFor } from "../aws-sim/support.js";
import { isReady, type ReconcileBench, startReconcileBench } from "./reconcile-harness.js";

const CONTAINER_FIELDS = {
  memoryReservation: 128,
  user: "1000:1000",
  workingDirectory: "/srv",
  readonlyRootFilesystem: true,
  stopTimeout: 60,
  ulimits: [{ name: "nofile", softLimit: 4096, hardLimit: 8192 }],
  linuxParameters: { initProcessEnabled: true, capabilities: { add: ["SYS_PTRACE"] } },
  dockerLabels: { team: "search" },
  mountPoints: [{ sourceVolume: "shared", containerPath: "/mnt/shared", readOnly: true }],
  dependsOn: [{ containerName: "log-router", condition: "START" }],
  logConfiguration: {
    logDriver: "awsfirelens",
    options: {
      Name: "cloudwatch",
      region: "eu-west-1",
      log_group_name: "/ecs/search",
      auto_create_group: "true",
    },
  },
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
};

const LOG_ROUTER = {
  name: "log-router",
  image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable",
  firelensConfiguration: { type: "fluentbit", options: { "enable-ecs-log-metadata": "true" } },
  memoryReservation: 50,
};

const SERVICE_FIELDS = {
  loadBalancers: [
    {
      targetGroupArn:
        "arn:aws:elasticloadbalancing:eu-west-1:000000000000:targetgroup/search/0123456789abcdef",
      containerName: "app",
      containerPort: 8080,
    },
  ],
  healthCheckGracePeriodSeconds: 30,
  capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
  enableExecuteCommand: true,
  platformVersion: "1.4.0",
  propagateTags: "NONE",
  enableECSManagedTags: false,
  deployment: { alarms: { alarmNames: ["search-5xx"], enable: true, rollback: true }, bakeTimeInMinutes: 5 },
};

/** A validated FargateService whose app container carries `fields` (and the spec `service` fields). */
function searchService(
  fields: Record<string, unknown>,
  service: Record<string, unknown> = {},
): ResourceDocument {
  const document = {
    apiVersion: "fargate-operator/v1alpha1",
    kind: "FargateService",
    metadata: { name: "search", namespace: "team-search" },
    spec: {
      cluster: "apps",
      cpu: 512,
      memory: 1024,
      desiredCount: 1,
      containers: [
        { name: "app", image: "registry.example/search:1.0.0", ports: [{ containerPort: 8080 }], ...fields },
        LOG_ROUTER,
      ],
      network: { subnets: ["subnet-1"], securityGroups: ["sg-1"] },
      iam: { executionRoleArn: "arn:aws:iam::000000000000:role/ecs-task-execution" },
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

let bench: ReconcileBench;

beforeEach(async () => {
  bench = await startReconcileBench();
});

afterEach(async () => {
  await bench.close();
});

describe("ECS container and task fields on the simulator", () => {
  it("reach Ready, DescribeTaskDefinition returns them, and a change registers a new revision", async () => {
    await bench.store.apply(searchService(CONTAINER_FIELDS));
    const record = await bench.converge("FargateService", "team-search", "search", isReady);
    const arn = String(record?.status?.taskDefinitionArn);
    expect(arn).toMatch(/:task-definition\/team-search-search:1$/);
    const { ecs } = clientsFor(bench.sim.endpoint);
    const described = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
    expect(described.taskDefinition).toMatchObject(TASK_FIELDS);
    const containers = described.taskDefinition?.containerDefinitions ?? [];
    expect(containers.find((c) => c.name === "app")).toMatchObject(CONTAINER_FIELDS);
    expect(containers.find((c) => c.name === "log-router")).toMatchObject(LOG_ROUTER);

    await bench.store.apply(searchService({ ...CONTAINER_FIELDS, stopTimeout: 90 }));
    const changed = await bench.converge(
      "FargateService",
      "team-search",
      "search",
      (r) => isReady(r) && String(r?.status?.taskDefinitionArn).endsWith(":2"),
    );
    const second = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: String(changed?.status?.taskDefinitionArn) }),
    );
    expect(second.taskDefinition?.containerDefinitions?.find((c) => c.name === "app")?.stopTimeout).toBe(90);
  });

  it("service fields and tags reach ECS; steady state makes no UpdateService call; a tag change only tags", async () => {
    await bench.store.apply(
      searchService(CONTAINER_FIELDS, {
        ...SERVICE_FIELDS,
        tags: { team: "search" },
        taskDefinitionTags: { Name: "search-task" },
      }),
    );
    // SERVICE_FIELDS' deployment alarms bake 5 minutes before Ready (5 s polls).
    const record = await bench.converge("FargateService", "team-search", "search", isReady, 120);
    const { ecs } = clientsFor(bench.sim.endpoint);
    const described = await ecs.send(
      new DescribeServicesCommand({
        cluster: "apps",
        services: [String(record?.status?.serviceArn)],
        include: ["TAGS"],
      }),
    );
    const service = described.services?.[0];
    const { deployment, ...serviceFields } = SERVICE_FIELDS;
    expect(service).toMatchObject(serviceFields);
    expect(service?.deploymentConfiguration).toMatchObject(deployment);
    expect(service?.launchType).toBeUndefined();
    expect(service?.tags).toEqual(expect.arrayContaining([{ key: "team", value: "search" }]));
    const td = await ecs.send(
      new DescribeTaskDefinitionCommand({
        taskDefinition: String(record?.status?.taskDefinitionArn),
        include: ["TAGS"],
      }),
    );
    expect(td.tags).toEqual(
      expect.arrayContaining([
        { key: "team", value: "search" },
        { key: "Name", value: "search-task" },
      ]),
    );
    expect(service?.tags?.map((t) => t.key)).not.toContain("Name");
    bench.sim.control.resetCounters();
    for (let i = 0; i < 3; i++) await bench.pass("FargateService", "team-search", "search");
    const counters = bench.sim.control.counters();
    expect(counters["ecs:UpdateService"]?.calls ?? 0).toBe(0);
    expect(counters["ecs:RegisterTaskDefinition"]?.calls ?? 0).toBe(0);

    await bench.store.apply(
      searchService(CONTAINER_FIELDS, { ...SERVICE_FIELDS, tags: { team: "discovery" } }),
    );
    bench.sim.control.resetCounters();
    for (let i = 0; i < 3; i++) await bench.pass("FargateService", "team-search", "search");
    const after = bench.sim.control.counters();
    expect(after["ecs:TagResource"]?.calls).toBe(1);
    expect(after["ecs:UpdateService"]?.calls ?? 0).toBe(0);
    const retagged = await ecs.send(
      new DescribeServicesCommand({ cluster: "apps", services: ["team-search-search"], include: ["TAGS"] }),
    );
    expect(retagged.services?.[0]?.tags).toEqual(
      expect.arrayContaining([{ key: "team", value: "discovery" }]),
    );
  });
});
