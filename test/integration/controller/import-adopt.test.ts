/**
 * `fargatectl import` of a live service (DESIGN 11): a service made outside the operator on the simulator is
 * read by ARN and by CLUSTER/SERVICE, the document says `adopt: true`, and the controller takes the service
 * over without a new deployment (no new revision, no UpdateService, the same deployment) when nothing differs.
 */
import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import {
  CreateServiceCommand,
  DescribeServicesCommand,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import {
  CreateServiceCommand as CreateCloudMapServiceCommand,
  CreatePrivateDnsNamespaceCommand,
  GetOperationCommand,
} from "@aws-sdk/client-servicediscovery";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runImport } from "../../../src/cli/commands/import.js";
import type { CliContext } from "../../../src/cli/context.js";
import { loadDocuments } from "../../../src/cli/input.js";
import { commonSettings } from "../../../src/config/common.js";
import { resolveSettings } from "../../../src/config/settings.js";
import { TEST_CREDENTIALS, TEST_REGION } from "../../support/store-fixtures.js";
import { clientsFor } from "../aws-sim/support.js";
import { isReady, type ReconcileBench, setImage, startReconcileBench } from "./reconcile-harness.js";

let bench: ReconcileBench;
beforeEach(async () => {
  bench = await startReconcileBench();
});
afterEach(async () => {
  await bench.close();
});

/** A service as a team made it by hand: its own family, ECS's defaults (no breaker, tags not propagated). */
async function createByHand(
  serviceName: string,
  registryArn?: string,
): Promise<{ taskDefinitionArn: string; serviceArn: string }> {
  const { ecs } = clientsFor(bench.sim.endpoint);
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "orders",
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "256",
      memory: "512",
      executionRoleArn: "arn:aws:iam::123456789012:role/ecs-exec",
      containerDefinitions: [
        {
          name: "app",
          image: "registry.example/orders:1.4.2",
          portMappings: [{ containerPort: 8080, protocol: "tcp" }],
          environment: [{ name: "LOG_LEVEL", value: "info" }],
          secrets: [
            { name: "DB", valueFrom: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf" },
          ],
          healthCheck: { command: ["CMD-SHELL", "curl -f localhost:8080/health"], interval: 10 },
        },
      ],
      tags: [{ key: "team", value: "shop" }],
    }),
  );
  const taskDefinitionArn = String(registered.taskDefinition?.taskDefinitionArn);
  const created = await ecs.send(
    new CreateServiceCommand({
      cluster: "apps",
      serviceName,
      taskDefinition: taskDefinitionArn,
      desiredCount: 2,
      launchType: "FARGATE",
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ["subnet-1"], securityGroups: ["sg-1"], assignPublicIp: "DISABLED" },
      },
      deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 200 },
      tags: [{ key: "team", value: "shop" }],
      ...(registryArn === undefined ? {} : { serviceRegistries: [{ registryArn }] }),
    }),
  );
  return { taskDefinitionArn, serviceArn: String(created.service?.serviceArn) };
}

