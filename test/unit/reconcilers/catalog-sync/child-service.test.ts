/** The child FargateService of a CatalogSync with placement: task, for the builtin engine and for consul-aws. */
import { describe, expect, it } from "vitest";
import type { CatalogSyncSpec } from "../../../../src/crds/catalog-sync.js";
import { applyDefaults } from "../../../../src/crds/defaults.js";
import { validateDocument } from "../../../../src/crds/index.js";
import {
  CONSUL_AWS_IMAGE,
  consulAwsArguments,
  renderSyncChild,
  type SyncChildContext,
} from "../../../../src/reconcilers/catalog-sync/child-service.js";
import { PermanentError } from "../../../../src/runtime/errors.js";

const META = { name: "data-internal", namespace: "platform", uid: "uid-7" };
const SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:consul/catalog-sync-data-Xy12Ab";

function spec(extra: Record<string, unknown> = {}, task: Record<string, unknown> = {}): CatalogSyncSpec {
  const doc = applyDefaults({
    apiVersion: "fargate-operator/v1alpha1",
    kind: "CatalogSync",
    metadata: { name: META.name },
    spec: {
      cloudMapNamespaceRef: { name: "data-internal" },
      placement: "task",
      task: {
        cluster: "data",
        subnets: ["subnet-a", "subnet-b"],
        securityGroups: ["sg-1"],
        taskRoleArn: "arn:aws:iam::123456789012:role/catalog-sync-data",
        executionRoleArn: "arn:aws:iam::123456789012:role/ecs-task-execution",
        logging: { logGroup: "/ecs/catalog-sync" },
        ...task,
      },
      ...extra,
    },
  }) as unknown as { spec: CatalogSyncSpec };
  return doc.spec;
}

const CONTEXT: SyncChildContext = {
  namespace: { namespaceId: "ns-data", dnsName: "data.internal" },
  connection: {
    address: "https://consul.data.example.internal:8501",
    addressFromSpec: true,
    datacenter: "dc1",
    token: { source: "secret", arn: SECRET },
  },
  syncImage: "ghcr.io/fargate-operator/fargate-operator:0.1.0",
  table: "fargate-operator",
  region: "eu-west-1",
};

type Container = {
  name: string;
  image: string;
  entryPoint?: string[];
  command?: string[];
  environment?: Record<string, string>;
  secrets?: Record<string, string>;
};

function containerOf(doc: ReturnType<typeof renderSyncChild>): Container {
  const [container] = doc.spec.containers as Container[];
  if (container === undefined) throw new Error("no container");
  return container;
}

