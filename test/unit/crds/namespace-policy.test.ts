import { describe, expect, it } from "vitest";
import { formatPath, validateDocument } from "../../../src/crds/index.js";

function policy(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) {
  return {
    apiVersion: "fargate-operator/v1alpha1",
    kind: "NamespacePolicy",
    metadata: { name: "team-a", namespace: "fargate-system", ...metadata },
    spec,
  };
}

function issues(document: unknown): string[] {
  const result = validateDocument(document);
  return result.ok ? [] : result.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
}

describe("NamespacePolicy validation", () => {
  it("accepts an empty spec (allows everything) and every list and limit", () => {
    expect(issues(policy({}))).toEqual([]);
    const full = policy({
      roleArns: ["arn:aws:iam::*:role/{namespace}-*"],
      secretArns: [],
      clusters: ["apps"],
      subnets: ["subnet-*"],
      securityGroups: ["sg-?"],
      imageRepositories: ["public.ecr.aws/*"],
      cloudMapNamespaces: ["platform/apps-internal", "*"],
      serviceNames: ["{namespace}-*"],
      vaultRoles: ["{namespace}-*"],
      consulAddresses: ["https://consul.example:8501", "http://*"],
      consulTokenSources: ["env:CONSUL_TOKEN_*", "arn:aws:secretsmanager:*"],
      limits: { maxCpu: 1024, maxMemory: 2048, maxDesiredCount: 0, maxServices: 5 },
    });
    const result = validateDocument(full);
    expect(result.ok).toBe(true);
    // No defaults: an absent list stays absent (it means "anything").
    if (result.ok) expect(result.document.spec).toEqual(full.spec);
  });

  it("refuses unknown fields, non-lists, empty or spaced patterns and negative limits", () => {
    expect(
      issues(
        policy({
          roles: ["x"],
          clusters: "apps",
          subnets: [""],
          securityGroups: ["sg a"],
          limits: { maxCpu: -1, maxTasks: 3 },
        }),
      ),
    ).toEqual([
      'spec.roles: unknown field "roles"',
      'spec.clusters: must be a list, got the string "apps"',
      "spec.subnets[0]: must not be empty",
      'spec.securityGroups[0]: invalid value "sg a": whitespace is not allowed',
      'spec.limits.maxTasks: unknown field "maxTasks"',
      "spec.limits.maxCpu: -1 is below the minimum 0",
    ]);
  });

  it("reports patterns that could never match what they are compared with", () => {
    expect(
      issues(
        policy({
          cloudMapNamespaces: ["apps-internal"],
          consulTokenSources: ["CONSUL_HTTP_TOKEN"],
          consulAddresses: ["consul.example:8501"],
        }),
      ),
    ).toEqual([
      'spec.cloudMapNamespaces[0]: pattern "apps-internal" has no "/" and can never match a namespace/name reference',
      'spec.consulTokenSources[0]: pattern "CONSUL_HTTP_TOKEN" can never match a token source',
      'spec.consulAddresses[0]: pattern "consul.example:8501" has no scheme and can never match a Consul address',
    ]);
  });

  it("names a policy after a namespace: a DNS label", () => {
    expect(issues(policy({}, { name: "Team_A" }))).toEqual([expect.stringMatching(/^metadata\.name: /)]);
  });
});
