import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../../src/clock.js";
import {
  API_VERSION,
  type Condition,
  type FargateServiceSpec,
  type ResourceKey,
  resourceKey,
} from "../../../../src/crds/index.js";
import { createLogger, silentLogger } from "../../../../src/log.js";
import { findCondition } from "../../../../src/reconcilers/conditions.js";
import {
  CachedPolicyLookup,
  InvalidPolicyError,
  PoliciesNotLoadedError,
  type PolicySource,
} from "../../../../src/reconcilers/policy/cache.js";
import { enforcePolicy, MAX_SERVICES_RECHECK_MS } from "../../../../src/reconcilers/policy/gate.js";
import { namespacePolicyReconciler, policyTrigger } from "../../../../src/reconcilers/policy/reconciler.js";
import { CreationTimestamps } from "../../../../src/runtime/creation-timestamps.js";
import { PermanentError } from "../../../../src/runtime/errors.js";
import type { ReconcileContext } from "../../../../src/runtime/reconciler.js";
import type { StoredResource } from "../../../../src/store/types.js";
import { FakeStore } from "../../../support/fake-store.js";

const POLICY_NS = "fargate-system";

function context(cache: StoredResource[] = []): ReconcileContext {
  return {
    log: silentLogger(),
    reconcileId: "test",
    cache: { get: () => undefined, list: () => cache },
    retries: 0,
    creationTimestamps: new CreationTimestamps(),
  };
}

function policyDoc(name: string, spec: Record<string, unknown>, namespace = POLICY_NS) {
  return { apiVersion: API_VERSION, kind: "NamespacePolicy" as const, metadata: { name, namespace }, spec };
}

/** A PolicySource over a FakeStore's NamespacePolicy records (what the informer would hold). */
async function sourceOf(store: FakeStore): Promise<PolicySource> {
  const records = await store.list("NamespacePolicy");
  const byKey = new Map(
    records.map((r) => [resourceKey("NamespacePolicy", r.metadata.namespace, r.metadata.name), r]),
  );
  return { hasSynced: true, get: (key: ResourceKey) => byKey.get(key), list: () => records };
}

describe("CachedPolicyLookup", () => {
  it("refuses to answer before the policies are loaded (nothing may reach AWS on a guess)", async () => {
    const lookup = new CachedPolicyLookup(POLICY_NS, silentLogger());
    expect(() => lookup.policyFor("team-a")).toThrow(PoliciesNotLoadedError);
    lookup.attach({ hasSynced: false, get: () => undefined, list: () => [] });
    expect(() => lookup.policyFor("team-a")).toThrow(PoliciesNotLoadedError);
  });

  it("gives a namespace its own policy, else default; policies outside the policy namespace count for nothing", async () => {
    const store = new FakeStore();
    await store.create(policyDoc("default", { clusters: ["shared"] }));
    await store.create(policyDoc("team-a", { clusters: ["a"] }));
    await store.create(policyDoc("team-b", { clusters: ["*"] }, "team-b"));
    const lookup = new CachedPolicyLookup(POLICY_NS, silentLogger());
    lookup.attach(await sourceOf(store));
    expect(lookup.policyFor("team-a")).toEqual({ name: "fargate-system/team-a", spec: { clusters: ["a"] } });
    expect(lookup.policyFor("team-b")).toEqual({
      name: "fargate-system/default",
      spec: { clusters: ["shared"] },
    });
  });

  it("allows everything without any policy and logs that once", async () => {
    const lines: Array<{ msg: string }> = [];
    const log = createLogger({
      level: "info",
      destination: { write: (l: string) => lines.push(JSON.parse(l)) },
    });
    const lookup = new CachedPolicyLookup(POLICY_NS, log);
    lookup.attach({ hasSynced: true, get: () => undefined, list: () => [] });
    expect(lookup.policyFor("team-a")).toBeUndefined();
    expect(lookup.policyFor("team-b")).toBeUndefined();
    expect(lines.map((l) => l.msg)).toEqual([
      "no NamespacePolicy in fargate-system: every record is allowed",
    ]);
  });

  it("refuses what an invalid policy governs instead of falling back to a weaker one", async () => {
    const store = new FakeStore();
    await store.create(policyDoc("default", {}));
    await store.create(policyDoc("team-a", { roleArns: "arn:aws:iam::*:role/*" })); // a hand-written item
    const lookup = new CachedPolicyLookup(POLICY_NS, silentLogger());
    lookup.attach(await sourceOf(store));
    expect(() => lookup.policyFor("team-a")).toThrow(InvalidPolicyError);
    expect(() => lookup.policyFor("team-a")).toThrow(/fargate-system\/team-a is invalid.*spec\.roleArns/);
    expect(lookup.policyFor("team-b")?.name).toBe("fargate-system/default");
  });
});

