/** `import` converts every shape teams keep ECS definitions in, and renders back to the same definitions. */
import { describe, expect, it } from "vitest";
import { importFargateService, parseText, serviceOf, taskDefinitionOf } from "../../../src/import/index.js";
import type { EcsInput } from "../../../src/import/types.js";
import { createServiceInput, describeOutput, describeServicesOutput, registerInput } from "./inputs.js";

function inputOf(td: unknown, service?: unknown): EcsInput {
  const found = taskDefinitionOf(td, "td.json");
  const input: EcsInput = { taskDefinition: found.taskDefinition, taskDefinitionTags: found.tags };
  if (service !== undefined) input.service = serviceOf(service, "svc.json");
  return input;
}

/** The parts of an imported spec the tests read. */
type ImportedSpec = Record<string, unknown> & {
  containers: Array<Record<string, unknown>>;
  iam: Record<string, string>;
  network: { subnets: string[] };
};
/** A Terraform templatefile placeholder, as a plain string. */
const TF_PLACEHOLDER = ["$", "{task_role_arn}"].join("");

const spec = (result: { document: Record<string, unknown> }) => result.document.spec as ImportedSpec;

describe("import of files", () => {
  it("turns register input and create-service input into one lossless FargateService", () => {
    const result = importFargateService(inputOf(registerInput(), createServiceInput()));
    expect(result.losses).toEqual([]);
    expect(result.document.metadata).toEqual({ name: "orders" });
    const s = spec(result);
    expect(s).toMatchObject({
      cluster: "apps",
      cpu: 256,
      memory: 512,
      desiredCount: 2,
      network: { subnets: ["subnet-1", "subnet-2"], securityGroups: ["sg-1"], assignPublicIp: false },
      iam: { taskRoleArn: "arn:aws:iam::123456789012:role/orders-task" },
      // ECS's effective values where our defaults differ.
      deployment: {
        minimumHealthyPercent: 50,
        maximumPercent: 200,
        circuitBreaker: { enable: false, rollback: false },
      },
      propagateTags: "NONE",
      enableECSManagedTags: false,
      // The service's tags on every resource; the task definition's own on its revisions only.
      tags: { owner: "shop" },
      taskDefinitionTags: { team: "orders" },
    });
    expect(s.containers[0]).toMatchObject({
      name: "app",
      ports: [{ containerPort: 8080, protocol: "tcp" }],
      environment: { A: "1", B: "2" },
      secrets: { DB: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf" },
      healthCheck: { command: ["CMD-SHELL", "curl -f localhost:8080"], intervalSeconds: 10 },
    });
    expect(s.adopt).toBeUndefined();
  });

  it("reads describe-task-definition and describe-services output, ignoring response-only fields", () => {
    const result = importFargateService(inputOf(describeOutput(), describeServicesOutput()));
    expect(result.losses).toEqual([]);
    expect(spec(result).cluster).toBe("apps");
    expect(JSON.stringify(result.document)).not.toMatch(/revision|registeredAt|runningCount|deployments/);
  });

  it("reads a bare container list (Terraform's container_definitions) and chooses a task size", () => {
    const containers = (registerInput().containerDefinitions as unknown[]).map((c) => ({
      ...(c as object),
      secrets: [],
      memory: 900,
    }));
    const result = importFargateService(inputOf(containers));
    expect(result.losses).toEqual([]);
    expect(spec(result)).toMatchObject({
      cpu: 256,
      memory: 1024,
      network: { subnets: ["subnet-REPLACE-ME"] },
    });
    expect(result.notes.join("\n")).toMatch(/no task size; 256\/1024 written/);
  });

  it("parses YAML and task sizes written as 1 vCPU / 2 GB", () => {
    const text =
      "family: web\ncpu: 1 vCPU\nmemory: 2GB\ncontainerDefinitions:\n  - name: web\n    image: nginx\n";
    const result = importFargateService(inputOf(parseText(text, "td.yaml").value));
    expect(result.losses).toEqual([]);
    expect(spec(result)).toMatchObject({ cpu: 1024, memory: 2048 });
  });

  it("keeps ecspresso template strings and reports one where a number belongs", () => {
    const text = JSON.stringify({
      ...registerInput(),
      taskRoleArn: "arn:aws:iam::{{ must_env `ACCOUNT` }}:role/x",
    });
    const service = `{"cluster":"apps","desiredCount": {{ must_env \`COUNT\` }},"networkConfiguration":{"awsvpcConfiguration":{"subnets":["{{ tfstate \`b\` }}","{{ tfstate \`a\` }}","{{ tfstate \`c\` }}"],"securityGroups":["sg-1"]}}}`;
    const td = taskDefinitionOf(parseText(text, "td.json").value, "td.json");
    const result = importFargateService({
      taskDefinition: td.taskDefinition,
      service: serviceOf(parseText(service, "svc.json").value, "svc.json"),
    });
    expect(spec(result).iam.taskRoleArn).toBe("arn:aws:iam::{{ must_env `ACCOUNT` }}:role/x");
    expect(spec(result).network.subnets).toEqual([
      "{{ tfstate `b` }}",
      "{{ tfstate `a` }}",
      "{{ tfstate `c` }}",
    ]);
    expect(result.losses).toEqual([
      { path: "desiredCount", why: expect.stringMatching(/template expression .* where ECS wants a number/) },
    ]);
    expect(result.notes.join("\n")).toMatch(/template expressions/);
  });

  it("takes an account written as one template expression in every ARN as the account (ecspresso)", () => {
    const account = "{{ must_env `AWS_ACCOUNT_ID` }}";
    const td = {
      family: "web",
      cpu: "256",
      memory: "512",
      executionRoleArn: `arn:aws:iam::${account}:role/exec`,
      taskRoleArn: "web-task",
      containerDefinitions: [
        {
          name: "web",
          image: "nginx",
          secrets: [{ name: "P", valueFrom: "/web/p" }],
          logConfiguration: { logDriver: "awslogs", options: { "awslogs-region": "eu-west-1" } },
        },
      ],
    };
    const result = importFargateService(inputOf(td));
    expect(result.losses).toEqual([]);
    expect(spec(result).iam.taskRoleArn).toBe(`arn:aws:iam::${account}:role/web-task`);
    expect(spec(result).containers[0]?.secrets).toEqual({
      P: `arn:aws:ssm:eu-west-1:${account}:parameter/web/p`,
    });
  });

  it("refuses files that are not ECS JSON", () => {
    expect(() => taskDefinitionOf({ hello: 1 }, "x.json")).toThrow(/x.json: not ECS JSON/);
    expect(() => serviceOf({ services: [{}, {}] }, "s.json")).toThrow(/holds 2 services/);
    expect(() => parseText("{ nope", "bad.json")).toThrow(/bad.json: not valid JSON \(.* line 1 column 3\)/);
    expect(() => parseText("a: [b\n c: }", "bad.yaml")).toThrow(/bad.yaml: neither JSON nor YAML/);
    expect(() => taskDefinitionOf(createServiceInput(), "svc.json")).toThrow(/this is a service/);
  });
});

describe("names and roles", () => {
  it("uses --name, else the service name, else the family, made a valid record name", () => {
    expect(importFargateService(inputOf(registerInput()), { name: "x" }).document.metadata).toEqual({
      name: "x",
    });
    const odd = importFargateService(inputOf({ ...registerInput(), family: "Orders_API" }));
    expect(odd.document.metadata).toEqual({ name: "orders-api" });
    expect(odd.notes.join("\n")).toMatch(/"Orders_API" is not a record name; "orders-api" written/);
  });

  it("turns role names into ARNs only when the account is known", () => {
    const named = { ...registerInput(), taskRoleArn: "orders-task", executionRoleArn: "ecs-exec" };
    const known = importFargateService(inputOf(named));
    // The account comes from the secret ARN in the input.
    expect(spec(known).iam).toEqual({
      taskRoleArn: "arn:aws:iam::123456789012:role/orders-task",
      executionRoleArn: "arn:aws:iam::123456789012:role/ecs-exec",
    });
    expect(known.losses).toEqual([]);
    const flag = importFargateService(inputOf(named), { accountId: "210987654321" });
    expect(spec(flag).iam.taskRoleArn).toBe("arn:aws:iam::210987654321:role/orders-task");
    const containers = [{ name: "app", image: "nginx" }];
    const unknown = importFargateService(
      inputOf({ family: "f", cpu: "256", memory: "512", taskRoleArn: "r", containerDefinitions: containers }),
    );
    expect(spec(unknown).iam.taskRoleArn).toBe("r");
    expect(unknown.notes.join("\n")).toMatch(/role name r kept as given/);
    expect(unknown.losses).toEqual([]);
    const placeholder = {
      family: "f",
      cpu: "256",
      memory: "512",
      taskRoleArn: TF_PLACEHOLDER,
      containerDefinitions: containers,
    };
    const kept = importFargateService(inputOf(placeholder), { accountId: "210987654321" });
    expect(spec(kept).iam.taskRoleArn).toBe(TF_PLACEHOLDER);
  });

  it("writes bare SSM parameter names as ARNs when account and region are known", () => {
    const td = registerInput();
    const [app] = td.containerDefinitions as Array<Record<string, unknown>>;
    (app as Record<string, unknown>).secrets = [{ name: "P", valueFrom: "/orders/p" }];
    const result = importFargateService(inputOf(td));
    expect(spec(result).containers[0]?.secrets).toEqual({
      P: "arn:aws:ssm:eu-west-1:123456789012:parameter/orders/p",
    });
    expect(result.losses).toEqual([]);
  });
});
