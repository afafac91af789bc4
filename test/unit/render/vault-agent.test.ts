import { describe, expect, it } from "vitest";
import type { FargateServiceSpec, VaultSpec } from "../../../src/crds/index.js";
import {
  DEFAULT_VAULT_IMAGE,
  goStringLiteral,
  renderTaskDefinition,
  renderVaultAgent,
  type VaultAgentConfig,
} from "../../../src/render/index.js";
import { contextFor, exampleService, validSpec } from "./fixtures.js";

const UID = "3f1c2b8e-0000-4000-8000-000000000001";

/** Decodes the literals `goStringLiteral` builds (only `\u` and `\U` escapes). */
function decodeGoLiteral(literal: string): string {
  return literal
    .slice(1, -1)
    .replace(/\\u([0-9a-f]{4})|\\U([0-9a-f]{8})/g, (_m, u: string | undefined, big: string | undefined) =>
      String.fromCodePoint(Number.parseInt(u ?? big ?? "fffd", 16)),
    );
}

function agentEnv(
  spec: FargateServiceSpec & { vault: VaultSpec },
  dnsName = "apps.internal",
): VaultAgentConfig {
  const agent = renderVaultAgent(spec, contextFor("svc", "team", { namespaceDnsName: dnsName }));
  const raw = agent.container.environment?.find((e) => e.name === "VAULT_LOCAL_CONFIG")?.value;
  if (raw === undefined) throw new Error("no VAULT_LOCAL_CONFIG");
  return JSON.parse(raw) as VaultAgentConfig;
}

function withVault(vault: Record<string, unknown>): FargateServiceSpec & { vault: VaultSpec } {
  const spec = validSpec({
    cluster: "apps",
    cpu: 256,
    memory: 512,
    containers: [
      { name: "api", image: "api:1" },
      { name: "worker", image: "worker:1" },
    ],
    network: { subnets: ["subnet-1"], securityGroups: ["sg-1"] },
    iam: { taskRoleArn: "arn:aws:iam::123456789012:role/api" },
    vault: { address: "https://vault.example.com:8200", ...vault },
  });
  const v = spec.vault;
  if (v === undefined) throw new Error("no vault");
  return { ...spec, vault: v };
}

const PAYMENTS_CONFIG = {
  vault: { address: "https://vault.apps.internal:8200" },
  auto_auth: {
    method: {
      type: "aws",
      mount_path: "auth/aws",
      config: { type: "iam", role: "payments-api", header_value: "vault.apps.internal", region: "eu-west-1" },
    },
  },
  template_config: { exit_on_retry_failure: true },
  template: [
    {
      contents:
        '{{ with secret "database/creds/payments-api" }}username={{ .Data.username }}\npassword={{ .Data.password }}\n{{ end }}',
      destination: "/vault/file/db.env",
      perms: "0444",
      error_on_missing_key: true,
    },
    {
      contents: '{{ with secret "secret/data/payments/signing" }}{{ .Data.data | toJSON }}{{ end }}\n',
      destination: "/vault/file/signing.json",
      perms: "0444",
      error_on_missing_key: true,
    },
  ],
};

const LOGS = {
  logDriver: "awslogs",
  options: {
    "awslogs-group": "/ecs/team-payments",
    "awslogs-region": "us-east-1",
    "awslogs-stream-prefix": "payments-api",
  },
};