async function importLive(options: { taskDefinition?: string; service: string; namespace?: string }) {
  let out = "";
  let err = "";
  const ctx: CliContext = {
    settings: resolveSettings(commonSettings, { region: TEST_REGION }, {}),
    store: () => bench.store,
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    now: () => 0,
  };
  // A live import reads the service's Application Auto Scaling too: from the simulator, like ECS.
  const autoScaling = new ApplicationAutoScalingClient({
    endpoint: bench.sim.endpoint,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
  const clients = { ...clientsFor(bench.sim.endpoint), autoScaling };
  const code = await runImport(ctx, { output: "json", ...options }, clients).finally(() =>
    autoScaling.destroy(),
  );
  return { code, out, err, losses: err.split("\n").filter((l) => l !== "" && !l.startsWith("note:")) };
}

async function primaryDeployment(): Promise<{ id?: string; taskDefinition?: string }> {
  const { ecs } = clientsFor(bench.sim.endpoint);
  const described = await ecs.send(
    new DescribeServicesCommand({ cluster: "apps", services: ["shop-orders"] }),
  );
  const primary = described.services?.[0]?.deployments?.find((d) => d.status === "PRIMARY");
  return {
    ...(primary?.id ? { id: primary.id } : {}),
    ...(primary?.taskDefinition ? { taskDefinition: primary.taskDefinition } : {}),
  };
}

describe("import of a live service, then adoption", () => {
  it("reads it by ARN and by CLUSTER/SERVICE, and the controller adopts it without a new deployment", async () => {
    const made = await createByHand("shop-orders");
    await bench.clock.advance(60_000);
    const byName = await importLive({ service: "apps/shop-orders", namespace: "shop" });
    expect(byName.losses).toEqual([]);
    expect(byName.code).toBe(0);
    const byArn = await importLive({
      taskDefinition: made.taskDefinitionArn,
      service: made.serviceArn,
      namespace: "shop",
    });
    expect(byArn.code).toBe(0);
    expect(JSON.parse(byArn.out)).toEqual(JSON.parse(byName.out));
    const document = JSON.parse(byName.out);
    expect(document).toMatchObject({
      metadata: { name: "orders", namespace: "shop" },
      spec: {
        adopt: true,
        cluster: "apps",
        desiredCount: 2,
        deployment: { minimumHealthyPercent: 50, circuitBreaker: { enable: false, rollback: false } },
        propagateTags: "NONE",
        enableECSManagedTags: false,
        tags: { team: "shop" },
      },
    });

    const loaded = loadDocuments([{ source: "import.json", text: byName.out }]);
    expect(loaded.errors).toEqual([]);
    const before = await primaryDeployment();
    bench.sim.control.resetCounters();
    await bench.store.apply(loaded.documents[0]?.document as never);
    const record = await bench.converge("FargateService", "shop", "orders", isReady);
    const counters = bench.sim.control.counters();
    expect(counters["ecs:RegisterTaskDefinition"]?.calls ?? 0).toBe(0);
    expect(counters["ecs:UpdateService"]?.calls ?? 0).toBe(0);
    expect(counters["ecs:CreateService"]?.calls ?? 0).toBe(0);
    expect(record?.status?.taskDefinitionArn).toBe(made.taskDefinitionArn);
    expect(await primaryDeployment()).toEqual(before);

    // From then on the record's own family: a changed image registers shop-orders:1 and rolls the service.
    const changed = structuredClone(loaded.documents[0]?.document);
    if (changed === undefined) throw new Error("no document");
    setImage(changed, "registry.example/orders:1.5.0");
    await bench.store.apply(changed);
    const rolled = await bench.converge(
      "FargateService",
      "shop",
      "orders",
      (r) => isReady(r) && String(r?.status?.taskDefinitionArn).endsWith("task-definition/shop-orders:1"),
    );
    expect((await primaryDeployment()).taskDefinition).toBe(rolled?.status?.taskDefinitionArn);
  });

  it("says so when the service is not named <namespace>-<name>, which adopt would not find", async () => {
    await createByHand("legacy-orders");
    const imported = await importLive({ service: "apps/legacy-orders" });
    expect(imported.code).toBe(1);
    expect(imported.losses).toEqual([expect.stringMatching(/^serviceName: .* -n legacy --name orders/)]);
  });

  it("carries a Cloud Map registration as spec.discovery.cloudMap, naming the namespace's record", async () => {
    const { cloudMap } = clientsFor(bench.sim.endpoint);
    const op = await cloudMap.send(
      new CreatePrivateDnsNamespaceCommand({ Name: "apps.internal", Vpc: "vpc-0a1b2c3d4e5f60718" }),
    );
    let namespaceId: string | undefined;
    for (let i = 0; i < 30 && namespaceId === undefined; i++) {
      await bench.clock.advance(1_000);
      const done = await cloudMap.send(new GetOperationCommand({ OperationId: op.OperationId }));
      namespaceId = done.Operation?.Targets?.NAMESPACE;
    }
    const registry = await cloudMap.send(
      new CreateCloudMapServiceCommand({
        Name: "orders",
        NamespaceId: namespaceId,
        DnsConfig: { DnsRecords: [{ Type: "A", TTL: 30 }] },
        HealthCheckCustomConfig: { FailureThreshold: 1 },
      }),
    );
    await createByHand("shop-orders", registry.Service?.Arn);
    const imported = await importLive({ service: "apps/shop-orders", namespace: "shop" });
    expect(imported.losses).toEqual([]);
    expect(JSON.parse(imported.out).spec.discovery).toEqual({
      cloudMap: {
        namespaceRef: { name: "apps-internal" },
        serviceName: "orders",
        records: ["A"],
        dnsTtl: 30,
      },
    });
    expect(imported.err).toMatch(
      /note: spec.discovery.cloudMap.namespaceRef: apps-internal stands for Cloud Map namespace apps.internal/,
    );
  });

  it("fails with exit 2 when the service does not exist", async () => {
    await expect(importLive({ service: "apps/nothing-here" })).rejects.toThrow(/not found|MISSING/);
  });
});
