/**
 * `fargatectl import` of a live service that scales (DESIGN §11): a service made by hand on the simulator with a
 * scalable target, a target-tracking policy and a scheduled action is read with its scaler, the document carries
 * spec.autoscaling, and applying it adopts the service with no new deployment and the scaler's count untouched.
 */
import {
  ApplicationAutoScalingClient,
  DeregisterScalableTargetCommand,
  PutScalingPolicyCommand,
  PutScheduledActionCommand,
  RegisterScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import {
  CreateServiceCommand,
  DescribeServicesCommand,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApplicationAutoScalingGateway } from "../../../src/aws/application-autoscaling.js";
import { runImport } from "../../../src/cli/commands/import.js";
import type { CliContext } from "../../../src/cli/context.js";
import { loadDocuments } from "../../../src/cli/input.js";
import { commonSettings } from "../../../src/config/common.js";
import { resolveSettings } from "../../../src/config/settings.js";
import { TEST_CREDENTIALS, TEST_REGION } from "../../support/store-fixtures.js";
import { clientsFor } from "../aws-sim/support.js";
import { isReady, type ReconcileBench, startReconcileBench } from "./reconcile-harness.js";

const TARGET = {
  ServiceNamespace: "ecs" as const,
  ResourceId: "service/apps/shop-orders",
  ScalableDimension: "ecs:service:DesiredCount" as const,
};

let bench: ReconcileBench;
let autoScaling: ApplicationAutoScalingClient;
beforeEach(async () => {
  bench = await startReconcileBench();
  autoScaling = new ApplicationAutoScalingClient({
    endpoint: bench.sim.endpoint,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
});
afterEach(async () => {
  autoScaling.destroy();
  await bench.close();
});

/** A service a team made by hand and then put under Application Auto Scaling with the console's names. */
async function createScaledByHand(): Promise<void> {
  const { ecs } = clientsFor(bench.sim.endpoint);
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "orders",
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "256",
      memory: "512",
      executionRoleArn: "arn:aws:iam::123456789012:role/ecs-exec",
      containerDefinitions: [{ name: "app", image: "registry.example/orders:1.4.2" }],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster: "apps",
      serviceName: "shop-orders",
      taskDefinition: registered.taskDefinition?.taskDefinitionArn,
      desiredCount: 2,
      launchType: "FARGATE",
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ["subnet-1"], securityGroups: ["sg-1"], assignPublicIp: "DISABLED" },
      },
    }),
  );
  await bench.clock.advance(60_000);
  await autoScaling.send(new RegisterScalableTargetCommand({ ...TARGET, MinCapacity: 2, MaxCapacity: 8 }));
  await autoScaling.send(
    new PutScalingPolicyCommand({
      ...TARGET,
      PolicyName: "cpu50",
      PolicyType: "TargetTrackingScaling",
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 50,
        PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" },
        ScaleInCooldown: 120,
      },
    }),
  );
  await autoScaling.send(
    new PutScheduledActionCommand({
      ...TARGET,
      ScheduledActionName: "weekday-mornings",
      Schedule: "cron(0 7 ? * MON-FRI *)",
      Timezone: "Europe/Berlin",
      ScalableTargetAction: { MinCapacity: 3 },
    }),
  );
}

async function importLive(service: string, client = autoScaling) {
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
  const clients = { ...clientsFor(bench.sim.endpoint), autoScaling: client };
  const code = await runImport(ctx, { output: "json", service, namespace: "shop" }, clients);
  return { code, out, err, losses: err.split("\n").filter((l) => l !== "" && !l.startsWith("note:")) };
}

async function ecsService() {
  const { ecs } = clientsFor(bench.sim.endpoint);
  const described = await ecs.send(
    new DescribeServicesCommand({ cluster: "apps", services: ["shop-orders"] }),
  );
  const service = described.services?.[0];
  return {
    desiredCount: service?.desiredCount,
    primary: service?.deployments?.find((d) => d.status === "PRIMARY")?.id,
  };
}

