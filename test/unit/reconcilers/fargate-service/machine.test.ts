/**
 * The FargateService machine with fake steps: which steps run in which case, and what the pass outputs
 * (conditions, status, requeue, finalizer). No I/O.
 */
import { describe, expect, it } from "vitest";
import { fromPromise } from "xstate";
import type { EcsService } from "../../../../src/aws/types.js";
import { applyDefaults } from "../../../../src/crds/defaults.js";
import type { FargateServiceSpec } from "../../../../src/crds/index.js";
import type { AutoscalingObservation } from "../../../../src/reconcilers/fargate-service/autoscaling.js";
import type {
  ConsulMirrorObservation,
  DeletionProgress,
  EnsuredCloudMapService,
  EnsuredEcsService,
  EnsuredTaskDefinition,
  FargateServiceRecord,
  NamespaceResolution,
} from "../../../../src/reconcilers/fargate-service/context.js";
import {
  type AutoscalingStepInput,
  type CloudMapStepInput,
  type ConsulMirrorStepInput,
  type EcsServiceStepInput,
  fargateServiceMachine,
  type NameCheckStepInput,
  type PruneStepInput,
  type RecordInput,
  type TaskDefinitionStepInput,
} from "../../../../src/reconcilers/fargate-service/machine.js";
import { runMachinePass } from "../../../../src/runtime/machine-runner.js";

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/default-web:1";
const SETTINGS = {
  region: "us-east-1",
  keepRevisions: 5,
  pollIntervalMs: 5_000,
  steadyStateMaxAgeMs: 60_000,
};

function spec(extra: Record<string, unknown> = {}): FargateServiceSpec {
  const doc = applyDefaults({
    apiVersion: "fargate-operator/v1alpha1",
    kind: "FargateService",
    metadata: { name: "web" },
    spec: {
      cluster: "apps",
      cpu: 256,
      memory: 512,
      containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 80 }] }],
      network: { subnets: ["subnet-1"], securityGroups: ["sg-1"] },
      desiredCount: 2, // what the fake ECS service is told
      ...extra,
    },
  }) as unknown as { spec: FargateServiceSpec };
  return doc.spec;
}

function record(
  overrides: { spec?: FargateServiceSpec; deleting?: boolean; status?: FargateServiceRecord["status"] } = {},
): FargateServiceRecord {
  return {
    metadata: {
      name: "web",
      namespace: "default",
      uid: "uid-1",
      generation: 2,
      resourceVersion: "7",
      creationTimestamp: "2026-11-25T11:00:00.000Z",
      finalizers: ["fargate-operator/cleanup"],
      labels: {},
      annotations: {},
      ownerReferences: [],
      ...(overrides.deleting === true ? { deletionTimestamp: "2026-11-25T11:59:00.000Z" } : {}),
    },
    spec: overrides.spec ?? spec(),
    status: overrides.status ?? {},
    specHash: "hash-of-spec",
  };
}

function service(rolloutState: "IN_PROGRESS" | "COMPLETED", running: number): EcsService {
  return {
    serviceArn: "arn:aws:ecs:us-east-1:123456789012:service/apps/default-web",
    serviceName: "default-web",
    status: "ACTIVE",
    desiredCount: 2,
    runningCount: running,
    pendingCount: 2 - running,
    deployments: [
      {
        id: "ecs-svc/1",
        status: "PRIMARY",
        taskDefinition: ARN,
        rolloutState,
        desiredCount: 2,
        runningCount: running,
        pendingCount: 2 - running,
        createdAt: new Date(NOW - 60_000),
      },
    ],
  };
}

/** A service the scaler moved to `count` tasks (all running), deployment completed. */
function scaledService(count: number): EcsService {
  const base = service("COMPLETED", 2);
  const primary = { ...base.deployments?.[0], desiredCount: count, runningCount: count, pendingCount: 0 };
  return { ...base, desiredCount: count, runningCount: count, pendingCount: 0, deployments: [primary] };
}

