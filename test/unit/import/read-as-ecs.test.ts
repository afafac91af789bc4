/**
 * Import reads ECS JSON as ECS reads it: "" in an enum and null are absent, numbers and booleans written as
 * strings are numbers and booleans; Service Connect, tags of task and service, and what cannot be carried.
 */
import { describe, expect, it } from "vitest";
import {
  ImportInputError,
  importFargateService,
  parseText,
  serviceInputOf,
  taskDefinitionInputOf,
} from "../../../src/import/index.js";
import { createServiceInput, registerInput } from "./inputs.js";

type Json = Record<string, unknown>;
type Spec = Json & { containers: Json[] };

function withContainer(patch: Json, task: Json = {}): Json {
  const td = registerInput();
  const [app] = td.containerDefinitions as Json[];
  return { ...td, ...task, containerDefinitions: [{ ...app, ...patch }] };
}

const run = (taskDefinition: Json, service?: Json) =>
  importFargateService({ taskDefinition, ...(service === undefined ? {} : { service }) });
const specOf = (result: { document: Json }) => result.document.spec as Spec;

describe("ECS JSON read as ECS reads it", () => {
  it('takes "" in an enum-typed member as absent, noted once per member path (ecspresso, Go SDK v2)', () => {
    const td = withContainer(
      {
        versionConsistency: "",
        portMappings: [
          { containerPort: 8080, hostPort: 8080, protocol: "tcp", appProtocol: "", name: "web" },
          { containerPort: 9090, protocol: "tcp", appProtocol: "" },
        ],
      },
      { ipcMode: "", pidMode: "" },
    );
    const result = run(td, { ...createServiceInput(), launchType: "", tags: [] });
    expect(result.losses).toEqual([]);
    expect(specOf(result).containers[0]?.ports).toEqual([
      { containerPort: 8080, protocol: "tcp", name: "web" },
      { containerPort: 9090, protocol: "tcp" },
    ]);
    const notes = result.notes.filter((n) => n.includes('"" read as absent'));
    expect(notes.map((n) => n.split(":")[0])).toEqual([
      "containerDefinitions[].portMappings[].appProtocol",
      "containerDefinitions[].versionConsistency",
      "ipcMode",
      "pidMode",
      "launchType",
    ]);
  });

  it("takes null anywhere as absent", () => {
    const td = withContainer(
      { memoryReservation: null, healthCheck: null, user: null },
      { taskRoleArn: null },
    );
    const service = { ...createServiceInput(), healthCheckGracePeriodSeconds: null, loadBalancers: null };
    const result = run(td, service);
    expect(result.losses).toEqual([]);
    expect(specOf(result).iam).toEqual({ executionRoleArn: "arn:aws:iam::123456789012:role/ecs-exec" });
  });

  it("reads numbers and booleans written as strings where ECS's model wants them, and values as text", () => {
    const td = withContainer({
      cpu: "256",
      memory: "512",
      essential: "true",
      readonlyRootFilesystem: "false",
      portMappings: [{ containerPort: "8080", hostPort: "8080", protocol: "tcp" }],
      environment: [{ name: "PORT", value: 8080 }],
      dockerLabels: { weight: 3 },
    });
    const result = run(td, { ...createServiceInput(), desiredCount: "3", enableExecuteCommand: "true" });
    expect(result.losses).toEqual([]);
    const [app] = specOf(result).containers;
    expect(app).toMatchObject({
      cpu: 256,
      memory: 512,
      essential: true,
      readonlyRootFilesystem: false,
      ports: [{ containerPort: 8080, protocol: "tcp" }],
      environment: { PORT: "8080" },
      dockerLabels: { weight: "3" },
    });
    expect(specOf(result)).toMatchObject({ desiredCount: 3, enableExecuteCommand: true });
    expect(result.notes).toContain(
      "containerDefinitions[].cpu: a number written as a string, read as the number (ECS's model wants a integer)",
    );
  });

  it("renders a container without essential back as essential, as ECS reads it", () => {
    const td = registerInput();
    const [app] = td.containerDefinitions as Json[];
    const { essential: _e, ...rest } = app as Json;
    expect(run({ ...td, containerDefinitions: [rest] }, createServiceInput()).losses).toEqual([]);
  });

  it("loses valueFrom on an environment entry and value on a secret, with why", () => {
    const td = withContainer({
      environment: [
        { name: "DB_USER", valueFrom: "arn:aws:secretsmanager:eu-west-1:1:secret:db:username::" },
      ],
      secrets: [{ name: "TOKEN", value: "plain" }],
    });
    expect(run(td).losses).toEqual(
      expect.arrayContaining([
        {
          path: "containerDefinitions[0].environment[0].valueFrom",
          why: expect.stringMatching(/belongs in secrets/),
        },
        { path: "containerDefinitions[0].secrets[0].value", why: expect.stringMatching(/takes valueFrom/) },
      ]),
    );
  });

  it("loses a secret named like an environment variable, as ECS documents", () => {
    const td = withContainer({
      secrets: [{ name: "A", valueFrom: "arn:aws:ssm:eu-west-1:123456789012:parameter/a" }],
    });
    expect(run(td).losses[0]).toEqual({
      path: "containerDefinitions[0].secrets[0]",
      why: expect.stringMatching(/^A is also an environment variable; ECS documents/),
    });
  });

  it("carries a service without security groups as ECS runs it: the VPC's default group, noted", () => {
    const service = createServiceInput();
    const awsvpc = { subnets: ["subnet-1"], securityGroups: null };
    const result = run(registerInput(), {
      ...service,
      networkConfiguration: { awsvpcConfiguration: awsvpc },
    });
    expect(result.losses).toEqual([]);
    expect((result.document.spec as { network: Record<string, unknown> }).network).not.toHaveProperty(
      "securityGroups",
    );
    expect(result.notes.join("\n")).toMatch(
      /securityGroups: none given: ECS uses the VPC's default security group/,
    );
  });
});

