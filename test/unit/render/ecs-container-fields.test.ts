import { describe, expect, it } from "vitest";
import {
  renderCloudMapServiceTags,
  renderEcsService,
  renderTaskDefinition,
} from "../../../src/render/index.js";
import { contextFor, validSpec } from "./fixtures.js";

const base = {
  cluster: "apps",
  cpu: 256,
  memory: 512,
  network: { subnets: ["subnet-1"], securityGroups: ["sg-1"] },
  iam: {
    taskRoleArn: "arn:aws:iam::123456789012:role/web",
    executionRoleArn: "arn:aws:iam::123456789012:role/ecs-task-execution",
  },
};

/** Renders a service whose one container has `fields` beside name and image. */
function render(fields: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const spec = validSpec({
    ...base,
    ...extra,
    containers: [{ name: "web", image: "nginx:1.27", ...fields }],
  });
  return renderTaskDefinition(spec, contextFor("web", "default"));
}

describe("ECS container fields in the task definition", () => {
  const fields = {
    memoryReservation: 128,
    user: "1000:1000",
    readonlyRootFilesystem: true,
    stopTimeout: 60,
    ulimits: [{ name: "nofile", softLimit: 4096, hardLimit: 8192 }],
    linuxParameters: { initProcessEnabled: true },
    dockerLabels: { team: "payments" },
    firelensConfiguration: { type: "fluentbit", options: { "enable-ecs-log-metadata": "true" } },
  };

  it("reach containerDefinitions unchanged", () => {
    const container = render(fields).input.containerDefinitions?.[0];
    expect(container).toMatchObject(fields);
  });

  it("are covered by the content hash: a change registers a new revision", () => {
    const before = render(fields).hash;
    expect(render(fields).hash).toBe(before);
    expect(render({ ...fields, stopTimeout: 90 }).hash).not.toBe(before);
    expect(render({ ...fields, dockerLabels: { team: "search" } }).hash).not.toBe(before);
  });

  it("a container's logConfiguration replaces the awslogs settings of spec.logging", () => {
    // splunk: awsfirelens would need a log-router container beside this one (a spec without one is refused).
    const logConfiguration = {
      logDriver: "splunk",
      options: { "splunk-url": "https://splunk.example:8088", "splunk-source": "web" },
    };
    const { input } = render({ logConfiguration }, { logging: { logGroup: "/ecs/web" } });
    expect(input.containerDefinitions?.[0]?.logConfiguration).toEqual(logConfiguration);
  });

  it("keeps the user's mountPoints and dependsOn beside the Vault agent's", () => {
    const { input } = render(
      {
        mountPoints: [{ sourceVolume: "vault-secrets", containerPath: "/extra", readOnly: true }],
        dependsOn: [{ containerName: "vault-agent", condition: "START" }],
      },
      {
        cpu: 512,
        memory: 1024,
        vault: { role: "web", address: "https://vault:8200", secrets: [{ name: "a.env", path: "kv/a" }] },
      },
    );
    const web = input.containerDefinitions?.find((c) => c.name === "web");
    expect(web?.mountPoints).toHaveLength(2);
    expect(web?.mountPoints?.[0]).toEqual({
      sourceVolume: "vault-secrets",
      containerPath: "/extra",
      readOnly: true,
    });
    expect(web?.dependsOn).toHaveLength(2);
    expect(web?.dependsOn?.[0]).toEqual({ containerName: "vault-agent", condition: "START" });
  });
});

describe("ECS task-level fields in the task definition", () => {
  const task = {
    volumes: [
      { name: "shared", efsVolumeConfiguration: { fileSystemId: "fs-1", transitEncryption: "ENABLED" } },
    ],
    ephemeralStorage: { sizeInGiB: 50 },
    pidMode: "task",
    enableFaultInjection: true,
  };
  const mount = { mountPoints: [{ sourceVolume: "shared", containerPath: "/mnt" }] };

  it("reach RegisterTaskDefinition unchanged and are covered by the hash", () => {
    const { input, hash } = render(mount, task);
    expect(input).toMatchObject(task);
    expect(render(mount, { ...task, ephemeralStorage: { sizeInGiB: 60 } }).hash).not.toBe(hash);
  });

  it("keep the user's volumes beside the Vault agent's", () => {
    const { input } = render(mount, {
      ...task,
      cpu: 512,
      memory: 1024,
      vault: { role: "web", address: "https://vault:8200", secrets: [{ name: "a.env", path: "kv/a" }] },
    });
    expect(input.volumes?.map((v) => v.name)).toEqual(["shared", "vault-secrets"]);
  });
});

describe("spec.tags", () => {
  it("are on the task definition, the ECS service and the Cloud Map service, beside ours, outside the hash", () => {
    const tags = { team: "search", "cost-center": "42" };
    const { input, hash } = render({}, { tags });
    expect(input.tags?.slice(0, 2)).toEqual([
      { key: "cost-center", value: "42" },
      { key: "team", value: "search" },
    ]);
    expect(input.tags?.map((t) => t.key)).toContain("fargate-operator:uid");
    expect(render({}).hash).toBe(hash);
    const spec = validSpec({ ...base, tags, containers: [{ name: "web", image: "nginx:1.27" }] });
    const context = contextFor("web", "default");
    const service = renderEcsService(spec, context, { taskDefinitionArn: "arn:td" }).create;
    expect(service.tags).toEqual(expect.arrayContaining([{ key: "team", value: "search" }]));
    expect(renderCloudMapServiceTags(spec, context)).toMatchObject(tags);
  });
});

describe("spec.taskDefinitionTags", () => {
  it("are merged over spec.tags on the task definition only, outside the hash", () => {
    const tags = { Name: "orders-service", team: "shop" };
    const { input, hash } = render({}, { tags, taskDefinitionTags: { Name: "orders-task", extra: "1" } });
    expect(input.tags?.slice(0, 3)).toEqual([
      { key: "Name", value: "orders-task" },
      { key: "extra", value: "1" },
      { key: "team", value: "shop" },
    ]);
    expect(render({}, { tags }).hash).toBe(hash);
    const spec = validSpec({
      ...base,
      tags,
      taskDefinitionTags: { Name: "orders-task" },
      containers: [{ name: "web", image: "nginx:1.27" }],
    });
    const service = renderEcsService(spec, contextFor("web", "default"), {
      taskDefinitionArn: "arn:td",
    }).create;
    expect(service.tags).toEqual(expect.arrayContaining([{ key: "Name", value: "orders-service" }]));
    expect(service.tags?.map((t) => t.key)).not.toContain("extra");
  });
});