/** Fake steps that record their calls. */
function fakes(
  options: {
    ecsService?: EcsService;
    deletion?: boolean[];
    registered?: boolean;
    consulMirror?: ConsulMirrorObservation;
    /** Thrown by the name check (a taken name). */
    nameTaken?: Error;
  } = {},
) {
  const calls: string[] = [];
  const deletion = [...(options.deletion ?? [true, true])];
  const step = <T, I>(name: string, value: () => T) =>
    fromPromise<T, I>(async () => {
      calls.push(name);
      return value();
    });
  const machine = fargateServiceMachine.provide({
    actors: {
      resolveNamespace: step<NamespaceResolution, RecordInput>("resolveNamespace", () => ({
        ready: true as const,
        dnsName: "apps.internal",
        namespaceId: "ns-1",
      })),
      checkNames: step<EcsService | undefined, NameCheckStepInput>("checkNames", () => {
        if (options.nameTaken !== undefined) throw options.nameTaken;
        return undefined;
      }),
      ensureTaskDefinition: step<EnsuredTaskDefinition, TaskDefinitionStepInput>(
        "ensureTaskDefinition",
        () => ({
          arn: ARN,
          hash: "h1",
          registered: options.registered ?? true,
        }),
      ),
      ensureCloudMapService: step<EnsuredCloudMapService | undefined, CloudMapStepInput>(
        "ensureCloudMapService",
        () => ({
          serviceId: "srv-1",
          serviceArn: "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-1",
        }),
      ),
      ensureEcsService: step<EnsuredEcsService, EcsServiceStepInput>("ensureEcsService", () => ({
        service: options.ecsService ?? service("COMPLETED", 2),
        action: "created" as const,
        changed: [],
      })),
      ensureAutoscaling: step<AutoscalingObservation, AutoscalingStepInput>("ensureAutoscaling", () => ({
        status: { minCount: 1, maxCount: 6, desiredCount: 5, appliedHash: "h" },
        changes: [],
      })),
      deregisterAutoscaling: step<DeletionProgress, RecordInput>("deregisterAutoscaling", () => ({
        complete: true,
        message: "scalable target deregistered",
      })),
      pruneRevisions: step<string[], PruneStepInput>("pruneRevisions", () => []),
      observeConsulMirror: step<ConsulMirrorObservation, ConsulMirrorStepInput>(
        "observeConsulMirror",
        () =>
          options.consulMirror ?? {
            state: "reported",
            catalogSync: "platform/apps-internal",
            consulPrefix: "",
            mirrored: { consulName: "web", instances: 2, passing: 2 },
          },
      ),
      deleteEcsService: step<DeletionProgress, RecordInput>("deleteEcsService", () => ({
        complete: deletion.shift() ?? true,
        message: "ECS service draining",
      })),
      deleteCloudMapService: step<DeletionProgress, RecordInput>("deleteCloudMapService", () => ({
        complete: deletion.shift() ?? true,
        message: "Cloud Map instances remain",
      })),
      deregisterRevisions: step<string[], RecordInput>("deregisterRevisions", () => []),
    },
  });
  return { machine, calls };
}

function run(machine: ReturnType<typeof fakes>["machine"], input: FargateServiceRecord) {
  return runMachinePass(
    machine,
    { record: input, settings: SETTINGS, now: NOW },
    new AbortController().signal,
  );
}

const condition = (output: { conditions: Array<{ type: string; status: string }> }, type: string) =>
  output.conditions.find((c) => c.type === type);

