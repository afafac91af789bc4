import { describe, expect, it } from "vitest";
import { renderTaskDefinition, taskDefinitionHash } from "../../../src/render/index.js";
import { contextFor, minimalSpec, validSpec } from "./fixtures.js";

const UID = "3f1c2b8e-0000-4000-8000-000000000001";

describe("renderTaskDefinition", () => {
  it("renders a minimal service exactly", () => {
    const { input, hash } = renderTaskDefinition(minimalSpec(), contextFor("web", "default"));
    expect(input).toEqual({
      family: "default-web",
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "256",
      memory: "512",
      runtimePlatform: { cpuArchitecture: "X86_64", operatingSystemFamily: "LINUX" },
      containerDefinitions: [
        {
          name: "web",
          image: "nginx:1.27",
          essential: true,
          portMappings: [{ containerPort: 80, hostPort: 80, protocol: "tcp" }],
          environment: [],
          secrets: [],
          mountPoints: [],
          dependsOn: [],
        },
      ],
      volumes: [],
      tags: [
        { key: "fargate-operator:uid", value: UID },
        { key: "fargate-operator:namespace", value: "default" },
        { key: "fargate-operator:name", value: "web" },
        { key: "fargate-operator:hash", value: hash },
      ],
    });
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(taskDefinitionHash(input)).toBe(hash);
  });

  it("maps environment sorted by name and secrets to ARNs only", () => {
    const spec = validSpec({
      cluster: "apps",
      cpu: 256,
      memory: 512,
      containers: [
        {
          name: "web",
          image: "nginx:1.27",
          environment: { ZED: "z", ALPHA: "a", MID: "m" },
          secrets: { TOKEN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:t-AbCdEf" },
        },
      ],
      network: { subnets: ["subnet-1"], securityGroups: ["sg-1"] },
      iam: { executionRoleArn: "arn:aws:iam::123456789012:role/exec" },
    });
    const container = renderTaskDefinition(spec, contextFor("web", "default")).input
      .containerDefinitions?.[0];
    expect(container?.environment).toEqual([
      { name: "ALPHA", value: "a" },
      { name: "MID", value: "m" },
      { name: "ZED", value: "z" },
    ]);
    expect(container?.secrets).toEqual([
      { name: "TOKEN", valueFrom: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:t-AbCdEf" },
    ]);
  });

  it("gives the same hash for an unchanged spec and for any key order", () => {
    const context = contextFor("web", "default");
    const first = renderTaskDefinition(minimalSpec(), context).hash;
    expect(renderTaskDefinition(minimalSpec(), context).hash).toBe(first);
    const reordered = validSpec({
      network: { securityGroups: ["sg-1"], subnets: ["subnet-1"] },
      containers: [{ ports: [{ containerPort: 80 }], image: "nginx:1.27", name: "web" }],
      memory: 512,
      cpu: 256,
      cluster: "apps",
    });
    expect(renderTaskDefinition(reordered, context).hash).toBe(first);
    // Spec fields that do not reach the task definition do not change it either.
    const scaled = { ...minimalSpec(), desiredCount: 7 };
    expect(renderTaskDefinition(scaled, context).hash).toBe(first);
    // Environment given in another order: same sorted list, same hash.
    const envA = validSpec({
      cluster: "apps",
      cpu: 256,
      memory: 512,
      containers: [{ name: "web", image: "nginx:1.27", environment: { A: "1", B: "2" } }],
      network: { subnets: ["subnet-1"], securityGroups: ["sg-1"] },
    });
    const envB = structuredClone(envA);
    const container = envB.containers[0];
    if (container === undefined) throw new Error("no container");
    container.environment = { B: "2", A: "1" };
    expect(renderTaskDefinition(envB, context).hash).toBe(renderTaskDefinition(envA, context).hash);
  });

  it("changes the hash when the image changes", () => {
    const context = contextFor("web", "default");
    const spec = minimalSpec();
    const before = renderTaskDefinition(spec, context).hash;
    const container = spec.containers[0];
    if (container === undefined) throw new Error("no container");
    container.image = "nginx:1.28";
    expect(renderTaskDefinition(spec, context).hash).not.toBe(before);
  });

  it("keeps the task size and never adds the agent's share", () => {
    const spec = validSpec({
      cluster: "apps",
      cpu: 512,
      memory: 1024,
      containers: [{ name: "web", image: "nginx:1.27" }],
      network: { subnets: ["subnet-1"], securityGroups: ["sg-1"] },
      iam: { taskRoleArn: "arn:aws:iam::123456789012:role/web" },
      vault: {
        role: "web",
        address: "https://vault.example:8200",
        secrets: [{ name: "a.env", path: "kv/a" }],
      },
    });
    const { input } = renderTaskDefinition(spec, contextFor("web", "default"));
    expect(input.cpu).toBe("512");
    expect(input.memory).toBe("1024");
    const agent = input.containerDefinitions?.find((c) => c.name === "vault-agent");
    expect(agent?.cpu).toBe(32);
    expect(agent?.memory).toBe(64);
  });
});
