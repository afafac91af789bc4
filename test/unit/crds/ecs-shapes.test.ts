import { readFileSync } from "node:fs";
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { generateEcsSchemaText } from "../../../scripts/ecs-schemas.js";
import { ECS_SCHEMA_FILE, summarize, translatePattern } from "../../../scripts/ecs-schemas-lib.js";

const committedText = readFileSync(new URL(`../../../${ECS_SCHEMA_FILE}`, import.meta.url), "utf8");
const schema = JSON.parse(committedText) as { $id: string; $defs: Record<string, unknown> };

// The same settings as src/crds/validate.ts, with the generator's annotation keywords declared.
const ajv = new Ajv2020({
  allErrors: true,
  strict: true,
  verbose: true,
  keywords: ["x-botocore-version", "x-ecs-api-version", "x-roots", "x-dropped-patterns"],
});
ajv.addSchema(schema);

function errorsOf(def: string, value: unknown): ErrorObject[] {
  const validate = ajv.getSchema(`${schema.$id}#/$defs/${def}`);
  if (validate === undefined) throw new Error(`no $defs/${def}`);
  return validate(value) ? [] : (validate.errors ?? []);
}

/** A Fargate web task as people write it: nginx behind a FireLens log router. */
function containerDefinitions(): Record<string, unknown>[] {
  return [
    {
      name: "web",
      image: "public.ecr.aws/nginx/nginx:1.27",
      essential: true,
      cpu: 256,
      memory: 512,
      memoryReservation: 256,
      portMappings: [{ containerPort: 80, hostPort: 80, protocol: "tcp", name: "http", appProtocol: "http" }],
      environment: [{ name: "NGINX_PORT", value: "80" }],
      logConfiguration: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": "/ecs/web",
          "awslogs-region": "eu-west-1",
          "awslogs-stream-prefix": "web",
          "awslogs-create-group": "true",
        },
      },
      healthCheck: {
        command: ["CMD-SHELL", "curl -f http://localhost/ || exit 1"],
        interval: 30,
        timeout: 5,
        retries: 3,
        startPeriod: 10,
      },
      ulimits: [{ name: "nofile", softLimit: 65536, hardLimit: 65536 }],
      linuxParameters: { initProcessEnabled: true },
      dependsOn: [{ containerName: "log_router", condition: "START" }],
      stopTimeout: 30,
    },
    {
      name: "log_router",
      image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable",
      essential: true,
      memoryReservation: 50,
      firelensConfiguration: { type: "fluentbit", options: { "enable-ecs-log-metadata": "true" } },
    },
  ];
}

describe("schemas/ecs-shapes.schema.json", () => {
  it("is what the generator produces from botocore's model now", () => {
    const generated = generateEcsSchemaText();
    expect(
      generated === committedText,
      `${ECS_SCHEMA_FILE} is stale: run npm run schemas:ecs and commit the result`,
    ).toBe(true);
  });

  it("accepts a real Fargate task's container definitions", () => {
    for (const container of containerDefinitions())
      expect(errorsOf("ContainerDefinition", container)).toEqual([]);
    expect(
      errorsOf("RegisterTaskDefinitionRequest", {
        family: "web",
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: "512",
        memory: "1024",
        containerDefinitions: containerDefinitions(),
      }),
    ).toEqual([]);
  });

  it("rejects a log driver ECS does not have, naming the field", () => {
    const [web] = containerDefinitions();
    const errors = errorsOf("ContainerDefinition", { ...web, logConfiguration: { logDriver: "nope" } });
    expect(errors.map((e) => [e.instancePath, e.keyword])).toEqual([["/logConfiguration/logDriver", "enum"]]);
  });

  it("rejects a dependency without its required condition, naming the member", () => {
    const [web] = containerDefinitions();
    const errors = errorsOf("ContainerDefinition", { ...web, dependsOn: [{ containerName: "log_router" }] });
    expect(errors.map((e) => [e.instancePath, e.keyword, e.params])).toEqual([
      ["/dependsOn/0", "required", { missingProperty: "condition" }],
    ]);
  });

  it("rejects out-of-range numbers and oversized lists, naming the field", () => {
    const errors = errorsOf("CreateServiceRequest", {
      serviceName: "web",
      capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1001 }],
      tags: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: "v" })),
    });
    expect(errors.map((e) => [e.instancePath, e.keyword])).toEqual([
      ["/capacityProviderStrategy/0/weight", "maximum"],
      ["/tags", "maxItems"],
    ]);
  });

  it("rejects fields ECS does not know, such as a miscased one", () => {
    const [web] = containerDefinitions();
    const errors = errorsOf("ContainerDefinition", { ...web, portMappings: [{ containerport: 80 }] });
    expect(errors.map((e) => [e.instancePath, e.keyword, e.params])).toEqual([
      ["/portMappings/0", "additionalProperties", { additionalProperty: "containerport" }],
    ]);
  });
});

describe("ecs-schemas generator", () => {
  it("keeps patterns JS reads the same way and drops Java-only ones", () => {
    expect(translatePattern("([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)")).toBe("([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)");
    expect(translatePattern("[a-z]++")).toBeUndefined();
    expect(translatePattern("\\p{Alpha}+")).toBeUndefined();
    expect(translatePattern("(?i)arn:aws")).toBeUndefined();
    expect(translatePattern("[a-z")).toBeUndefined();
  });

  it("turns botocore's HTML documentation into a short plain description", () => {
    expect(
      summarize(
        "<p>The name of a <code>container</code>.</p> <p>Up to 255 letters &amp; digits. More text.</p>",
      ),
    ).toBe("The name of a container. Up to 255 letters & digits.");
  });
});
