/**
 * The FargateService reconciler end to end on the AWS simulator (DESIGN 5): create → Ready with both endpoints,
 * image change → one new revision and a rollout, unchanged spec → zero AWS writes, crash-looping image →
 * RolloutFailed after the circuit breaker's rollback, deletion → everything gone. Time is the simulator's
 * ManualClock; every requeueAfter advances it.
 */
import { DescribeServicesCommand, ListTaskDefinitionsCommand } from "@aws-sdk/client-ecs";
import {
  ListServicesCommand as ListCloudMapServicesCommand,
  ListInstancesCommand,
} from "@aws-sdk/client-servicediscovery";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ResourceDocument } from "../../../src/store/types.js";
import { cli } from "../../e2e/cli-support.js";
import { clientsFor } from "../aws-sim/support.js";
import {
  applyConsulAwsCatalogSync,
  conditionOf,
  exampleDocuments,
  isReady,
  type ReconcileBench,
  setImage,
  startReconcileBench,
} from "./reconcile-harness.js";

/** ECS and Cloud Map operations that change something. */
const WRITE_OPERATIONS = [
  "ecs:RegisterTaskDefinition",
  "ecs:DeregisterTaskDefinition",
  "ecs:CreateService",
  "ecs:UpdateService",
  "ecs:DeleteService",
  "ecs:TagResource",
  "servicediscovery:CreateService",
  "servicediscovery:UpdateService",
  "servicediscovery:DeleteService",
  "servicediscovery:CreatePrivateDnsNamespace",
  "servicediscovery:TagResource",
];

function writesIn(counters: Record<string, { calls: number }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const op of WRITE_OPERATIONS) {
    const calls = counters[op]?.calls ?? 0;
    if (calls > 0) out[op] = calls;
  }
  return out;
}

function callsIn(counters: Record<string, { calls: number }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [op, c] of Object.entries(counters)) if (c.calls > 0) out[op] = c.calls;
  return out;
}

let bench: ReconcileBench;
let payments: ResourceDocument;

beforeEach(async () => {
  bench = await startReconcileBench();
  const [namespace, ...rest] = await exampleDocuments("namespaces.yaml");
  if (namespace === undefined || rest.length === 0) throw new Error("examples/namespaces.yaml changed");
  await bench.store.apply(namespace);
  await bench.converge("CloudMapNamespace", "platform", "apps-internal", isReady);
  await applyConsulAwsCatalogSync(bench.store);
  const [service] = await exampleDocuments("services/payments-api.yaml");
  if (service === undefined) throw new Error("examples/services/payments-api.yaml changed");
  payments = service;
});

afterEach(async () => {
  await bench.close();
});

async function createPayments() {
  await bench.store.apply(payments);
  return bench.converge("FargateService", "team-payments", "payments-api", isReady);
}