describe("service and task fields import carries", () => {
  it("turns Service Connect's namespace (name or ARN) into namespaceRef, noted, and compares the rest", () => {
    const connect = {
      enabled: true,
      namespace: "shop.local",
      services: [{ portName: "web", discoveryName: "orders", clientAliases: [{ port: 80 }] }],
    };
    const td = withContainer({ portMappings: [{ containerPort: 8080, name: "web", appProtocol: "http" }] });
    const byName = run(td, { ...createServiceInput(), serviceConnectConfiguration: connect });
    expect(byName.losses).toEqual([]);
    expect(specOf(byName).serviceConnectConfiguration).toEqual({
      enabled: true,
      services: connect.services,
      namespaceRef: { name: "shop-local" },
    });
    expect(byName.notes.join("\n")).toMatch(
      /namespaceRef: shop-local stands for Cloud Map namespace shop.local/,
    );
    const arn = "arn:aws:servicediscovery:eu-west-1:123456789012:namespace/ns-abc123";
    const byArn = run(td, {
      ...createServiceInput(),
      serviceConnectConfiguration: { ...connect, namespace: arn },
    });
    expect(byArn.losses).toEqual([]);
    expect(specOf(byArn).serviceConnectConfiguration).toMatchObject({ namespaceRef: { name: "ns-abc123" } });
  });

  it("carries VPC Lattice and zone rebalancing under ECS's names", () => {
    const td = withContainer({ portMappings: [{ containerPort: 8080, name: "web" }] });
    const lattice = [
      {
        roleArn: "arn:aws:iam::123456789012:role/lattice",
        targetGroupArn: "arn:aws:vpc-lattice:eu-west-1:123456789012:targetgroup/tg-0123456789abcdef0",
        portName: "web",
      },
    ];
    const service = {
      ...createServiceInput(),
      vpcLatticeConfigurations: lattice,
      availabilityZoneRebalancing: "DISABLED",
    };
    const result = run(td, service);
    expect(result.losses).toEqual([]);
    expect(specOf(result)).toMatchObject({
      vpcLatticeConfigurations: lattice,
      availabilityZoneRebalancing: "DISABLED",
    });
  });

  it("notes requiresCompatibilities other than FARGATE when FARGATE is among them", () => {
    const result = run(
      { ...registerInput(), requiresCompatibilities: ["EC2", "FARGATE"] },
      createServiceInput(),
    );
    expect(result.losses).toEqual([]);
    expect(result.notes).toContain(
      "requiresCompatibilities: EC2 dropped; the operator registers the task definition for FARGATE only",
    );
  });

  it("puts the service's tags in spec.tags and the task definition's differing keys in taskDefinitionTags", () => {
    const td = {
      ...registerInput(),
      tags: [
        { key: "Name", value: "orders-task" },
        { key: "team", value: "shop" },
      ],
    };
    const service = {
      ...createServiceInput(),
      tags: [
        { key: "Name", value: "orders-service" },
        { key: "team", value: "shop" },
      ],
    };
    const result = run(td, service);
    expect(result.losses).toEqual([]);
    expect(specOf(result)).toMatchObject({
      tags: { Name: "orders-service", team: "shop" },
      taskDefinitionTags: { Name: "orders-task" },
    });
    const alone = run(td);
    expect(specOf(alone).tags).toEqual({ Name: "orders-task", team: "shop" });
    expect(specOf(alone).taskDefinitionTags).toBeUndefined();
  });
});

describe("reading files", () => {
  it("skips a byte-order mark and reads YAML", () => {
    const json = `\uFEFF${JSON.stringify(registerInput())}`;
    expect(taskDefinitionInputOf(json, "td.json").taskDefinition.family).toBe("orders");
    const yaml = "cluster: apps\nserviceName: orders\ndesiredCount: 1\n";
    expect(serviceInputOf(yaml, "svc.yaml")).toMatchObject({ cluster: "apps", desiredCount: 1 });
  });

  it("refuses JSON that is not valid (a trailing comma) with where it breaks, rather than reading it as YAML", () => {
    expect(() => parseText('{\n  "family": "x",\n}', "td.json")).toThrow(ImportInputError);
    expect(() => parseText('{\n  "family": "x",\n}', "td.json")).toThrow(
      /^td\.json: not valid JSON \(.* line 3 column 1\)$/,
    );
  });

  it("reads a Terraform template with bare $-placeholders and loses each where ECS wants a number", () => {
    const $ = "$"; // Terraform's templatefile syntax, kept out of template literals
    const text = `[{"name": "app", "image": "${$}{image}", "cpu": ${$}{cpu}, "essential": true}]`;
    const result = importFargateService(taskDefinitionInputOf(text, "containers.json.tpl"));
    expect(result.losses).toEqual([
      {
        path: "containerDefinitions[0].cpu",
        why: expect.stringMatching(/^template expression "\$\{cpu\}" where ECS wants a number/),
      },
    ]);
  });

  it("says why describe-services found no service", () => {
    const output = {
      services: [],
      failures: [{ arn: "arn:aws:ecs:eu-west-1:1:service/apps/x", reason: "MISSING" }],
    };
    expect(() => serviceInputOf(JSON.stringify(output), "svc.json")).toThrow(
      "svc.json: describe-services found no service (arn:aws:ecs:eu-west-1:1:service/apps/x: MISSING)",
    );
  });
});
