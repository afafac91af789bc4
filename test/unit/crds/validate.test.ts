import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatPath, type ValidationIssue, validateDocument } from "../../../src/crds/index.js";
import { minimalService, remove, set, validCatalogSync, validNamespace, validService } from "./helpers.js";

function issuesOf(document: unknown): ValidationIssue[] {
  const result = validateDocument(document);
  return result.ok ? [] : result.issues;
}

function find(issues: ValidationIssue[], path: string): ValidationIssue | undefined {
  return issues.find((i) => formatPath(i.path) === path);
}

describe("validateDocument", () => {
  it("accepts valid documents of every kind and returns them typed with defaults", () => {
    for (const document of [validService(), minimalService(), validCatalogSync(), validNamespace()]) {
      expect(issuesOf(document)).toEqual([]);
    }
    const result = validateDocument(minimalService());
    expect(result.ok).toBe(true);
    if (!result.ok || result.document.kind !== "FargateService") throw new Error("expected a FargateService");
    expect(result.document.metadata.namespace).toBe("default");
    expect(result.document.spec.desiredCount).toBe(1);
    expect(result.document.spec.containers[0]?.essential).toBe(true);
    expect(result.document.spec.deployment.circuitBreaker).toEqual({ enable: true, rollback: true });
  });

  it("strips status and keeps store-set metadata", () => {
    const document = set(minimalService(), ["status"], { observedGeneration: 3, anything: true });
    set(document, ["metadata", "uid"], "0b7c1f7e-2d7a-4c55-9d43-000000000001");
    set(document, ["metadata", "generation"], 3);
    set(document, ["metadata", "finalizers"], ["fargate-operator.dev/cleanup"]);
    const result = validateDocument(document);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect("status" in result.document).toBe(false);
    expect(result.document.metadata.uid).toBe("0b7c1f7e-2d7a-4c55-9d43-000000000001");
    expect(document.status).toEqual({ observedGeneration: 3, anything: true }); // the input is untouched
  });

  it("names an unknown field and suggests the right spelling", () => {
    const issue = find(issuesOf(set(minimalService(), ["spec", "desiredcount"], 2)), "spec.desiredcount");
    expect(issue).toEqual({
      path: ["spec", "desiredcount"],
      message: 'unknown field "desiredcount"',
      hint: 'did you mean "desiredCount"?',
    });
  });

  it("lists the known fields when nothing is close", () => {
    const issue = find(issuesOf(set(minimalService(), ["spec", "zzzzzzzzzz"], 2)), "spec.zzzzzzzzzz");
    expect(issue?.hint).toMatch(/^remove it; fields here: cluster, cpu, memory/);
  });

  it("reports every issue of a document at once, schema and cross-field", () => {
    const document = minimalService();
    set(document, ["spec", "desiredcount"], 2);
    set(document, ["spec", "memory"], 4096);
    set(document, ["spec", "containers", 0, "ports"], [{ containerPort: 70000 }]);
    set(document, ["spec", "network", "assignPublicIp"], "yes");
    set(document, ["metadata", "name"], "Hello");
    const paths = issuesOf(document).map((i) => formatPath(i.path));
    expect(paths).toEqual(
      expect.arrayContaining([
        "spec.desiredcount",
        "spec.memory",
        "spec.containers[0].ports[0].containerPort",
        "spec.network.assignPublicIp",
        "metadata.name",
      ]),
    );
  });

  it("explains type errors with a fix", () => {
    const issues = issuesOf(
      set(set(minimalService(), ["spec", "cpu"], "256"), ["spec", "network", "assignPublicIp"], "true"),
    );
    expect(find(issues, "spec.cpu")).toMatchObject({
      message: 'must be a whole number, got the string "256"',
      hint: "write 256 without quotes",
    });
    expect(find(issues, "spec.network.assignPublicIp")).toMatchObject({ hint: "write true without quotes" });
  });

  it("points a missing required field at its own path", () => {
    const issue = find(
      issuesOf(remove(minimalService(), ["spec", "containers", 0, "image"])),
      "spec.containers[0].image",
    );
    expect(issue?.message).toBe('missing required field "image"');
    expect(issue?.hint).toMatch(/^add image: container image reference/);
  });

  it("rejects documents that are not mappings", () => {
    for (const value of [null, 3, "text", [1, 2]]) {
      const issues = issuesOf(value);
      expect(issues).toHaveLength(1);
      expect(issues[0]?.path).toEqual([]);
      expect(issues[0]?.message).toMatch(/^a document must be a mapping/);
    }
  });

  it("reports an unknown kind with a suggestion, and a wrong apiVersion", () => {
    const issues = issuesOf({ apiVersion: "v1", kind: "FargateServce", metadata: { name: "x" }, spec: {} });
    expect(find(issues, "kind")).toMatchObject({
      message: 'unknown kind "FargateServce"',
      hint: 'did you mean "FargateService"?',
    });
    expect(find(issues, "apiVersion")?.message).toBe('unknown apiVersion "v1"');
    expect(find(issuesOf({ apiVersion: "fargate-operator/v1alpha1" }), "kind")?.message).toBe(
      'missing required field "kind"',
    );
    expect(find(issuesOf({ kind: "Deployment" }), "kind")?.hint).toBe(
      "use one of FargateService, CloudMapNamespace, CatalogSync, NamespacePolicy",
    );
  });

  it("reports a wrong apiVersion on a known kind through the schema", () => {
    const issue = find(issuesOf(set(minimalService(), ["apiVersion"], "fargate-operator/v1")), "apiVersion");
    expect(issue?.message).toBe('must be "fargate-operator/v1alpha1", got the string "fargate-operator/v1"');
  });

  it("gives the reason a value fails its pattern", () => {
    const document = validService();
    set(document, ["spec", "vault", "secrets", 0, "path"], "secret/../other");
    set(document, ["spec", "vault", "role"], "my role");
    set(document, ["spec", "vault", "mountPath"], "vault/secrets");
    set(document, ["spec", "containers", 0, "environment"], { "MY-VAR": "x" });
    const issues = issuesOf(document);
    expect(find(issues, "spec.vault.secrets[0].path")?.message).toBe(
      `invalid path "secret/../other": '..' is not allowed`,
    );
    expect(find(issues, "spec.vault.role")?.message).toBe(
      `invalid role "my role": whitespace is not allowed`,
    );
    expect(find(issues, "spec.vault.mountPath")?.message).toContain("absolute path");
    expect(find(issues, "spec.containers[0].environment.MY-VAR")?.message).toBe(
      `invalid name "MY-VAR": "-" is not allowed`,
    );
  });

  it("accepts Secrets Manager and SSM ARNs in any partition and rejects others", () => {
    const ok = [
      "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf",
      "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:db",
      "arn:aws-cn:ssm:cn-north-1:123456789012:parameter/app/db",
      "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf:password::",
    ];
    for (const arn of ok) {
      expect(issuesOf(set(validService(), ["spec", "containers", 0, "secrets"], { DB: arn }))).toEqual([]);
    }
    const bad = [
      "db-password",
      "arn:aws:s3:::bucket/key",
      "arn:aws:ssm:eu-west-1:123456789012:document/x",
      "arn:aws:secretsmanager:eu-west-1:123:secret:x",
    ];
    for (const arn of bad) {
      const issue = find(
        issuesOf(set(validService(), ["spec", "containers", 0, "secrets"], { DB: arn })),
        "spec.containers[0].secrets.DB",
      );
      expect(issue?.message).toMatch(/^invalid DB/);
    }
  });

  it("checks dnsName as a DNS name", () => {
    for (const name of ["apps.internal", "internal", "a-1.b-2.example"]) {
      expect(issuesOf(set(validNamespace(), ["spec", "dnsName"], name))).toEqual([]);
    }
    for (const name of [
      "Apps.internal",
      "apps..internal",
      "apps.internal.",
      "-apps.internal",
      "apps_internal",
    ]) {
      expect(find(issuesOf(set(validNamespace(), ["spec", "dnsName"], name)), "spec.dnsName")).toBeDefined();
    }
  });

  it("limits names: 40 characters, 35 for CatalogSync", () => {
    expect(issuesOf(set(minimalService(), ["metadata", "name"], "a".repeat(40)))).toEqual([]);
    expect(
      find(issuesOf(set(minimalService(), ["metadata", "name"], "a".repeat(41))), "metadata.name"),
    ).toBeDefined();
    expect(issuesOf(set(validCatalogSync(), ["metadata", "name"], "a".repeat(35)))).toEqual([]);
    const issue = find(
      issuesOf(set(validCatalogSync(), ["metadata", "name"], "a".repeat(36))),
      "metadata.name",
    );
    expect(issue?.hint).toContain("<name>-sync");
  });

  it("never throws, whatever the document holds", () => {
    const junk = fc.anything({ maxDepth: 4 });
    const shaped = fc.record({
      apiVersion: fc.constant("fargate-operator/v1alpha1"),
      kind: fc.constantFrom("FargateService", "CatalogSync", "CloudMapNamespace"),
      metadata: junk,
      spec: fc.dictionary(
        fc.constantFrom(
          "cpu",
          "memory",
          "containers",
          "vault",
          "discovery",
          "deployment",
          "iam",
          "logging",
          "placement",
          "task",
          "consul",
          "toConsul",
        ),
        junk,
      ),
    });
    fc.assert(
      fc.property(fc.oneof(junk, shaped), (document) => {
        const result = validateDocument(document);
        expect(typeof result.ok).toBe("boolean");
      }),
      { numRuns: 500 },
    );
  });
});