describe("policyTrigger", () => {
  const keys: Record<string, ResourceKey[]> = {
    FargateService: ["FargateService/team-a/api", "FargateService/team-b/api", "FargateService/team-c/web"],
    CatalogSync: ["CatalogSync/team-a/sync"],
    CloudMapNamespace: ["CloudMapNamespace/platform/apps"],
    NamespacePolicy: ["NamespacePolicy/fargate-system/default", "NamespacePolicy/fargate-system/team-b"],
  };
  const keysOf = (kind: string) => keys[kind] ?? [];
  const trigger = policyTrigger(POLICY_NS);

  it("re-queues every record of the namespace a policy is named after", () => {
    expect(trigger.keysFor("NamespacePolicy/fargate-system/team-a", keysOf)).toEqual([
      "FargateService/team-a/api",
      "CatalogSync/team-a/sync",
    ]);
  });

  it("re-queues the records of every namespace without its own policy for default", () => {
    expect(trigger.keysFor("NamespacePolicy/fargate-system/default", keysOf)).toEqual([
      "FargateService/team-a/api",
      "FargateService/team-c/web",
      "CloudMapNamespace/platform/apps",
      "CatalogSync/team-a/sync",
    ]);
  });

  it("ignores policies outside the policy namespace", () => {
    expect(trigger.keysFor("NamespacePolicy/team-a/team-a", keysOf)).toEqual([]);
  });
});

describe("namespacePolicyReconciler", () => {
  async function pass(store: FakeStore, namespace: string, name: string) {
    const clock = new ManualClock();
    const reconciler = namespacePolicyReconciler({ store, clock, policyNamespace: POLICY_NS });
    return reconciler.reconcile(
      resourceKey("NamespacePolicy", namespace, name),
      new AbortController().signal,
      context(),
    );
  }
  const ready = (r: StoredResource) => findCondition(r.status?.conditions as Condition[], "Ready");

  it("reports a valid policy Ready with what it governs", async () => {
    const store = new FakeStore();
    await store.create(policyDoc("default", { clusters: ["apps"] }));
    await pass(store, POLICY_NS, "default");
    const record = await store.get("NamespacePolicy", POLICY_NS, "default");
    expect(ready(record)).toMatchObject({ status: "True", reason: "Governing" });
    expect(record.status?.governs).toBe("every namespace without its own policy");
    expect(record.metadata.creationTimestamp).toBeDefined();
    expect(record.metadata.finalizers).toEqual([]);
  });

  it("says a policy outside the policy namespace governs nothing", async () => {
    const store = new FakeStore();
    await store.create(policyDoc("team-a", {}, "team-a"));
    await pass(store, "team-a", "team-a");
    const record = await store.get("NamespacePolicy", "team-a", "team-a");
    expect(ready(record)).toMatchObject({ status: "False", reason: "WrongNamespace" });
    expect(ready(record)?.message).toContain("only in the policy namespace fargate-system");
    expect(record.status?.governs).toBe("nothing");
  });

  it("fails an invalid policy as InvalidSpec", async () => {
    const store = new FakeStore();
    await store.create(policyDoc("team-a", { consulTokenSources: ["CONSUL_TOKEN"] }));
    await expect(pass(store, POLICY_NS, "team-a")).rejects.toThrow(PermanentError);
  });
});

