/**
 * ECS's 64 KiB task-definition limit, checked offline: the size is the JSON of the RegisterTaskDefinition input
 * rendered with the longest region and DNS name there could be, so what passes here ECS accepts.
 */
import { describe, expect, it } from "vitest";
import {
  ECS_TASK_DEFINITION_MAX_BYTES,
  type FargateServiceDocument,
  formatPath,
  jsonBytes,
  MAX_ENVIRONMENT_VALUE_LENGTH,
} from "../../../src/crds/index.js";
import {
  renderTaskDefinition,
  validateDocumentForAws,
  worstCaseTaskDefinitionBytes,
} from "../../../src/render/index.js";
import { contextFor, exampleService } from "./fixtures.js";

/** A FargateService document whose first container has `environment`. */
function serviceWith(environment: Record<string, string>, vault = false): Record<string, unknown> {
  return {
    apiVersion: "fargate-operator/v1alpha1",
    kind: "FargateService",
    metadata: { name: "big", namespace: "team-a" },
    spec: {
      cluster: "apps",
      cpu: 512,
      memory: 1024,
      containers: [{ name: "app", image: "nginx:1.27", environment }],
      network: { subnets: ["subnet-1"], securityGroups: ["sg-1"] },
      ...(vault
        ? {
            iam: { taskRoleArn: "arn:aws:iam::123456789012:role/app" },
            discovery: { cloudMap: { namespaceRef: { name: "apps" } } },
            vault: { role: "app", secrets: [{ name: "db", path: "secret/data/db" }] },
          }
        : {}),
    },
  };
}

const problems = (doc: unknown) => {
  const result = validateDocumentForAws(doc);
  return result.ok ? [] : result.issues.map((i) => `${formatPath(i.path)}: ${i.message} (${i.hint})`);
};

describe("the 64 KiB task-definition rule", () => {
  it("refuses values that fit one by one but not together, naming the largest and how to fix it", () => {
    const value = "v".repeat(30_000);
    const found = problems(serviceWith({ A: value, B: `${value}b`, C: value }));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /^spec\.containers\[0\]\.environment\.B: makes the rendered task definition 8\d\.\d KiB; ECS refuses more than 64\.0 KiB \(shrink the largest values \(spec\.containers\[0\]\.environment\.B \(29\.3 KiB\), spec\.containers\[0\]\.environment\.A \(29\.3 KiB\), spec\.containers\[0\]\.environment\.C \(29\.3 KiB\)\): move them into secrets/,
    );
  });

  it.each([false, true])("accepts exactly 64 KiB and refuses one byte more (vault: %s)", (vault) => {
    const base = worstCaseTaskDefinitionBytes(
      (validateDocumentForAws(serviceWith({ A: "", B: "" }, vault)) as { document: FargateServiceDocument })
        .document,
    );
    const room = ECS_TASK_DEFINITION_MAX_BYTES - base;
    const a = "a".repeat(Math.min(room, MAX_ENVIRONMENT_VALUE_LENGTH));
    const b = "b".repeat(room - a.length);
    expect(problems(serviceWith({ A: a, B: b }, vault))).toEqual([]);
    expect(problems(serviceWith({ A: a, B: `${b}b` }, vault))).toHaveLength(1);
  });

  it("counts bytes as ECS does, not characters", () => {
    const value = "é".repeat(20_000); // 40,000 bytes in UTF-8
    expect(problems(serviceWith({ A: value, B: value }))[0]).toMatch(/makes the rendered task definition/);
  });

  it("never underestimates: a real render (real region and DNS name) is no larger than the offline figure", () => {
    for (const file of ["services/hello.yaml", "services/ledger-grpc.yaml", "services/payments-api.yaml"]) {
      const doc = exampleService(file);
      const real = renderTaskDefinition(
        doc.spec,
        contextFor(doc.metadata.name, doc.metadata.namespace ?? "default", {
          region: "ap-southeast-4",
          namespaceDnsName: "apps.internal",
        }),
      );
      expect(jsonBytes(real.input)).toBeLessThanOrEqual(worstCaseTaskDefinitionBytes(doc));
    }
  });
});