describe("fargateServiceMachine", () => {
  it("runs every apply step in order and reports Ready with both endpoints when the rollout completed", async () => {
    const { machine, calls } = fakes();
    const cloudMap = { namespaceRef: { name: "apps-internal" } };
    const output = await run(
      machine,
      record({ spec: spec({ discovery: { cloudMap, consul: { register: true } } }) }),
    );
    expect(calls).toEqual([
      "resolveNamespace",
      "checkNames",
      "ensureTaskDefinition",
      "ensureCloudMapService",
      "ensureEcsService",
      "pruneRevisions",
      "observeConsulMirror",
    ]);
    expect(output.result).toEqual({ type: "done" });
    expect(output.removeFinalizer).toBe(false);
    expect(condition(output, "Ready")).toMatchObject({ status: "True", reason: "RolloutComplete" });
    expect(condition(output, "ConsulRegistered")).toMatchObject({ status: "True", reason: "Registered" });
    expect(output.status).toMatchObject({
      taskDefinitionArn: ARN,
      taskDefinitionHash: "h1",
      endpoints: { cloudMap: "web.apps.internal", consul: "web.service.consul" },
      replicas: { desired: 2, running: 2, pending: 0 },
      cloudMap: { serviceId: "srv-1" },
    });
  });

  it("stops at a taken name before any step that writes to AWS", async () => {
    const { machine, calls } = fakes({ nameTaken: new Error("ECS service default-web belongs to x/y") });
    const cloudMap = { namespaceRef: { name: "apps-internal" } };
    await expect(run(machine, record({ spec: spec({ discovery: { cloudMap } }) }))).rejects.toThrow(
      "belongs to x/y",
    );
    expect(calls).toEqual(["resolveNamespace", "checkNames"]);
  });

  describe("Ready needs the tasks", () => {
    /** A service whose deployment COMPLETED and was told 5 tasks, `running` of which run. */
    const scaledTo5 = (running: number): EcsService => {
      const base = service("COMPLETED", running);
      const primary = { ...base.deployments?.[0], desiredCount: 5, pendingCount: 5 - running };
      return { ...base, desiredCount: 5, pendingCount: 5 - running, deployments: [primary] };
    };

    it("is Ready=False, Reconciling, and follows ECS with a requeue while 1 of 5 tasks runs", async () => {
      const { machine } = fakes({ ecsService: scaledTo5(1) });
      const output = await run(machine, record({ spec: spec({ desiredCount: 5 }) }));
      expect(condition(output, "Ready")).toMatchObject({
        status: "False",
        reason: "TasksStarting",
        message: expect.stringMatching(/^1\/5 tasks running/),
      });
      expect(condition(output, "Reconciling")).toMatchObject({ status: "True", reason: "TasksStarting" });
      expect(condition(output, "ServiceStable")?.status).toBe("False");
      expect(output.result).toEqual({ type: "requeueAfter", ms: 5_000 });
      expect(output.status).toMatchObject({ replicas: { desired: 5, running: 1, pending: 4 } });
    });

    it("is Ready=True once 5 of 5 run, with the replicas saying so", async () => {
      const { machine } = fakes({ ecsService: scaledTo5(5) });
      const output = await run(machine, record({ spec: spec({ desiredCount: 5 }) }));
      expect(condition(output, "Ready")).toMatchObject({
        status: "True",
        reason: "RolloutComplete",
        message: expect.stringMatching(/^5\/5 tasks running/),
      });
      expect(output.result).toEqual({ type: "done" });
      expect(output.status).toMatchObject({ replicas: { desired: 5, running: 5, pending: 0 } });
    });
  });

  describe("ConsulRegistered", () => {
    const consulSpec = () =>
      spec({
        discovery: { cloudMap: { namespaceRef: { name: "apps-internal" } }, consul: { register: true } },
      });

    it("holds Ready back and requeues while no CatalogSync syncs the namespace", async () => {
      const { machine } = fakes({ consulMirror: { state: "noCatalogSync", message: "no CatalogSync" } });
      const output = await run(machine, record({ spec: consulSpec() }));
      expect(condition(output, "ConsulRegistered")).toMatchObject({
        status: "False",
        reason: "NoCatalogSync",
      });
      expect(condition(output, "Ready")).toMatchObject({ status: "False", reason: "NoCatalogSync" });
      expect(condition(output, "ServiceStable")?.status).toBe("True");
      expect(output.result).toEqual({ type: "requeueAfter", ms: 5_000 });
    });

    it("waits for the CatalogSync to report at least the running tasks", async () => {
      const { machine } = fakes({
        consulMirror: {
          state: "reported",
          catalogSync: "platform/apps-internal",
          consulPrefix: "",
          mirrored: { consulName: "web", instances: 1, passing: 1 },
        },
      });
      const output = await run(machine, record({ spec: consulSpec() }));
      expect(condition(output, "ConsulRegistered")).toMatchObject({
        status: "False",
        reason: "ConsulSyncPending",
      });
      expect(condition(output, "Ready")?.status).toBe("False");
      expect(output.result).toEqual({ type: "requeueAfter", ms: 5_000 });
    });

    it("says ConsulNameTaken, and holds Ready back, when the CatalogSync refuses the Consul name", async () => {
      const { machine } = fakes({
        consulMirror: {
          state: "reported",
          catalogSync: "platform/apps-internal",
          consulPrefix: "",
          mirrored: {
            consulName: "vault",
            instances: 0,
            passing: 0,
            refused: "Consul service vault has 3 instance(s) that this CatalogSync did not register",
          },
        },
      });
      const output = await run(machine, record({ spec: consulSpec() }));
      expect(condition(output, "ConsulRegistered")).toMatchObject({
        status: "False",
        reason: "ConsulNameTaken",
        message: expect.stringMatching(
          /vault has 3 instance.*set spec\.discovery\.consul\.serviceName to another name/,
        ),
      });
      expect(condition(output, "Ready")).toMatchObject({ status: "False", reason: "ConsulNameTaken" });
    });

    it("is Unknown with consul-aws and does not hold Ready back", async () => {
      const { machine } = fakes({
        consulMirror: { state: "unreported", catalogSync: "platform/data-internal", consulPrefix: "" },
      });
      const output = await run(machine, record({ spec: consulSpec() }));
      expect(condition(output, "ConsulRegistered")).toMatchObject({
        status: "Unknown",
        reason: "NotReported",
      });
      expect(condition(output, "Ready")).toMatchObject({ status: "True", reason: "RolloutComplete" });
      expect(output.result).toEqual({ type: "done" });
    });

    it("puts the CatalogSync's toConsul prefix into the Consul endpoint", async () => {
      const { machine } = fakes({
        consulMirror: {
          state: "reported",
          catalogSync: "platform/apps-internal",
          consulPrefix: "fargate-",
          mirrored: { consulName: "fargate-web", instances: 2, passing: 2 },
        },
      });
      const output = await run(machine, record({ spec: consulSpec() }));
      expect(output.status.endpoints).toEqual({
        cloudMap: "web.apps.internal",
        consul: "fargate-web.service.consul",
      });
    });

    it("is not looked at without discovery.consul.register", async () => {
      const { machine, calls } = fakes();
      const output = await run(
        machine,
        record({ spec: spec({ discovery: { cloudMap: { namespaceRef: { name: "apps-internal" } } } }) }),
      );
      expect(calls).not.toContain("observeConsulMirror");
      expect(condition(output, "ConsulRegistered")).toBeUndefined();
    });
  });

  it("skips the namespace and Cloud Map steps without discovery.cloudMap", async () => {
    const { machine, calls } = fakes();
    const output = await run(machine, record());
    expect(calls).toEqual(["checkNames", "ensureTaskDefinition", "ensureEcsService", "pruneRevisions"]);
    expect(condition(output, "CloudMapRegistered")).toBeUndefined();
    expect(output.status.endpoints).toBeUndefined();
  });

  it("prunes once per completed rollout, not on every settled pass", async () => {
    const settledStatus = {
      taskDefinitionArn: ARN,
      rollout: {
        state: "COMPLETED" as const,
        deploymentId: "ecs-svc/1",
        startedAt: "2026-11-25T11:59:00.000Z",
      },
    };
    const settled = fakes({ registered: false });
    await run(settled.machine, record({ status: settledStatus }));
    expect(settled.calls).not.toContain("pruneRevisions");
    const firstCompletion = fakes({ registered: false });
    await run(firstCompletion.machine, record({ status: { taskDefinitionArn: ARN } }));
    expect(firstCompletion.calls).toContain("pruneRevisions");
  });

  it("requeues after the poll interval while the rollout is in progress", async () => {
    const { machine } = fakes({ ecsService: service("IN_PROGRESS", 1) });
    const output = await run(machine, record());
    expect(output.result).toEqual({ type: "requeueAfter", ms: 5_000 });
    expect(condition(output, "Reconciling")).toMatchObject({ status: "True", reason: "RolloutInProgress" });
    expect(condition(output, "Ready")?.status).toBe("False");
  });

  it("waits for the namespace without touching AWS", async () => {
    const { machine, calls } = fakes();
    const waiting = machine.provide({
      actors: {
        resolveNamespace: fromPromise<NamespaceResolution, RecordInput>(async () => ({
          ready: false,
          message: "not Ready yet",
        })),
      },
    });
    const output = await run(
      waiting,
      record({ spec: spec({ discovery: { cloudMap: { namespaceRef: { name: "apps-internal" } } } }) }),
    );
    expect(calls).toEqual([]);
    expect(condition(output, "Ready")).toMatchObject({ status: "False", reason: "NamespaceNotReady" });
    expect(output.result).toEqual({ type: "requeueAfter", ms: 5_000 });
  });

  it("does nothing for a suspended service but say so", async () => {
    const { machine, calls } = fakes();
    const output = await run(machine, record({ spec: spec({ suspend: true }) }));
    expect(calls).toEqual([]);
    expect(output.conditions).toEqual([
      expect.objectContaining({ type: "Reconciling", status: "False", reason: "Suspended" }),
    ]);
    expect(output.result).toEqual({ type: "done" });
  });

  it("deletes in order and frees the finalizer only when every step is complete", async () => {
    const { machine, calls } = fakes({ deletion: [true, true] });
    const output = await run(machine, record({ deleting: true }));
    expect(calls).toEqual(["deleteEcsService", "deleteCloudMapService", "deregisterRevisions"]);
    expect(output.removeFinalizer).toBe(true);
  });

  it("with autoscaling, sets up scaling after the ECS service and is Ready at ECS's count, not the spec's", async () => {
    const { machine, calls } = fakes({ ecsService: scaledService(5) });
    const output = await run(machine, record({ spec: spec({ autoscaling: { minCount: 1, maxCount: 6 } }) }));
    expect(calls.slice(0, 4)).toEqual([
      "checkNames",
      "ensureTaskDefinition",
      "ensureEcsService",
      "ensureAutoscaling",
    ]);
    expect(condition(output, "Ready")).toMatchObject({ status: "True" });
    expect(output.status).toMatchObject({
      replicas: { desired: 5, running: 5, pending: 0 },
      autoscaling: { minCount: 1, maxCount: 6, desiredCount: 5 },
    });
  });

  it("without autoscaling, a scaled count is not steady: the spec's count is awaited", async () => {
    const { machine, calls } = fakes({ ecsService: scaledService(5) });
    const output = await run(machine, record());
    expect(calls).not.toContain("ensureAutoscaling");
    expect(condition(output, "Ready")?.status).not.toBe("True");
    expect(output.status).toMatchObject({ autoscaling: undefined });
  });

  it("runs the autoscaling step to remove a target the status still records", async () => {
    const { machine, calls } = fakes();
    await run(
      machine,
      record({ status: { autoscaling: { minCount: 1, maxCount: 6, desiredCount: 2, appliedHash: "h" } } }),
    );
    expect(calls).toContain("ensureAutoscaling");
  });

  it("deregisters the scalable target before deleting the ECS service", async () => {
    const { machine, calls } = fakes({ deletion: [true, true] });
    const output = await run(
      machine,
      record({ deleting: true, spec: spec({ autoscaling: { minCount: 1, maxCount: 6 } }) }),
    );
    expect(calls).toEqual([
      "deregisterAutoscaling",
      "deleteEcsService",
      "deleteCloudMapService",
      "deregisterRevisions",
    ]);
    expect(output.removeFinalizer).toBe(true);
  });

  it("stops at the first deletion step that must wait and requeues", async () => {
    const { machine, calls } = fakes({ deletion: [false] });
    const output = await run(machine, record({ deleting: true }));
    expect(calls).toEqual(["deleteEcsService"]);
    expect(output.removeFinalizer).toBe(false);
    expect(output.result).toEqual({ type: "requeueAfter", ms: 5_000 });
    expect(condition(output, "Ready")).toMatchObject({ status: "False", reason: "Deleting" });
  });

  it("leaves AWS alone with deletionPolicy Retain", async () => {
    const { machine, calls } = fakes();
    const output = await run(machine, record({ deleting: true, spec: spec({ deletionPolicy: "Retain" }) }));
    expect(calls).toEqual([]);
    expect(output.removeFinalizer).toBe(true);
  });
});
