import { describe, expect, it } from "vitest";
import type { CatalogSyncSpec, FargateServiceSpec, NamespacePolicySpec } from "../../../../src/crds/index.js";
import { validateDocument } from "../../../../src/crds/index.js";
import {
  evaluatePolicy,
  formatViolations,
  imageRepository,
  type PolicySubject,
} from "../../../../src/reconcilers/policy/evaluate.js";

const ACCOUNT = "123456789012";
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

/** A validated FargateService spec of team-a, defaults applied; `edit` changes the raw document first. */
function service(edit: (spec: Record<string, unknown>) => void = () => undefined): FargateServiceSpec {
  const spec: Record<string, unknown> = {
    cluster: "apps",
    cpu: 512,
    memory: 1024,
    desiredCount: 2,
    containers: [
      {
        name: "api",
        image: `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/team-a/api:1.2.3`,
        secrets: { DB: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:team-a/db-AbCd` },
      },
    ],
    network: { subnets: ["subnet-a1", "subnet-a2"], securityGroups: ["sg-a"] },
    iam: { taskRoleArn: role("team-a-api"), executionRoleArn: role("team-a-exec") },
    discovery: {
      cloudMap: { namespaceRef: { name: "apps-internal", namespace: "platform" } },
      consul: { register: true },
    },
    vault: { role: "team-a-api", secrets: [{ name: "db.env", path: "database/creds/api" }] },
  };
  edit(spec);
  const result = validateDocument({
    apiVersion: "fargate-operator/v1alpha1",
    kind: "FargateService",
    metadata: { name: "api", namespace: "team-a" },
    spec,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.document.spec as FargateServiceSpec;
}

function fs(spec: FargateServiceSpec, name = "api", namespace = "team-a"): PolicySubject {
  return { kind: "FargateService", namespace, name, spec };
}

/** A policy that allows exactly what `service()` uses, written with {namespace}. */
const TEAM_POLICY: NamespacePolicySpec = {
  roleArns: ["arn:aws:iam::*:role/{namespace}-*"],
  secretArns: [`arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:{namespace}/*`],
  clusters: ["apps"],
  subnets: ["subnet-a?"],
  securityGroups: ["sg-a"],
  imageRepositories: [`${ACCOUNT}.dkr.ecr.*.amazonaws.com/{namespace}/*`],
  cloudMapNamespaces: ["platform/apps-internal", "{namespace}/*"],
  serviceNames: ["api", "{namespace}-*"],
  vaultRoles: ["{namespace}-*"],
  limits: { maxCpu: 1024, maxMemory: 2048, maxDesiredCount: 3, maxServices: 2 },
};

describe("evaluatePolicy: FargateService", () => {
  it("judges Service Connect's namespace and the roles ECS's service fields hand to ECS", () => {
    const spec = service((s) => {
      s.containers = [
        {
          name: "api",
          image: `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/team-a/api:1`,
          ports: [{ containerPort: 8080, name: "http" }],
        },
      ];
      s.serviceConnectConfiguration = {
        enabled: true,
        namespaceRef: { name: "mesh", namespace: "team-b" },
        services: [
          { portName: "http", tls: { issuerCertificateAuthority: {}, roleArn: role("team-b-tls") } },
        ],
      };
      s.vpcLatticeConfigurations = [
        { roleArn: role("team-a-lattice"), targetGroupArn: "arn:aws:vpc-lattice:tg", portName: "http" },
      ];
      s.deployment = { lifecycleHooks: [{ targetType: "AWS_LAMBDA", roleArn: role("platform-hooks") }] };
    });
    expect(evaluatePolicy(TEAM_POLICY, fs(spec)).map((v) => `${v.field}=${v.value} (${v.rule})`)).toEqual([
      `spec.deployment.lifecycleHooks[0].roleArn=${role("platform-hooks")} (roleArns)`,
      `spec.serviceConnectConfiguration.services[0].tls.roleArn=${role("team-b-tls")} (roleArns)`,
      "spec.serviceConnectConfiguration.namespaceRef=team-b/mesh (cloudMapNamespaces)",
    ]);
  });

  it("finds nothing wrong with a compliant record, and nothing at all under an empty policy", () => {
    expect(evaluatePolicy(TEAM_POLICY, fs(service()))).toEqual([]);
    expect(evaluatePolicy({}, fs(service((s) => Object.assign(s, { cpu: 4096, memory: 8192 }))))).toEqual([]);
  });

  it("names another team's role, with the field, the value and the patterns allowed", () => {
    const spec = service((s) => {
      s.iam = { taskRoleArn: role("team-b-api"), executionRoleArn: role("team-a-exec") };
    });
    expect(evaluatePolicy(TEAM_POLICY, fs(spec))).toEqual([
      {
        field: "spec.iam.taskRoleArn",
        path: ["spec", "iam", "taskRoleArn"],
        value: role("team-b-api"),
        rule: "roleArns",
        allowed: ["arn:aws:iam::*:role/{namespace}-*"],
      },
    ]);
  });

  it("judges a service without security groups as the VPC's default group, which a list of groups refuses", () => {
    const spec = service((s) => {
      s.network = { subnets: ["subnet-a1"] };
    });
    expect(evaluatePolicy(TEAM_POLICY, fs(spec)).map((v) => `${v.field}=${v.value} (${v.rule})`)).toEqual([
      "spec.network.securityGroups=(none: the VPC's default security group) (securityGroups)",
    ]);
    expect(evaluatePolicy({ ...TEAM_POLICY, securityGroups: ["*"] }, fs(spec))).toEqual([]);
  });

  it("reports every broken rule at once, in the record's field order", () => {
    const spec = service((s) => {
      s.cluster = "prod";
      s.cpu = 2048;
      s.memory = 4096;
      s.desiredCount = 5;
      s.network = { subnets: ["subnet-a1", "subnet-zz"], securityGroups: ["sg-b"] };
      s.iam = { taskRoleArn: role("controller"), executionRoleArn: role("team-b-exec") };
      s.containers = [
        {
          name: "api",
          image: "docker.io/evil/miner:latest",
          secrets: { DB: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:team-b/db-XyZ` },
        },
      ];
      s.discovery = {
        cloudMap: { namespaceRef: { name: "data-internal", namespace: "platform" }, serviceName: "vault" },
        consul: { register: true, serviceName: "postgres" },
      };
      s.vault = { role: "admin", secrets: [{ name: "x.env", path: "secret/data/x" }] };
    });
    const found = evaluatePolicy(TEAM_POLICY, fs(spec));
    expect(found.map((v) => `${v.field}=${v.value} (${v.rule})`)).toEqual([
      `spec.iam.taskRoleArn=${role("controller")} (roleArns)`,
      `spec.iam.executionRoleArn=${role("team-b-exec")} (roleArns)`,
      "spec.cluster=prod (clusters)",
      "spec.network.subnets[1]=subnet-zz (subnets)",
      "spec.network.securityGroups[0]=sg-b (securityGroups)",
      "spec.containers[0].image=docker.io/evil/miner (imageRepositories)",
      `spec.containers[0].secrets.DB=arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:team-b/db-XyZ (secretArns)`,
      "spec.discovery.cloudMap.namespaceRef=platform/data-internal (cloudMapNamespaces)",
      "spec.discovery.cloudMap.serviceName=vault (serviceNames)",
      "spec.discovery.consul.serviceName=postgres (serviceNames)",
      "spec.vault.role=admin (vaultRoles)",
      "spec.cpu=2048 (limits.maxCpu)",
      "spec.memory=4096 (limits.maxMemory)",
      "spec.desiredCount=5 (limits.maxDesiredCount)",
    ]);
    expect(found.find((v) => v.rule === "limits.maxCpu")?.allowed).toEqual(["at most 1024"]);
  });

  it("bounds autoscaling's maxCount and scheduled maxCounts by limits.maxDesiredCount", () => {
    const spec = service((s) => {
      s.autoscaling = {
        minCount: 1,
        maxCount: 8,
        scheduled: [
          { name: "low", schedule: "rate(1 day)", maxCount: 2 },
          { name: "peak", schedule: "rate(1 day)", maxCount: 20 },
        ],
      };
    });
    expect(evaluatePolicy(TEAM_POLICY, fs(spec)).map((v) => `${v.field}=${v.value} (${v.rule})`)).toEqual([
      "spec.autoscaling.maxCount=8 (limits.maxDesiredCount)",
      "spec.autoscaling.scheduled[1].maxCount=20 (limits.maxDesiredCount)",
    ]);
  });

  it("treats [] as allowing nothing and an absent list as allowing anything", () => {
    const found = evaluatePolicy({ clusters: [] }, fs(service()));
    expect(found).toEqual([
      { field: "spec.cluster", path: ["spec", "cluster"], value: "apps", rule: "clusters", allowed: [] },
    ]);
  });

  it("puts the record's own namespace in for {namespace}, so the same policy refuses another team", () => {
    const asTeamB = fs(service(), "api", "team-b");
    expect(evaluatePolicy(TEAM_POLICY, asTeamB).map((v) => v.rule)).toEqual([
      "roleArns",
      "roleArns",
      "imageRepositories",
      "secretArns",
      "vaultRoles",
    ]);
  });

  it("defaults the Cloud Map name to metadata.name and the namespaceRef's namespace to the record's", () => {
    const spec = service((s) => {
      s.discovery = { cloudMap: { namespaceRef: { name: "local" } } };
    });
    expect(evaluatePolicy({ cloudMapNamespaces: ["team-a/local"], serviceNames: ["web"] }, fs(spec))).toEqual(
      [
        {
          field: "metadata.name (the Cloud Map service name)",
          path: ["metadata", "name"],
          value: "api",
          rule: "serviceNames",
          allowed: ["web"],
        },
      ],
    );
  });

  it("judges the Consul name only when it differs from the Cloud Map name and is registered", () => {
    const policy = { serviceNames: ["api"] };
    const named = (register: boolean) =>
      service((s) => {
        s.discovery = {
          cloudMap: { namespaceRef: { name: "apps-internal", namespace: "platform" } },
          consul: { register, serviceName: "vault" },
        };
      });
    expect(evaluatePolicy(policy, fs(named(true))).map((v) => v.value)).toEqual(["vault"]);
    expect(evaluatePolicy(policy, fs(named(false)))).toEqual([]);
  });

  it("checks vault.image when set (the operator's default agent image is not the team's choice)", () => {
    const spec = service((s) => {
      s.vault = {
        role: "team-a-api",
        image: "hashicorp/vault:1.17",
        secrets: [{ name: "a.env", path: "kv/data/a" }],
      };
    });
    expect(evaluatePolicy(TEAM_POLICY, fs(spec)).map((v) => `${v.field}=${v.value}`)).toEqual([
      "spec.vault.image=hashicorp/vault",
    ]);
    expect(evaluatePolicy(TEAM_POLICY, fs(service()))).toEqual([]);
  });

  it("counts the namespace's live FargateServices by creationTimestamp, then name, for maxServices", () => {
    const policy: NamespacePolicySpec = { limits: { maxServices: 2 } };
    const peers = [
      { name: "zeta", creationTimestamp: "2026-01-01T00:00:00Z", deleting: false },
      { name: "alpha", creationTimestamp: "2026-01-02T00:00:00Z", deleting: false },
      { name: "beta", creationTimestamp: "2026-01-02T00:00:00Z", deleting: false },
      { name: "gone", creationTimestamp: "2025-01-01T00:00:00Z", deleting: true },
      { name: "fresh", deleting: false },
    ];
    const over = (name: string) => evaluatePolicy(policy, fs(service(), name), peers).length > 0;
    expect(["zeta", "alpha", "beta", "fresh"].filter(over)).toEqual(["beta", "fresh"]);
    expect(evaluatePolicy(policy, fs(service(), "beta"), peers)).toEqual([
      {
        field: "metadata.name",
        path: ["metadata", "name"],
        value: "beta",
        rule: "limits.maxServices",
        allowed: ["the first 2 FargateServices of the namespace, by creationTimestamp then name"],
      },
    ]);
    // a record not yet among the peers (the cache lags) counts as the newest
    expect(over("new")).toBe(true);
    expect(evaluatePolicy({ limits: { maxServices: 0 } }, fs(service()), [])).toHaveLength(1);
  });
});

describe("evaluatePolicy: CatalogSync and CloudMapNamespace", () => {
  function sync(edit: (spec: Record<string, unknown>) => void): PolicySubject {
    const spec: Record<string, unknown> = { cloudMapNamespaceRef: { name: "apps-internal" } };
    edit(spec);
    const result = validateDocument({
      apiVersion: "fargate-operator/v1alpha1",
      kind: "CatalogSync",
      metadata: { name: "sync", namespace: "team-a" },
      spec,
    });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    return {
      kind: "CatalogSync",
      namespace: "team-a",
      name: "sync",
      spec: result.document.spec as CatalogSyncSpec,
    };
  }

  it("judges the namespace reference, the Consul address and the token source", () => {
    const policy: NamespacePolicySpec = {
      cloudMapNamespaces: ["{namespace}/*"],
      consulAddresses: ["https://consul.{namespace}.internal:8501"],
      consulTokenSources: ["env:CONSUL_TOKEN_TEAM_A", "arn:aws:secretsmanager:*:secret:consul/{namespace}-*"],
    };
    expect(
      evaluatePolicy(
        policy,
        sync(() => undefined),
      ),
    ).toEqual([]);
    const hostile = sync((s) => {
      s.cloudMapNamespaceRef = { name: "apps-internal", namespace: "platform" };
      s.consul = { address: "http://attacker.example:8500", tokenFrom: { env: "CONSUL_HTTP_TOKEN" } };
    });
    expect(evaluatePolicy(policy, hostile).map((v) => `${v.field}=${v.value}`)).toEqual([
      "spec.cloudMapNamespaceRef=platform/apps-internal",
      "spec.consul.address=http://attacker.example:8500",
      "spec.consul.tokenFrom.env=env:CONSUL_HTTP_TOKEN",
    ]);
    const secret = sync((s) => {
      s.consul = {
        address: "https://consul.team-a.internal:8501",
        tokenFrom: { secretArn: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:consul/platform-x` },
      };
    });
    expect(evaluatePolicy(policy, secret).map((v) => v.field)).toEqual(["spec.consul.tokenFrom.secretArn"]);
  });

  it("judges a task-placed sync's cluster, network, roles, image and size", () => {
    const subject = sync((s) => {
      s.placement = "task";
      s.task = {
        cluster: "prod",
        subnets: ["subnet-b"],
        securityGroups: ["sg-b"],
        taskRoleArn: role("controller"),
        executionRoleArn: role("team-a-exec"),
        image: "docker.io/x/y:1",
        cpu: 1024,
        memory: 2048,
      };
    });
    expect(evaluatePolicy(TEAM_POLICY, subject).map((v) => `${v.field} (${v.rule})`)).toEqual([
      "spec.task.cluster (clusters)",
      "spec.task.subnets[0] (subnets)",
      "spec.task.securityGroups[0] (securityGroups)",
      "spec.task.taskRoleArn (roleArns)",
      "spec.task.image (imageRepositories)",
    ]);
    expect(evaluatePolicy({ limits: { maxCpu: 512, maxMemory: 1024 } }, subject).map((v) => v.field)).toEqual(
      ["spec.task.cpu", "spec.task.memory"],
    );
  });

  it("lets a CloudMapNamespace exist only where cloudMapNamespaces allows its namespace/name", () => {
    const subject: PolicySubject = {
      kind: "CloudMapNamespace",
      namespace: "team-a",
      name: "private",
      spec: { dnsName: "a.internal", vpcId: "vpc-1", adopt: false, deletionPolicy: "Delete" },
    };
    expect(evaluatePolicy({ cloudMapNamespaces: ["{namespace}/*"] }, subject)).toEqual([]);
    expect(evaluatePolicy({ cloudMapNamespaces: ["platform/*"] }, subject)).toEqual([
      {
        field: "metadata.name",
        path: ["metadata", "name"],
        value: "team-a/private",
        rule: "cloudMapNamespaces",
        allowed: ["platform/*"],
      },
    ]);
    expect(evaluatePolicy({ limits: { maxCpu: 0, maxServices: 0 } }, subject)).toEqual([]);
  });
});

describe("imageRepository and formatViolations", () => {
  it.each([
    ["nginx", "nginx"],
    ["nginx:1.27", "nginx"],
    ["public.ecr.aws/nginx/nginx:1.27", "public.ecr.aws/nginx/nginx"],
    ["registry.local:5000/team-a/api", "registry.local:5000/team-a/api"],
    ["registry.local:5000/team-a/api:2", "registry.local:5000/team-a/api"],
    [
      `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/ledger@sha256:3b5f`,
      `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/ledger`,
    ],
    ["repo:tag@sha256:abc", "repo"],
  ])("%s → %s", (image, repository) => {
    expect(imageRepository(image)).toBe(repository);
  });

  it("says which policy, how many rules, and each field, value and allowed pattern", () => {
    const message = formatViolations("fargate-system/default", [
      {
        field: "spec.iam.taskRoleArn",
        path: ["spec", "iam", "taskRoleArn"],
        value: role("team-b-api"),
        rule: "roleArns",
        allowed: ["arn:aws:iam::*:role/{namespace}-*"],
      },
      { field: "spec.cluster", path: ["spec", "cluster"], value: "prod", rule: "clusters", allowed: [] },
      {
        field: "spec.cpu",
        path: ["spec", "cpu"],
        value: "4096",
        rule: "limits.maxCpu",
        allowed: ["at most 1024"],
      },
    ]);
    expect(message).toBe(
      "NamespacePolicy fargate-system/default refuses this record (3 rules broken): " +
        `spec.iam.taskRoleArn "${role("team-b-api")}": roleArns allows "arn:aws:iam::*:role/{namespace}-*"; ` +
        'spec.cluster "prod": clusters is [] (allows nothing); ' +
        "spec.cpu 4096: limits.maxCpu allows at most 1024",
    );
  });
});