describe("FargateService on the simulator", () => {
  it("creates the task definition, Cloud Map service and ECS service and reports Ready with both endpoints", async () => {
    bench.sim.control.resetCounters();
    const record = await createPayments();
    const status = record?.status ?? {};
    expect(status.endpoints).toEqual({
      cloudMap: "payments-api.apps.internal",
      consul: "payments-api.service.consul",
    });
    expect(status.taskDefinitionArn).toMatch(/:task-definition\/team-payments-payments-api:1$/);
    expect(status.serviceArn).toMatch(/:service\/apps\/team-payments-payments-api$/);
    expect(status.replicas).toEqual({ desired: 3, running: 3, pending: 0 });
    expect(status.rollout).toMatchObject({ state: "COMPLETED" });
    expect(conditionOf(record, "TaskDefinitionRegistered")?.status).toBe("True");
    expect(conditionOf(record, "CloudMapRegistered")?.status).toBe("True");
    expect(conditionOf(record, "ServiceStable")?.status).toBe("True");
    // The namespace's CatalogSync runs consul-aws: nothing is reported, so Ready is not held back.
    expect(conditionOf(record, "ConsulRegistered")).toMatchObject({
      status: "Unknown",
      reason: "NotReported",
    });
    expect(conditionOf(record, "Reconciling")?.status).toBe("False");
    expect(record?.metadata.finalizers).toContain("fargate-operator/cleanup");

    const counters = bench.sim.control.counters();
    console.info(`[figures] AWS calls for one create → Ready: ${JSON.stringify(callsIn(counters))}`);
    const writes = writesIn(counters);
    expect(writes).toEqual({
      "ecs:RegisterTaskDefinition": 1,
      "ecs:CreateService": 1,
      "servicediscovery:CreateService": 1,
    });
    // ECS registered each RUNNING task in the Cloud Map service.
    const { ecs, cloudMap } = clientsFor(bench.sim.endpoint);
    try {
      const cloudMapServiceId = String((status.cloudMap as { serviceId?: string } | undefined)?.serviceId);
      const instances = await cloudMap.send(new ListInstancesCommand({ ServiceId: cloudMapServiceId }));
      expect(instances.Instances).toHaveLength(3);
      const described = await ecs.send(
        new DescribeServicesCommand({
          cluster: "apps",
          services: ["team-payments-payments-api"],
          include: ["TAGS"],
        }),
      );
      const service = described.services?.[0];
      expect(service?.serviceRegistries?.[0]?.registryArn).toBe(
        (status.cloudMap as { serviceArn: string }).serviceArn,
      );
      expect(service?.tags).toEqual(
        expect.arrayContaining([{ key: "fargate-operator:uid", value: record?.metadata.uid }]),
      );
    } finally {
      ecs.destroy();
      cloudMap.destroy();
    }
  });

  it("re-applying an unchanged spec makes zero AWS writes and no new revision", async () => {
    await createPayments();
    bench.sim.control.resetCounters();
    const outcome = await bench.store.apply(payments);
    expect(outcome.outcome).toBe("unchanged");
    for (let i = 0; i < 3; i += 1) {
      const result = await bench.pass("FargateService", "team-payments", "payments-api");
      expect(result.type).toBe("done");
    }
    const counters = bench.sim.control.counters();
    expect(writesIn(counters)).toEqual({});
    console.info(`[figures] AWS calls for 3 steady-state passes: ${JSON.stringify(callsIn(counters))}`);
  });

  it("an image change registers exactly one new revision, rolls out and is Ready again", async () => {
    const first = await createPayments();
    const changed = structuredClone(payments);
    setImage(changed, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api:2.15.0");
    bench.sim.control.resetCounters();
    await bench.store.apply(changed);
    const record = await bench.converge("FargateService", "team-payments", "payments-api", isReady);
    expect(record?.status?.taskDefinitionArn).toMatch(/:2$/);
    expect(record?.status?.taskDefinitionArn).not.toBe(first?.status?.taskDefinitionArn);
    expect(record?.metadata.generation).toBe(2);
    expect(record?.status?.observedGeneration).toBe(2);
    expect(writesIn(bench.sim.control.counters())).toEqual({
      "ecs:RegisterTaskDefinition": 1,
      "ecs:UpdateService": 1,
    });
  });

  it("a crash-looping image ends RolloutFailed after the circuit breaker rolls back, and is not pushed again", async () => {
    await createPayments();
    const broken = structuredClone(payments);
    setImage(broken, "payments-api:2.16.0-crashloop");
    await bench.store.apply(broken);
    const record = await bench.converge(
      "FargateService",
      "team-payments",
      "payments-api",
      (r) => conditionOf(r, "Ready")?.reason === "RolloutFailed",
      120,
    );
    expect(conditionOf(record, "Ready")?.status).toBe("False");
    expect(conditionOf(record, "Stalled")?.status).toBe("True");
    expect(conditionOf(record, "ServiceStable")).toMatchObject({ status: "False", reason: "RolloutFailed" });
    expect(record?.status?.rollout).toMatchObject({ state: "FAILED" });
    // ECS's own words for why the tasks stopped, with the container's exit code (issue 16).
    const message = conditionOf(record, "Ready")?.message ?? "";
    expect(message).toContain("rolled back to");
    expect(message).toMatch(
      /3 tasks stopped: EssentialContainerExited: Essential container in task exited \(container api: exit code 1\)/,
    );
    expect(conditionOf(record, "Stalled")?.message).toBe(message);
    expect(record?.status?.rollout).toMatchObject({
      stoppedTasks: { final: true, stopped: 3, groups: [{ count: 3, stopCode: "EssentialContainerExited" }] },
    });
    // The held spec is not pushed again: later passes make no ECS writes.
    bench.sim.control.resetCounters();
    for (let i = 0; i < 3; i += 1) {
      await bench.pass("FargateService", "team-payments", "payments-api");
      await bench.clock.advance(5_000);
    }
    expect(writesIn(bench.sim.control.counters())).toEqual({});
    // The stopped tasks were read once, after the failure: later passes quote the recorded summary.
    const reads = callsIn(bench.sim.control.counters());
    expect(reads["ecs:ListTasks"]).toBeUndefined();
    expect(reads["ecs:DescribeTasks"]).toBeUndefined();
    const after = await bench.read("FargateService", "team-payments", "payments-api");
    expect(conditionOf(after, "Ready")?.reason).toBe("RolloutFailed");
    expect(conditionOf(after, "Ready")?.message).toBe(message);
    // `fargatectl describe` shows it, with the summary under Status.
    const described = await cli(
      bench.store,
      "describe",
      "FargateService",
      "payments-api",
      "-n",
      "team-payments",
    );
    expect(described.code).toBe(0);
    expect(described.out).toContain("(container api: exit code 1)");
    expect(described.out).toContain("stoppedTasks:");
    expect(described.out).toContain("stopCode: EssentialContainerExited");
  });

  it("a missing image ends RolloutFailed quoting ECS's CannotPullContainerError", async () => {
    await createPayments();
    const broken = structuredClone(payments);
    setImage(broken, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api:9.9.9-missing");
    await bench.store.apply(broken);
    const record = await bench.converge(
      "FargateService",
      "team-payments",
      "payments-api",
      (r) => conditionOf(r, "Ready")?.reason === "RolloutFailed",
      120,
    );
    const message = conditionOf(record, "Ready")?.message ?? "";
    expect(message).toContain(
      "tasks stopped: TaskFailedToStart: CannotPullContainerError: pull image manifest has been retried 5 time(s): " +
        "failed to resolve ref 123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments-api:9.9.9-missing",
    );
    // The container's reason repeats the task's: said once.
    expect(message.match(/CannotPullContainerError/g)).toHaveLength(1);
  });

  it("while tasks keep failing their health checks, the rollout's messages name the latest stop", async () => {
    await createPayments();
    const sick = structuredClone(payments);
    setImage(sick, "payments-api:2.17.0-unhealthy");
    // Without the circuit breaker ECS keeps replacing the tasks: the rollout runs on, failing.
    sick.spec.deployment = {
      ...(sick.spec.deployment as object),
      circuitBreaker: { enable: false, rollback: false },
    };
    await bench.store.apply(sick);
    const record = await bench.converge(
      "FargateService",
      "team-payments",
      "payments-api",
      (r) => (conditionOf(r, "Reconciling")?.message ?? "").includes("stopped so far"),
      120,
    );
    expect(conditionOf(record, "Reconciling")?.reason).toBe("RolloutInProgress");
    expect(conditionOf(record, "Ready")?.message).toMatch(
      /in progress: .*; \d+ tasks? stopped so far, latest: ServiceSchedulerInitiated: Task failed container health checks \(container api: exit code 143\)$/,
    );
  });

  it("deletion scales to 0, deletes the service through DRAINING, the Cloud Map service and the revisions, then the record", async () => {
    const created = await createPayments();
    const cloudMapServiceId = (created?.status?.cloudMap as { serviceId?: string } | undefined)?.serviceId;
    expect(cloudMapServiceId).toMatch(/^srv-/);
    await bench.store.delete("FargateService", "team-payments", "payments-api");
    const gone = await bench.converge(
      "FargateService",
      "team-payments",
      "payments-api",
      (r) => r === undefined,
    );
    expect(gone).toBeUndefined();
    const { ecs, cloudMap } = clientsFor(bench.sim.endpoint);
    try {
      const described = await ecs.send(
        new DescribeServicesCommand({ cluster: "apps", services: ["team-payments-payments-api"] }),
      );
      expect(described.services?.[0]?.status ?? "MISSING").not.toBe("ACTIVE");
      expect(described.services?.[0]?.status ?? "MISSING").not.toBe("DRAINING");
      const services = await cloudMap.send(new ListCloudMapServicesCommand({}));
      expect(services.Services?.map((s) => s.Id)).not.toContain(cloudMapServiceId);
      const active = await ecs.send(
        new ListTaskDefinitionsCommand({ familyPrefix: "team-payments-payments-api", status: "ACTIVE" }),
      );
      expect(active.taskDefinitionArns).toEqual([]);
    } finally {
      ecs.destroy();
      cloudMap.destroy();
    }
  });
});