describe("the Vault+Consul example (payments-api)", () => {
  it("renders the task definition exactly", () => {
    const doc = exampleService("services/payments-api.yaml");
    const context = {
      ...contextFor("payments-api", "team-payments", {
        namespaceDnsName: "apps.internal",
        region: "us-east-1",
      }),
    };
    const { input, hash } = renderTaskDefinition(doc.spec, context);
    expect(input).toEqual({
      family: "team-payments-payments-api",
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "1024",
      memory: "2048",
      runtimePlatform: { cpuArchitecture: "ARM64", operatingSystemFamily: "LINUX" },
      taskRoleArn: "arn:aws:iam::123456789012:role/payments-api",
      executionRoleArn: "arn:aws:iam::123456789012:role/ecs-task-execution",
      containerDefinitions: [
        {
          name: "api",
          image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api:2.14.1",
          essential: true,
          command: ["/app/payments-api", "--config", "/etc/payments/config.yaml"],
          portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: "tcp", name: "http" }],
          environment: [
            { name: "DB_CREDENTIALS_FILE", value: "/vault/secrets/db.env" },
            { name: "LOG_LEVEL", value: "info" },
          ],
          secrets: [
            {
              name: "FEATURE_FLAGS",
              valueFrom: "arn:aws:ssm:eu-west-1:123456789012:parameter/payments/feature-flags",
            },
            {
              name: "STRIPE_WEBHOOK_SECRET",
              valueFrom:
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:payments/stripe-webhook-Ab12Cd",
            },
          ],
          healthCheck: {
            command: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8080/healthz || exit 1"],
            interval: 15,
            timeout: 5,
            retries: 3,
            startPeriod: 30,
          },
          cpu: 896,
          memory: 1792,
          logConfiguration: LOGS,
          mountPoints: [{ sourceVolume: "vault-secrets", containerPath: "/vault/secrets", readOnly: true }],
          dependsOn: [{ containerName: "vault-agent", condition: "HEALTHY" }],
        },
        {
          name: "vault-agent",
          image: DEFAULT_VAULT_IMAGE,
          essential: true,
          user: "0",
          cpu: 32,
          memory: 64,
          command: ["agent", "-config=/vault/config/local.json"],
          environment: [
            { name: "SKIP_SETCAP", value: "true" },
            { name: "VAULT_LOCAL_CONFIG", value: JSON.stringify(PAYMENTS_CONFIG) },
          ],
          mountPoints: [{ sourceVolume: "vault-secrets", containerPath: "/vault/file", readOnly: false }],
          healthCheck: {
            command: ["CMD-SHELL", "test -s '/vault/file/db.env' && test -s '/vault/file/signing.json'"],
            interval: 5,
            timeout: 2,
            retries: 3,
            startPeriod: 10,
          },
          logConfiguration: LOGS,
        },
      ],
      volumes: [{ name: "vault-secrets" }],
      tags: [
        { key: "fargate-operator:uid", value: UID },
        { key: "fargate-operator:namespace", value: "team-payments" },
        { key: "fargate-operator:name", value: "payments-api" },
        { key: "fargate-operator:hash", value: hash },
      ],
    });
    expect(DEFAULT_VAULT_IMAGE).toBe("hashicorp/vault:1.18.3");
    // No listener, sink or cache: the agent serves nothing and writes no token file.
    expect(Object.keys(PAYMENTS_CONFIG)).not.toContain("listener");
  });
});