describe("enforcePolicy", () => {
  const spec = { cluster: "prod", cpu: 256, memory: 512, desiredCount: 1 } as FargateServiceSpec;
  const subject = {
    kind: "FargateService" as const,
    namespace: "team-a",
    name: "api",
    spec: { ...spec, containers: [], network: { subnets: [], securityGroups: [], assignPublicIp: false } },
  };
  async function fargateService(store: FakeStore, name: string) {
    return store.create({
      apiVersion: API_VERSION,
      kind: "FargateService",
      metadata: { name, namespace: "team-a" },
      spec: { ...spec, containers: [], network: { subnets: [], securityGroups: [] } },
    });
  }
  const lookupWith = (policy: Record<string, unknown>) => ({
    policyFor: () => ({ name: "fargate-system/default", spec: policy }),
  });

  it("lets a compliant record through, and everything when no policy governs", async () => {
    const store = new FakeStore();
    const stored = await fargateService(store, "api");
    const clock = new ManualClock();
    expect(
      await enforcePolicy(
        { store, clock, policies: lookupWith({ clusters: ["prod"] }) },
        stored,
        subject,
        context(),
      ),
    ).toBeUndefined();
    expect(
      await enforcePolicy(
        { store, clock, policies: { policyFor: () => undefined } },
        stored,
        subject,
        context(),
      ),
    ).toBeUndefined();
    expect(await enforcePolicy({ store, clock }, stored, subject, context())).toBeUndefined();
  });

  it("refuses the controller's own role with or without a policy, even when a policy allows every role", async () => {
    const store = new FakeStore();
    const stored = await fargateService(store, "api");
    const clock = new ManualClock();
    const own = "arn:aws:iam::123456789012:role/fargate-operator-controller";
    const withRole = {
      ...subject,
      spec: {
        ...subject.spec,
        iam: { taskRoleArn: "arn:aws:iam::123456789012:role/Fargate-Operator-Controller" },
      },
    };
    for (const policies of [undefined, lookupWith({ roleArns: ["*"] })]) {
      const result = await enforcePolicy(
        { store, clock, policies, ownRoleArns: [own] },
        await store.get("FargateService", "team-a", "api"),
        withRole,
        context(),
      );
      expect(result).toEqual({ type: "done" });
      const record = await store.get("FargateService", "team-a", "api");
      const ready = findCondition(record.status?.conditions as Condition[], "Ready");
      expect(ready).toMatchObject({ status: "False", reason: "OwnRoleNotAllowed" });
      expect(ready?.message).toContain("spec.iam.taskRoleArn");
    }
    expect(
      await enforcePolicy({ store, clock, ownRoleArns: [own] }, stored, subject, context()),
    ).toBeUndefined();
  });

  it("writes PolicyViolation (Stalled, observed hash) and ends the pass; a maxServices breach looks again later", async () => {
    const store = new FakeStore();
    const stored = await fargateService(store, "api");
    const clock = new ManualClock();
    const result = await enforcePolicy(
      { store, clock, policies: lookupWith({ clusters: ["apps"] }) },
      stored,
      subject,
      context(),
    );
    expect(result).toEqual({ type: "done" });
    const record = await store.get("FargateService", "team-a", "api");
    const conditions = record.status?.conditions as Condition[];
    expect(findCondition(conditions, "Ready")).toMatchObject({ status: "False", reason: "PolicyViolation" });
    expect(findCondition(conditions, "Stalled")?.message).toBe(
      'NamespacePolicy fargate-system/default refuses this record (1 rule broken): spec.cluster "prod": clusters allows "apps"',
    );
    expect(record.status?.observedSpecHash).toBe(stored.specHash);

    const full = await enforcePolicy(
      { store, clock, policies: lookupWith({ limits: { maxServices: 0 } }) },
      record,
      subject,
      context(),
    );
    expect(full).toEqual({ type: "requeueAfter", ms: MAX_SERVICES_RECHECK_MS });
  });

  it("reports an invalid governing policy as the violation", async () => {
    const store = new FakeStore();
    const stored = await fargateService(store, "api");
    const policies = {
      policyFor: () => {
        throw new InvalidPolicyError("fargate-system/team-a", "spec.roleArns: must be a list");
      },
    };
    await enforcePolicy({ store, clock: new ManualClock(), policies }, stored, subject, context());
    const record = await store.get("FargateService", "team-a", "api");
    expect(findCondition(record.status?.conditions as Condition[], "Ready")?.message).toContain(
      "NamespacePolicy fargate-system/team-a is invalid",
    );
  });
});