describe("renderSyncChild", () => {
  it("builtin: this project's image as `catalog-sync`, config in one variable, the token as an ECS secret", () => {
    const doc = renderSyncChild(
      META,
      spec({ toConsul: { prefix: "fargate-" }, consul: { datacenter: "dc1" } }),
      CONTEXT,
    );
    expect(doc.metadata).toEqual({
      name: "data-internal-sync",
      namespace: "platform",
      ownerReferences: [{ kind: "CatalogSync", name: "data-internal", uid: "uid-7" }],
    });
    expect(doc.spec).toMatchObject({
      cluster: "data",
      cpu: 256,
      memory: 512,
      desiredCount: 1,
      network: { subnets: ["subnet-a", "subnet-b"], securityGroups: ["sg-1"], assignPublicIp: false },
      iam: {
        taskRoleArn: "arn:aws:iam::123456789012:role/catalog-sync-data",
        executionRoleArn: "arn:aws:iam::123456789012:role/ecs-task-execution",
      },
      logging: { logGroup: "/ecs/catalog-sync" },
      deployment: { minimumHealthyPercent: 0, maximumPercent: 100 },
    });
    const container = containerOf(doc);
    expect(container.image).toBe("ghcr.io/fargate-operator/fargate-operator:0.1.0");
    expect(container.command).toEqual(["catalog-sync"]);
    expect(container.secrets).toEqual({ CONSUL_HTTP_TOKEN: SECRET });
    const env = container.environment ?? {};
    expect(env.FARGATE_OPERATOR_TABLE).toBe("fargate-operator");
    expect(env.AWS_REGION).toBe("eu-west-1");
    expect(JSON.parse(env.FARGATE_OPERATOR_SYNC_CONFIG ?? "{}")).toEqual({
      owner: { uid: "uid-7", namespace: "platform", name: "data-internal" },
      cloudMapNamespace: { id: "ns-data", dnsName: "data.internal" },
      datacenter: "dc1",
      toCloudMap: { enabled: true, include: [], exclude: [], prefix: "" },
      toConsul: { enabled: true, include: [], exclude: [], prefix: "fargate-" },
      pollIntervalMs: 5_000,
      deleteGraceMs: 30_000,
      consul: { address: "https://consul.data.example.internal:8501" },
    });
  });

  it("renders a document that validates as a FargateService", () => {
    const result = validateDocument(renderSyncChild(META, spec(), CONTEXT));
    expect(result.ok).toBe(true);
  });

  it("builtin with TLS: CA and server name in the config, the client key + certificate only as an ECS secret", () => {
    const certArn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:consul/sync-client-cert";
    const caPem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const doc = renderSyncChild(META, spec(), {
      ...CONTEXT,
      connection: {
        ...CONTEXT.connection,
        tls: { caPem, serverName: "consul.internal", insecureSkipVerify: false, clientCertArn: certArn },
      },
    });
    const container = containerOf(doc);
    expect(container.secrets).toEqual({
      CONSUL_HTTP_TOKEN: SECRET,
      FARGATE_OPERATOR_CONSUL_CLIENT_PEM: certArn,
    });
    // The token's ARN too, so the task can re-read a rotated token after a 403.
    expect(container.environment?.FARGATE_OPERATOR_CONSUL_TOKEN_SECRET_ARN).toBe(SECRET);
    const config = JSON.parse(container.environment?.FARGATE_OPERATOR_SYNC_CONFIG ?? "{}");
    expect(config.consul).toEqual({
      address: "https://consul.data.example.internal:8501",
      tls: { caPem, serverName: "consul.internal" },
    });
    expect(validateDocument(doc).ok).toBe(true);
  });

  it("builtin without tokenFrom: no secrets at all", () => {
    const doc = renderSyncChild(META, spec(), {
      ...CONTEXT,
      connection: { ...CONTEXT.connection, token: { source: "none" } },
    });
    expect(containerOf(doc).secrets).toBeUndefined();
  });

  it("consul-aws: the pinned upstream image with exactly the equivalent flags", () => {
    const s = spec(
      { toCloudMap: { prefix: "consul-" }, toConsul: { prefix: "fargate-" }, pollIntervalSeconds: 7 },
      { engine: "consul-aws" },
    );
    const container = containerOf(renderSyncChild(META, s, CONTEXT));
    expect(container.image).toBe(CONSUL_AWS_IMAGE);
    expect(container.entryPoint).toEqual(["consul-aws"]);
    expect(container.command).toEqual([
      "sync-catalog",
      "-aws-namespace-id=ns-data",
      "-to-aws",
      "-to-consul",
      // upstream's help has these two backwards; the code prefixes names written INTO Cloud Map with
      // -consul-service-prefix and names written INTO Consul with -aws-service-prefix.
      "-consul-service-prefix=consul-",
      "-aws-service-prefix=fargate-",
      "-aws-poll-interval=7s",
      "-aws-dns-ttl=10",
      "-http-addr=https://consul.data.example.internal:8501",
      "-datacenter=dc1",
    ]);
    expect(container.secrets).toEqual({ CONSUL_HTTP_TOKEN: SECRET });
    expect(container.environment).toEqual({ AWS_REGION: "eu-west-1" });
  });

  it("consul-aws: renders the release docs/catalog-sync.md shows to exist, never a floating tag", () => {
    const container = containerOf(renderSyncChild(META, spec({}, { engine: "consul-aws" }), CONTEXT));
    // 0.1.2 is consul-aws's latest release; changing it means checking the new tag as the docs say.
    expect(container.image).toBe("hashicorp/consul-aws:0.1.2");
    expect(CONSUL_AWS_IMAGE).toMatch(/^hashicorp\/consul-aws(:\d+\.\d+\.\d+|@sha256:[0-9a-f]{64})$/);
  });

  it("consul-aws: a disabled direction drops its flag; no prefix, no prefix flag", () => {
    const s = spec({ toConsul: { enabled: false } }, { engine: "consul-aws" });
    const args = consulAwsArguments(s, CONTEXT);
    expect(args).toContain("-to-aws");
    expect(args).not.toContain("-to-consul");
    expect(args.some((a) => a.includes("prefix"))).toBe(false);
  });

  it("consul-aws: filters it cannot apply are refused, not ignored", () => {
    const s = spec({ toCloudMap: { include: ["vault"] } }, { engine: "consul-aws" });
    expect(() => renderSyncChild(META, s, CONTEXT)).toThrow(PermanentError);
    expect(() => renderSyncChild(META, s, CONTEXT)).toThrow(/include\/exclude/);
  });
});