describe("renderVaultAgent", () => {
  it("sidecar: essential, health-checked on every file, apps wait for HEALTHY, no exit_after_auth", () => {
    const spec = withVault({
      role: "api",
      secrets: [
        { name: "a", path: "kv/a" },
        { name: "b", path: "kv/b", format: "json" },
      ],
    });
    const agent = renderVaultAgent(spec, contextFor("svc", "team"));
    expect(agent.container.essential).toBe(true);
    expect(agent.container.healthCheck?.command).toEqual([
      "CMD-SHELL",
      "test -s '/vault/file/a.env' && test -s '/vault/file/b.json'",
    ]);
    expect(agent.appDependsOn).toEqual({ containerName: "vault-agent", condition: "HEALTHY" });
    expect(agent.config.exit_after_auth).toBeUndefined();
    const { input } = renderTaskDefinition(spec, contextFor("svc", "team"));
    for (const name of ["api", "worker"]) {
      const app = input.containerDefinitions?.find((c) => c.name === name);
      expect(app?.dependsOn).toEqual([{ containerName: "vault-agent", condition: "HEALTHY" }]);
      expect(app?.mountPoints).toEqual([
        { sourceVolume: "vault-secrets", containerPath: "/vault/secrets", readOnly: true },
      ]);
    }
  });

  it("init: not essential, no health check, apps wait for SUCCESS, exit_after_auth set", () => {
    const spec = withVault({ role: "api", mode: "init", secrets: [{ name: "a", path: "kv/a" }] });
    const agent = renderVaultAgent(spec, contextFor("svc", "team"));
    expect(agent.container.essential).toBe(false);
    expect(agent.container.healthCheck).toBeUndefined();
    expect(agent.appDependsOn).toEqual({ containerName: "vault-agent", condition: "SUCCESS" });
    expect(agentEnv(spec).exit_after_auth).toBe(true);
  });

  it("defaults the address from the namespace and the header from the address; takes overrides", () => {
    const spec = withVault({ role: "api", secrets: [{ name: "a", path: "kv/a" }] });
    const { address: _drop, ...noAddress } = spec.vault;
    const derived = agentEnv({ ...spec, vault: noAddress }, "data.internal");
    expect(derived.vault.address).toBe("https://vault.data.internal:8200");
    expect(derived.auto_auth.method.config.header_value).toBe("vault.data.internal");
    expect(derived.auto_auth.method.config.region).toBe("eu-west-1");
    const custom = agentEnv({
      ...spec,
      vault: {
        ...spec.vault,
        serverIdHeader: "vault.corp",
        region: "us-west-2",
        authMountPath: "aws-fargate",
        image: "my/vault:1",
      },
    });
    expect(custom.auto_auth.method).toEqual({
      type: "aws",
      mount_path: "auth/aws-fargate",
      config: { type: "iam", role: "api", header_value: "vault.corp", region: "us-west-2" },
    });
    expect(
      renderVaultAgent({ ...spec, vault: { ...spec.vault, image: "my/vault:1" } }, contextFor("s", "t"))
        .container.image,
    ).toBe("my/vault:1");
  });

  it("builds env and json templates from keys, and every key when none are listed", () => {
    const spec = withVault({
      role: "api",
      secrets: [
        { name: "all", path: "secret/data/app" },
        { name: "some", path: "secret/data/app", format: "json", keys: ["user", "pass"] },
      ],
    });
    const [all, some] = agentEnv(spec).template;
    expect(all?.contents).toBe(
      '{{ with secret "secret/data/app" }}{{ range $k, $v := .Data.data }}{{ $k }}={{ $v }}\n{{ end }}{{ end }}',
    );
    expect(some?.contents).toBe(
      '{{ with secret "secret/data/app" }}{\n  {{ "user" | toJSON }}: {{ .Data.data.user | toJSON }},\n  {{ "pass" | toJSON }}: {{ .Data.data.pass | toJSON }}\n}{{ end }}\n',
    );
    expect(some?.destination).toBe("/vault/file/some.json");
  });

  it("lets no user value reach the config except as a JSON string, nor the template except as a quoted literal", () => {
    const hostile = {
      role: 'r"}],"listener":{"x":1},"a":"',
      path: 'kv/x" }}{{ with secret "sys/raw/core" }}{{ .Data }}{{ end }}{{ "',
      name: "evil\"'$(touch /tmp/p)`\n}}",
      key: 'k"}} {{ .Data }} {{"',
      address: 'https://vault.example.com:8200/"},"listener":{"tcp":{}}}',
      header: '"}}}',
      region: 'eu-west-1"}',
      mountPath: "/vault/secrets/'$(id)'",
    };
    const base = withVault({ role: "api", secrets: [{ name: "a", path: "kv/a" }] });
    const spec = {
      ...base,
      vault: {
        ...base.vault,
        role: hostile.role,
        address: hostile.address,
        serverIdHeader: hostile.header,
        region: hostile.region,
        mountPath: hostile.mountPath,
        secrets: [
          { name: hostile.name, path: hostile.path, format: "env" as const, keys: [hostile.key] },
          { name: `${hostile.name}2`, path: hostile.path, format: "json" as const, keys: [hostile.key] },
        ],
      },
    };
    const agent = renderVaultAgent(spec, contextFor("svc", "team"));
    const raw = agent.container.environment?.find((e) => e.name === "VAULT_LOCAL_CONFIG")?.value ?? "";
    const config = JSON.parse(raw) as VaultAgentConfig;
    expect(config).toEqual(agent.config);
    expect(raw).toBe(JSON.stringify(agent.config));
    // The structure is exactly ours: the values stayed values.
    expect(Object.keys(config).sort()).toEqual(["auto_auth", "template", "template_config", "vault"]);
    expect(config.vault).toEqual({ address: hostile.address });
    expect(config.auto_auth.method.config).toEqual({
      type: "iam",
      role: hostile.role,
      header_value: hostile.header,
      region: hostile.region,
    });
    for (const template of config.template) {
      expect(Object.keys(template).sort()).toEqual([
        "contents",
        "destination",
        "error_on_missing_key",
        "perms",
      ]);
      // Neither raw value appears in the template text; each appears once as our escaped literal.
      expect(template.contents).not.toContain(hostile.path);
      expect(template.contents).not.toContain(hostile.key);
      const literals = template.contents.match(/"(?:[A-Za-z0-9_./-]|\\u[0-9a-f]{4}|\\U[0-9a-f]{8})*"/g) ?? [];
      expect(literals.map(decodeGoLiteral)).toContain(hostile.path);
      expect(literals.map(decodeGoLiteral)).toContain(hostile.key);
      expect(literals.every((l) => /^"[A-Za-z0-9_./\\-]*"$/.test(l))).toBe(true);
      // Outside the literals only the operator's own template syntax remains.
      const skeleton = template.contents.replace(
        /"(?:[A-Za-z0-9_./-]|\\u[0-9a-f]{4}|\\U[0-9a-f]{8})*"/g,
        "L",
      );
      expect(skeleton).toMatch(
        /^\{\{ with secret L \}\}(\{\{ L \}\}=\{\{ \(index \.Data L\) \}\}\n|\{\n {2}\{\{ L \| toJSON \}\}: \{\{ \(index \.Data L\) \| toJSON \}\}\n\})\{\{ end \}\}\n?$/,
      );
    }
    // The shell health check quotes every path.
    const check = agent.container.healthCheck?.command?.[1] ?? "";
    expect(check).toBe(
      config.template.map((t) => `test -s '${t.destination.replaceAll("'", "'\\''")}'`).join(" && "),
    );
  });

  it("escapes every character outside the safe set, including astral and lone surrogates", () => {
    expect(goStringLiteral("kv/a_b.c-d")).toBe('"kv/a_b.c-d"');
    expect(goStringLiteral('"{}\n')).toBe('"\\u0022\\u007b\\u007d\\u000a"');
    expect(goStringLiteral("😀")).toBe('"\\U0001f600"');
    expect(goStringLiteral("\ud800")).toBe('"\\ufffd"');
    expect(decodeGoLiteral(goStringLiteral('a"}}{{b'))).toBe('a"}}{{b');
  });
});
