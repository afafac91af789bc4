/**
 * The CatalogSync machine with fake steps: which steps run for each placement, what the pass outputs
 * (conditions, status, requeue, finalizer). No I/O.
 */
import { describe, expect, it } from "vitest";
import { fromPromise } from "xstate";
import type { CatalogSyncReportStatus, CatalogSyncSpec } from "../../../../src/crds/catalog-sync.js";
import { applyDefaults } from "../../../../src/crds/defaults.js";
import type {
  AccessCheck,
  CatalogSyncRecord,
  EnsuredChild,
  EnsuredEngine,
  ExclusivityCheck,
  SyncDeletionProgress,
  SyncNamespaceResolution,
} from "../../../../src/reconcilers/catalog-sync/context.js";
import {
  catalogSyncMachine,
  type SyncNamespaceInput,
  type SyncRecordInput,
} from "../../../../src/reconcilers/catalog-sync/machine.js";
import { runMachinePass } from "../../../../src/runtime/machine-runner.js";

const TASK = {
  cluster: "data",
  subnets: ["subnet-1"],
  securityGroups: ["sg-1"],
  taskRoleArn: "arn:aws:iam::123456789012:role/sync",
  executionRoleArn: "arn:aws:iam::123456789012:role/exec",
};

function spec(extra: Record<string, unknown> = {}): CatalogSyncSpec {
  const doc = applyDefaults({
    apiVersion: "fargate-operator/v1alpha1",
    kind: "CatalogSync",
    metadata: { name: "apps" },
    spec: { cloudMapNamespaceRef: { name: "apps-internal" }, ...extra },
  }) as unknown as { spec: CatalogSyncSpec };
  return doc.spec;
}

const REPORT: CatalogSyncReportStatus = {
  writer: true,
  toCloudMap: [
    { consulName: "vault", cloudMapName: "vault", cloudMapServiceId: "srv-v", instances: 1, healthy: 1 },
  ],
  toConsul: [],
  lastSyncToCloudMap: "2026-11-25T12:00:00.000Z",
  lastSyncToConsul: "2026-11-25T12:00:00.000Z",
  errors: {},
  writes: { toCloudMap: 2, toConsul: 0 },
  reportedAt: "2026-11-25T12:00:00.000Z",
};

function record(
  overrides: { spec?: CatalogSyncSpec; deleting?: boolean; status?: CatalogSyncRecord["status"] } = {},
): CatalogSyncRecord {
  return {
    metadata: {
      name: "apps",
      namespace: "platform",
      uid: "uid-1",
      generation: 3,
      resourceVersion: "9",
      creationTimestamp: "2026-11-25T11:00:00.000Z",
      finalizers: [],
      labels: {},
      annotations: {},
      ownerReferences: [],
      ...(overrides.deleting === true ? { deletionTimestamp: "2026-11-25T11:59:00.000Z" } : {}),
    },
    spec: overrides.spec ?? spec(),
    status: overrides.status ?? {},
  };
}

interface FakeOptions {
  access?: AccessCheck;
  namespace?: SyncNamespaceResolution;
  exclusivity?: ExclusivityCheck;
  engine?: EnsuredEngine["action"];
  child?: EnsuredChild;
  deletion?: boolean[];
  /** Completion of the withdrawal steps in order (deleteChild, withdrawMirror). */
  withdrawal?: boolean[];
}

