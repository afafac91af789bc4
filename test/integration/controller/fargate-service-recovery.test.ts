/**
 * Crash safety and ownership of the FargateService reconciler on the simulator: a pass killed right after any
 * AWS write and run again leaves no duplicate (deterministic names, hash tags, clientToken, CreatorRequestId);
 * a service of the same name that we do not own is AlreadyExists and untouched unless `adopt: true`;
 * `deletionPolicy: Retain` leaves AWS alone; old revisions beyond `keepRevisions` are deregistered.
 */
import {
  CreateServiceCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import { ListServicesCommand as ListCloudMapServicesCommand } from "@aws-sdk/client-servicediscovery";
import { afterEach, describe, expect, it } from "vitest";
import type { ResourceDocument } from "../../../src/store/types.js";
import { clientsFor } from "../aws-sim/support.js";
import { type CrashPlan, crashingGateways } from "./crashing-gateways.js";
import {
  applyConsulAwsCatalogSync,
  conditionOf,
  exampleDocuments,
  isReady,
  type ReconcileBench,
  setImage,
  startReconcileBench,
} from "./reconcile-harness.js";

let bench: ReconcileBench | undefined;
afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

async function startWithNamespace(
  options: Parameters<typeof startReconcileBench>[0] = {},
): Promise<{ bench: ReconcileBench; payments: ResourceDocument }> {
  const started = await startReconcileBench(options);
  bench = started;
  const [namespace] = await exampleDocuments("namespaces.yaml");
  if (namespace === undefined) throw new Error("examples/namespaces.yaml changed");
  await started.store.apply(namespace);
  await started.converge("CloudMapNamespace", "platform", "apps-internal", isReady);
  await applyConsulAwsCatalogSync(started.store);
  const [payments] = await exampleDocuments("services/payments-api.yaml");
  if (payments === undefined) throw new Error("examples/services/payments-api.yaml changed");
  return { bench: started, payments };
}

async function countResources(b: ReconcileBench) {
  const { ecs, cloudMap } = clientsFor(b.sim.endpoint);
  try {
    const revisions = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: "team-payments-payments-api", status: "ACTIVE" }),
    );
    const services = await ecs.send(new ListServicesCommand({ cluster: "apps" }));
    const cloudMapServices = await cloudMap.send(new ListCloudMapServicesCommand({}));
    return {
      revisions: revisions.taskDefinitionArns?.length ?? 0,
      ecsServices: (services.serviceArns ?? []).filter((a) => a.endsWith("/team-payments-payments-api"))
        .length,
      cloudMapServices: (cloudMapServices.Services ?? []).filter((s) => s.Name === "payments-api").length,
    };
  } finally {
    ecs.destroy();
    cloudMap.destroy();
  }
}

describe("FargateService crash safety", () => {
  // A clean create makes three AWS writes (register, Cloud Map service, ECS service): crash after each.
  for (const crashAfter of [1, 2, 3]) {
    it(`a pass killed after AWS write #${crashAfter} and re-run creates nothing twice`, async () => {
      const plan: CrashPlan = { crashes: [] };
      const { bench: b, payments } = await startWithNamespace({
        wrap: (aws) => crashingGateways(aws, plan),
      });
      plan.remaining = crashAfter;
      await b.store.apply(payments);
      const record = await b.converge("FargateService", "team-payments", "payments-api", isReady);
      expect(plan.crashes).toHaveLength(1);
      expect(record?.status?.taskDefinitionArn).toMatch(/:1$/);
      expect(await countResources(b)).toEqual({ revisions: 1, ecsServices: 1, cloudMapServices: 1 });
    });
  }
});

describe("FargateService ownership", () => {
  async function createForeignService(b: ReconcileBench) {
    const { ecs } = clientsFor(b.sim.endpoint);
    try {
      const registered = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: "hand-made",
          requiresCompatibilities: ["FARGATE"],
          networkMode: "awsvpc",
          cpu: "256",
          memory: "512",
          containerDefinitions: [{ name: "app", image: "nginx:1.27" }],
        }),
      );
      await ecs.send(
        new CreateServiceCommand({
          cluster: "apps",
          serviceName: "team-payments-payments-api",
          taskDefinition: registered.taskDefinition?.taskDefinitionArn,
          desiredCount: 1,
          launchType: "FARGATE",
          networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-1"], securityGroups: ["sg-1"] } },
        }),
      );
    } finally {
      ecs.destroy();
    }
  }

  it("a same-named ECS service we do not own is AlreadyExists and left untouched", async () => {
    const { bench: b, payments } = await startWithNamespace();
    await createForeignService(b);
    await b.store.apply(payments);
    b.sim.control.resetCounters();
    const record = await b.converge(
      "FargateService",
      "team-payments",
      "payments-api",
      (r) => conditionOf(r, "Ready")?.reason === "AlreadyExists",
    );
    expect(conditionOf(record, "Stalled")?.status).toBe("True");
    expect(conditionOf(record, "Ready")?.message).toContain("spec.adopt: true");
    const counters = b.sim.control.counters();
    expect(counters["ecs:UpdateService"]?.calls ?? 0).toBe(0);
    expect(counters["ecs:TagResource"]?.calls ?? 0).toBe(0);
    expect(counters["ecs:CreateService"]?.calls ?? 0).toBe(0);
  });

  it("with adopt: true the service is tagged as ours and converged", async () => {
    const { bench: b, payments } = await startWithNamespace();
    await createForeignService(b);
    const adopting = structuredClone(payments);
    adopting.spec.adopt = true;
    await b.store.apply(adopting);
    const record = await b.converge("FargateService", "team-payments", "payments-api", isReady);
    expect(record?.status?.serviceArn).toMatch(/team-payments-payments-api$/);
    expect(await countResources(b)).toMatchObject({ ecsServices: 1 });
  });

  it("deletionPolicy Retain removes the record and leaves every AWS resource in place", async () => {
    const { bench: b, payments } = await startWithNamespace();
    const retained = structuredClone(payments);
    retained.spec.deletionPolicy = "Retain";
    await b.store.apply(retained);
    await b.converge("FargateService", "team-payments", "payments-api", isReady);
    b.sim.control.resetCounters();
    await b.store.delete("FargateService", "team-payments", "payments-api");
    await b.converge("FargateService", "team-payments", "payments-api", (r) => r === undefined);
    const counters = b.sim.control.counters();
    expect(Object.keys(counters).filter((op) => (counters[op]?.calls ?? 0) > 0)).toEqual([]);
    expect(await countResources(b)).toEqual({ revisions: 1, ecsServices: 1, cloudMapServices: 1 });
  });

  it("keeps the newest keepRevisions owned revisions and deregisters older ones", async () => {
    const { bench: b, payments } = await startWithNamespace({ settings: { keepRevisions: 2 } });
    await b.store.apply(payments);
    await b.converge("FargateService", "team-payments", "payments-api", isReady);
    for (const tag of ["2.15.0", "2.16.0", "2.17.0"]) {
      const next = structuredClone(payments);
      setImage(next, `payments-api:${tag}`);
      await b.store.apply(next);
      await b.converge("FargateService", "team-payments", "payments-api", isReady);
    }
    const { ecs } = clientsFor(b.sim.endpoint);
    try {
      const active = await ecs.send(
        new ListTaskDefinitionsCommand({ familyPrefix: "team-payments-payments-api", status: "ACTIVE" }),
      );
      expect(active.taskDefinitionArns?.map((a) => a.split(":").pop())).toEqual(["3", "4"]);
    } finally {
      ecs.destroy();
    }
  });
});