describe("import of a live service with autoscaling, then adoption", () => {
  it("carries the scaler as spec.autoscaling and adopts without a deployment or a new count", async () => {
    await createScaledByHand();
    const imported = await importLive("apps/shop-orders");
    expect(imported.losses).toEqual([]);
    expect(imported.code).toBe(0);
    const document = JSON.parse(imported.out);
    expect(document.spec.autoscaling).toEqual({
      minCount: 2,
      maxCount: 8,
      targetTracking: [{ metric: "cpu", targetValue: 50, scaleInCooldownSeconds: 120 }],
      scheduled: [
        {
          name: "weekday-mornings",
          schedule: "cron(0 7 ? * MON-FRI *)",
          timezone: "Europe/Berlin",
          minCount: 3,
        },
      ],
    });
    expect(imported.err).toMatch(
      /note: spec.autoscaling: on apply the controller puts its own policy cpu50 → fargate-operator-cpu, scheduled action weekday-mornings → fargate-operator-weekday-mornings beside the service's own/,
    );

    // The scaler moves the count after the import: the spec's desiredCount (2) is then only the initial one.
    bench.sim.control.feedMetric({ cluster: "apps", service: "shop-orders", metric: "cpu", value: 100 });
    const before = await ecsService();
    expect(before.desiredCount).toBe(4); // ceil(100% × 2 tasks / 50%)

    const loaded = loadDocuments([{ source: "import.json", text: imported.out }]);
    expect(loaded.errors).toEqual([]);
    bench.sim.control.resetCounters();
    await bench.store.apply(loaded.documents[0]?.document as never);
    const record = await bench.converge(
      "FargateService",
      "shop",
      "orders",
      (r) => isReady(r) && r?.status?.autoscaling !== undefined,
    );
    const counters = bench.sim.control.counters();
    expect(counters["ecs:RegisterTaskDefinition"]?.calls ?? 0).toBe(0);
    expect(counters["ecs:UpdateService"]?.calls ?? 0).toBe(0);
    expect(counters["ecs:CreateService"]?.calls ?? 0).toBe(0);
    expect(await ecsService()).toEqual(before);
    expect(record?.status?.autoscaling).toMatchObject({ minCount: 2, maxCount: 8, desiredCount: 4 });
    // Adopted as scaled: the orphan sweep would deregister its target before scaling it to 0.
    const { ecs } = clientsFor(bench.sim.endpoint);
    const tagged = await ecs.send(
      new DescribeServicesCommand({ cluster: "apps", services: ["shop-orders"], include: ["TAGS"] }),
    );
    expect(tagged.services?.[0]?.tags).toContainEqual({ key: "fargate-operator:autoscaling", value: "true" });

    // What the note said: the controller's own policy and action now stand beside the service's own.
    const aas = createApplicationAutoScalingGateway({
      region: TEST_REGION,
      endpoints: { applicationAutoScaling: bench.sim.endpoint },
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
    });
    try {
      const ref = { cluster: "apps", service: "shop-orders" };
      expect((await aas.listPolicies(ref)).map((p) => p.name).sort()).toEqual([
        "cpu50",
        "fargate-operator-cpu",
      ]);
      expect((await aas.listScheduledActions(ref)).map((a) => a.name).sort()).toEqual([
        "fargate-operator-weekday-mornings",
        "weekday-mornings",
      ]);
    } finally {
      aas.destroy();
    }
  });

  it("a service without a scalable target imports as before, with no spec.autoscaling", async () => {
    await createScaledByHand();
    await autoScaling.send(new DeregisterScalableTargetCommand(TARGET));
    const imported = await importLive("apps/shop-orders");
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.out).spec.autoscaling).toBeUndefined();
  });

  it("a caller who may not read Application Auto Scaling gets a loss (exit 1), not a document that would fight the scaler", async () => {
    await createScaledByHand();
    const denied = new ApplicationAutoScalingClient({
      endpoint: bench.sim.endpoint,
      region: TEST_REGION,
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
    });
    denied.middlewareStack.add(
      () => async () => {
        throw Object.assign(
          new Error(
            "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: application-autoscaling:DescribeScalableTargets",
          ),
          { name: "AccessDeniedException", $fault: "client", $metadata: { httpStatusCode: 400 } },
        );
      },
      { step: "initialize" },
    );
    try {
      const imported = await importLive("apps/shop-orders", denied);
      expect(imported.code).toBe(1);
      expect(imported.losses).toEqual([
        expect.stringMatching(/^autoscaling: not read \(.*allow application-autoscaling:Describe\*/),
      ]);
      expect(JSON.parse(imported.out).spec.adopt).toBe(true);
    } finally {
      denied.destroy();
    }
  });
});