function fakes(options: FakeOptions = {}) {
  const calls: string[] = [];
  const deletion = [...(options.deletion ?? [true, true])];
  const withdrawal = [...(options.withdrawal ?? [true, true])];
  const withdrawing = () => calls.includes("checkAccess") && !calls.includes("addFinalizer");
  const step = <T, I>(name: string, value: () => T) =>
    fromPromise<T, I>(async () => {
      calls.push(name);
      return value();
    });
  const machine = catalogSyncMachine.provide({
    actors: {
      checkAccess: step<AccessCheck, SyncRecordInput>(
        "checkAccess",
        () => options.access ?? { allowed: true },
      ),
      resolveNamespace: step<SyncNamespaceResolution, SyncRecordInput>(
        "resolveNamespace",
        () => options.namespace ?? { ready: true, namespaceId: "ns-1", dnsName: "apps.internal" },
      ),
      claimNamespace: step<ExclusivityCheck, SyncNamespaceInput>(
        "claimNamespace",
        () => options.exclusivity ?? { exclusive: true },
      ),
      addFinalizer: step<void, SyncRecordInput>("addFinalizer", () => undefined),
      ensureEngine: step<EnsuredEngine, SyncNamespaceInput>("ensureEngine", () => ({
        action: options.engine ?? "started",
      })),
      stopEngine: step<void, SyncRecordInput>("stopEngine", () => undefined),
      ensureChild: step<EnsuredChild, SyncNamespaceInput>(
        "ensureChild",
        () => options.child ?? { name: "apps-sync", ready: true, message: "RolloutComplete" },
      ),
      deleteChild: step<SyncDeletionProgress, SyncRecordInput>("deleteChild", () => ({
        complete: (withdrawing() ? withdrawal.shift() : deletion.shift()) ?? true,
        message: "child",
      })),
      cleanUp: step<SyncDeletionProgress, SyncRecordInput>("cleanUp", () => ({
        complete: deletion.shift() ?? true,
        message: "cleanup",
      })),
      withdrawMirror: step<SyncDeletionProgress, SyncRecordInput>("withdrawMirror", () => ({
        complete: withdrawal.shift() ?? true,
        message: "removing 1 Cloud Map service",
      })),
      releaseClaims: step<void, SyncRecordInput>("releaseClaims", () => undefined),
    },
  });
  return { machine, calls };
}

function run(machine: ReturnType<typeof fakes>["machine"], input: CatalogSyncRecord) {
  return runMachinePass(
    machine,
    { record: input, settings: { pollIntervalMs: 5_000 }, now: Date.UTC(2026, 10, 25, 12) },
    new AbortController().signal,
  );
}

const condition = (
  output: { conditions: Array<{ type: string; status: string; message?: string }> },
  type: string,
) => output.conditions.find((c) => c.type === type);

describe("catalogSyncMachine", () => {
  it("placement controller: finalizer before the engine, Starting until the first report", async () => {
    const { machine, calls } = fakes();
    const output = await run(machine, record());
    expect(calls).toEqual([
      "checkAccess",
      "resolveNamespace",
      "claimNamespace",
      "addFinalizer",
      "deleteChild",
      "ensureEngine",
    ]);
    expect(condition(output, "Ready")).toMatchObject({ status: "False", reason: "Starting" });
    expect(output.status).toMatchObject({ namespaceId: "ns-1", placement: "controller" });
    expect(output.result).toEqual({ type: "done" });
  });

  it("placement controller: a running engine's report decides Ready", async () => {
    const { machine } = fakes({ engine: "unchanged" });
    const ready = await run(machine, record({ status: { sync: REPORT } }));
    expect(condition(ready, "Ready")).toMatchObject({ status: "True", reason: "Syncing" });
    const failing = await run(
      machine,
      record({
        status: { sync: { ...REPORT, errors: { toConsul: "Consul unavailable: connection refused" } } },
      }),
    );
    expect(condition(failing, "Ready")).toMatchObject({
      status: "False",
      reason: "SyncFailing",
      message: "toConsul: Consul unavailable: connection refused",
    });
  });

  it("placement task: stops a local engine, then ensures the child and waits for it", async () => {
    const taskSpec = spec({ placement: "task", task: TASK });
    const pending = fakes({ child: { name: "apps-sync", ready: false, message: "RolloutInProgress: 0/1" } });
    const output = await run(pending.machine, record({ spec: taskSpec }));
    expect(pending.calls).toEqual([
      "checkAccess",
      "resolveNamespace",
      "claimNamespace",
      "addFinalizer",
      "stopEngine",
      "ensureChild",
    ]);
    expect(condition(output, "Ready")).toMatchObject({ status: "False", reason: "SyncTaskNotReady" });
    expect(output.status).toMatchObject({ childServiceName: "apps-sync", placement: "task" });
    expect(output.result).toEqual({ type: "requeueAfter", ms: 5_000 });
  });

  it("placement task with consul-aws: Ready once the child is Ready, nothing reported", async () => {
    const { machine } = fakes();
    const output = await run(
      machine,
      record({ spec: spec({ placement: "task", task: { ...TASK, engine: "consul-aws" } }) }),
    );
    expect(condition(output, "Ready")).toMatchObject({ status: "True", reason: "SyncTaskRunning" });
    expect(output.status).toHaveProperty("sync", undefined);
  });

  it("waits for the namespace and stops any engine meanwhile, without a finalizer", async () => {
    const { machine, calls } = fakes({
      namespace: { ready: false, message: "CloudMapNamespace x is not Ready" },
    });
    const output = await run(machine, record());
    expect(calls).toEqual(["checkAccess", "resolveNamespace", "stopEngine"]);
    expect(condition(output, "Ready")).toMatchObject({ status: "False", reason: "NamespaceNotReady" });
    expect(output.result).toEqual({ type: "requeueAfter", ms: 5_000 });
  });

  it("a CatalogSync that does not own the namespace withdraws: NamespaceAlreadySynced, nothing runs", async () => {
    const { machine, calls } = fakes({ exclusivity: { exclusive: false, holder: "platform/first" } });
    const output = await run(machine, record());
    expect(calls).toEqual([
      "checkAccess",
      "resolveNamespace",
      "claimNamespace",
      "stopEngine",
      "deleteChild",
      "withdrawMirror",
      "releaseClaims",
    ]);
    expect(condition(output, "Ready")).toMatchObject({ status: "False", reason: "NamespaceAlreadySynced" });
    expect(condition(output, "Ready")).toMatchObject({ message: expect.stringMatching(/platform\/first/) });
    expect(condition(output, "Stalled")?.status).toBe("True");
    expect(output.status).toMatchObject({ namespaceId: undefined, sync: undefined, placement: undefined });
    expect(output.result.type).toBe("requeueAfter");
  });

  it("a refused CatalogSync touches nothing before withdrawing, and says which rule refused it", async () => {
    const refusal = {
      allowed: false as const,
      reason: "PolicyViolation",
      message: "NamespacePolicy default governs team-x: spec.consul.address https://evil:8501 is not allowed",
    };
    const { machine, calls } = fakes({ access: refusal });
    const output = await run(machine, record({ status: { namespaceId: "ns-1", sync: REPORT } }));
    expect(calls).toEqual(["checkAccess", "stopEngine", "deleteChild", "withdrawMirror", "releaseClaims"]);
    expect(condition(output, "Ready")).toMatchObject({ status: "False", reason: "PolicyViolation" });
    expect(condition(output, "Stalled")).toMatchObject({ status: "True", message: refusal.message });
    expect(output.status).toMatchObject({ namespaceId: undefined, sync: undefined });
    expect(output.result).toEqual({ type: "done" });
  });

  it("a withdrawal keeps the namespace id (for cleanup) and its claims until what it mirrored is gone", async () => {
    const pendingChild = fakes({
      access: { allowed: false, reason: "PolicyViolation", message: "no" },
      withdrawal: [false],
    });
    const first = await run(pendingChild.machine, record({ status: { namespaceId: "ns-1" } }));
    expect(pendingChild.calls).toEqual(["checkAccess", "stopEngine", "deleteChild"]);
    expect(first.status).not.toHaveProperty("namespaceId");
    expect(first.result).toEqual({ type: "requeueAfter", ms: 5_000 });

    const pendingCleanup = fakes({
      exclusivity: { exclusive: false, holder: "platform/first" },
      withdrawal: [true, false],
    });
    const second = await run(pendingCleanup.machine, record({ status: { namespaceId: "ns-1" } }));
    expect(pendingCleanup.calls).not.toContain("releaseClaims");
    expect(condition(second, "Ready")?.message).toMatch(/withdrawing: removing 1 Cloud Map service/);
    expect(second.status).not.toHaveProperty("namespaceId");
  });

  it("deletes in order and frees the finalizer only when the child is gone and cleanup is done", async () => {
    const first = fakes({ deletion: [false] });
    const waiting = await run(first.machine, record({ deleting: true }));
    expect(first.calls).toEqual(["stopEngine", "deleteChild"]);
    expect(waiting.removeFinalizer).toBe(false);
    expect(condition(waiting, "Ready")).toMatchObject({ status: "False", reason: "Deleting" });

    const second = fakes({ deletion: [true, true] });
    const finished = await run(second.machine, record({ deleting: true }));
    expect(second.calls).toEqual(["stopEngine", "deleteChild", "cleanUp", "releaseClaims"]);
    expect(finished.removeFinalizer).toBe(true);
  });

  it("keeps the finalizer while cleanup waits for Cloud Map", async () => {
    const { machine } = fakes({ deletion: [true, false] });
    const output = await run(machine, record({ deleting: true }));
    expect(output.removeFinalizer).toBe(false);
    expect(output.result).toEqual({ type: "requeueAfter", ms: 5_000 });
  });
});
