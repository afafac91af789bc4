/**
 * Service names belong to whoever has them first (DESIGN 11, NamespacePolicy, "Whatever the policy says"), on
 * DynamoDB Local with the AWS and Consul simulators and the real sync engine: a tenant record asking for the
 * Cloud Map or Consul name `vault` (synced in from Consul) adds nothing to it and never adopts or deletes it; a
 * Cloud Map or Consul name claimed by one record is NameConflict for the next, naming the first, until the first
 * is deleted; claims are items in the table, so they outlive the controller.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { EcsGateway } from "../../../src/aws/types.js";
import { resourceKey } from "../../../src/crds/meta.js";
import { silentLogger } from "../../../src/log.js";
import { fargateServiceReconciler } from "../../../src/reconcilers/fargate-service/reconciler.js";
import { TagKey } from "../../../src/render/names.js";
import { CreationTimestamps } from "../../../src/runtime/creation-timestamps.js";
import { syncNodeName } from "../../../src/sync/index.js";
import {
  type CatalogSyncBench,
  catalogSyncDoc,
  conditionOf,
  namespaceDoc,
  startCatalogSyncBench,
} from "./catalog-sync-bench.js";
import { TEST_FARGATE_SETTINGS } from "./reconcile-harness.js";

let bench: CatalogSyncBench | undefined;
afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

const ready = (record: { status?: Record<string, unknown> } | undefined) =>
  conditionOf(record as never, "Ready")?.status === "True";

const SYNC = ["CatalogSync", "platform", "apps-internal"] as const;

/** The platform's namespace and CatalogSync, with Consul's `vault` (on node vault-1) mirrored into Cloud Map. */
async function platformWithVault(b: CatalogSyncBench): Promise<string> {
  b.consulSim.control.registerService({ name: "vault", port: 8200, address: "10.0.10.5", node: "vault-1" });
  await b.apply(namespaceDoc("apps-internal", "platform", "apps.internal"));
  await b.converge([["CloudMapNamespace", "platform", "apps-internal"]], async () =>
    ready(await b.read("CloudMapNamespace", "platform", "apps-internal")),
  );
  const namespaceId = String(
    (await b.read("CloudMapNamespace", "platform", "apps-internal"))?.status?.namespaceId,
  );
  await b.apply(
    catalogSyncDoc("apps-internal", "platform", "apps-internal", { toCloudMap: { include: ["vault"] } }),
  );
  await b.converge([SYNC], async () => {
    const sync = (await b.read(...SYNC))?.status?.sync as { toCloudMap?: Array<{ instances: number }> };
    return sync?.toCloudMap?.[0]?.instances === 1;
  });
  return namespaceId;
}

/** A FargateService in `namespace` on the platform's Cloud Map namespace. */
function service(
  namespace: string,
  name: string,
  discovery: { cloudMapName?: string; consulName?: string; register?: boolean },
  adopt = false,
) {
  return {
    apiVersion: "fargate-operator/v1alpha1",
    kind: "FargateService" as const,
    metadata: { name, namespace },
    spec: {
      cluster: "apps",
      cpu: 256,
      memory: 512,
      desiredCount: 1,
      adopt,
      containers: [{ name: "app", image: "nginx:1.27", ports: [{ containerPort: 8080 }] }],
      network: { subnets: ["subnet-1"], securityGroups: ["sg-1"] },
      discovery: {
        cloudMap: {
          namespaceRef: { name: "apps-internal", namespace: "platform" },
          ...(discovery.cloudMapName === undefined ? {} : { serviceName: discovery.cloudMapName }),
        },
        ...(discovery.register === true || discovery.consulName !== undefined
          ? {
              consul: {
                register: true,
                ...(discovery.consulName === undefined ? {} : { serviceName: discovery.consulName }),
              },
            }
          : {}),
      },
    },
  };
}

/** The Cloud Map service `name` of the namespace with its tags and instance attributes. */
async function cloudMapService(b: CatalogSyncBench, namespaceId: string, name: string) {
  const found = (await b.aws.cloudMap.listServices(namespaceId)).find((s) => s.name === name);
  if (found === undefined) return undefined;
  const instances = [];
  for (const id of await b.aws.cloudMap.listInstanceIds(found.id)) instances.push(id);
  return { id: found.id, tags: await b.aws.cloudMap.listTags(found.arn), instances };
}

/** Consul instances of `name`, as node/service id. */
function consulInstances(b: CatalogSyncBench, name: string): string[] {
  return b.consulSim.control
    .snapshot()
    .services.filter((s) => s.Service === name)
    .map((s) => `${s.Node}/${s.ID}`)
    .sort();
}

/** Runs a FargateService's passes (and the sync's) for `ms` of simulated time. */
async function runFor(
  b: CatalogSyncBench,
  keys: Array<readonly ["FargateService", string, string]>,
  ms: number,
) {
  const until = b.clock.now() + ms;
  await b.converge([...keys, SYNC], async () => b.clock.now() >= until, ms + 10_000);
}

describe("the name vault, synced in from Consul", () => {
  it("a tenant's cloudMap.serviceName vault (with or without adopt) is refused, and its deletion leaves vault", async () => {
    const b = await startCatalogSyncBench();
    bench = b;
    const namespaceId = await platformWithVault(b);
    const before = await cloudMapService(b, namespaceId, "vault");
    expect(before?.tags).toEqual({ [TagKey.SyncOwner]: expect.any(String) });
    expect(before?.instances).toHaveLength(1);

    for (const adopt of [false, true]) {
      await b.apply(service("team-a", "evil", { cloudMapName: "vault" }, adopt) as never);
      await runFor(b, [["FargateService", "team-a", "evil"]], 5_000);
      const evil = await b.read("FargateService", "team-a", "evil");
      expect(conditionOf(evil, "Ready")).toMatchObject({ status: "False", reason: "NameConflict" });
      expect(conditionOf(evil, "Stalled")).toMatchObject({ status: "True", reason: "NameConflict" });
      expect(conditionOf(evil, "Ready")?.message).toMatch(/CatalogSync/);
      // Nothing of the tenant's is in vault, and vault carries no tag of the tenant's.
      expect(await cloudMapService(b, namespaceId, "vault")).toEqual(before);
      expect(await b.aws.ecs.describeService("apps", "team-a-evil", { maxAgeMs: 0 })).toBeUndefined();
    }

    await b.store.delete("FargateService", "team-a", "evil");
    await b.converge(
      [["FargateService", "team-a", "evil"]],
      async () => (await b.read("FargateService", "team-a", "evil")) === undefined,
    );
    await runFor(b, [], 5_000);
    expect(await cloudMapService(b, namespaceId, "vault")).toEqual(before);
    expect(consulInstances(b, "vault")).toEqual(["vault-1/vault"]);
  });

  it("stays the CatalogSync's while vault is away from Consul and its Cloud Map service is gone", async () => {
    const b = await startCatalogSyncBench();
    bench = b;
    const namespaceId = await platformWithVault(b);
    await b.pass(...SYNC); // the pass that reads the engine's report claims the names it mirrors
    b.consulSim.control.deregister({ Node: "vault-1", ServiceID: "vault" });
    // After deleteGraceSeconds the engine takes the instance back, and removes the emptied service in a later
    // round (the next change anywhere in Consul's catalog starts one).
    await b.converge(
      [SYNC],
      async () => (await cloudMapService(b, namespaceId, "vault"))?.instances.length === 0,
    );
    b.consulSim.control.registerService({ name: "unrelated", port: 80, address: "10.0.10.9", node: "web-1" });
    await b.converge([SYNC], async () => (await cloudMapService(b, namespaceId, "vault")) === undefined);

    const evil = ["FargateService", "team-a", "evil"] as const;
    await b.apply(service("team-a", "evil", { cloudMapName: "vault" }, true) as never);
    await runFor(b, [evil], 5_000);
    const refused = conditionOf(await b.read(...evil), "Ready");
    expect(refused).toMatchObject({ status: "False", reason: "NameConflict" });
    expect(refused?.message).toMatch(/claimed by CatalogSync platform\/apps-internal/);
    expect(await cloudMapService(b, namespaceId, "vault")).toBeUndefined();

    // Vault comes back: the engine mirrors it again, into a service of its own.
    b.consulSim.control.registerService({ name: "vault", port: 8200, address: "10.0.10.5", node: "vault-1" });
    await b.converge(
      [evil, SYNC],
      async () => (await cloudMapService(b, namespaceId, "vault")) !== undefined,
    );
    await runFor(b, [evil], 5_000);
    const back = await cloudMapService(b, namespaceId, "vault");
    expect(back?.tags).toEqual({ [TagKey.SyncOwner]: expect.any(String) });
    expect(back?.instances).toHaveLength(1);
    expect(conditionOf(await b.read(...evil), "Ready")?.reason).toBe("NameConflict");
  });

  it("a tenant's consul.serviceName vault adds no instance to Consul's vault: ConsulRegistered=False, ConsulNameTaken", async () => {
    const b = await startCatalogSyncBench();
    bench = b;
    await platformWithVault(b);
    const sneaky = ["FargateService", "team-a", "sneaky"] as const;
    await b.apply(service("team-a", "sneaky", { consulName: "vault" }) as never);
    await b.converge([sneaky, SYNC], async () => {
      const record = await b.read(...sneaky);
      return conditionOf(record, "ConsulRegistered")?.reason === "ConsulNameTaken";
    });
    await runFor(b, [sneaky], 10_000);
    const record = await b.read(...sneaky);
    expect(conditionOf(record, "ConsulRegistered")).toMatchObject({
      status: "False",
      reason: "ConsulNameTaken",
    });
    expect(conditionOf(record, "ConsulRegistered")?.message).toMatch(/vault/);
    expect(conditionOf(record, "Ready")?.status).toBe("False");
    expect(consulInstances(b, "vault")).toEqual(["vault-1/vault"]);
    expect(
      b.consulSim.control.snapshot().services.filter((s) => s.Node === syncNodeName("apps.internal")),
    ).toEqual([]);
  });
});

describe("name claims", () => {
  it("one Consul name, two records: the second is NameConflict naming the first until the first is deleted", async () => {
    const b = await startCatalogSyncBench();
    bench = b;
    await platformWithVault(b);
    const first = ["FargateService", "team-a", "api-a"] as const;
    const second = ["FargateService", "team-b", "api-b"] as const;
    await b.apply(service("team-a", "api-a", { consulName: "api" }) as never);
    await b.converge([first, SYNC], async () => ready(await b.read(...first)), 120_000);

    await b.apply(service("team-b", "api-b", { consulName: "api" }) as never);
    await runFor(b, [second], 5_000);
    const refused = await b.read(...second);
    expect(conditionOf(refused, "Ready")).toMatchObject({ status: "False", reason: "NameConflict" });
    expect(conditionOf(refused, "Stalled")).toMatchObject({ status: "True" });
    expect(conditionOf(refused, "Ready")?.message).toMatch(/FargateService team-a\/api-a/);
    // Before any AWS write: no task definition, no Cloud Map service, no ECS service.
    expect(await b.aws.ecs.listActiveRevisions("team-b-api-b")).toEqual([]);
    expect(await b.aws.ecs.describeService("apps", "team-b-api-b", { maxAgeMs: 0 })).toBeUndefined();
    expect(consulInstances(b, "api")).toHaveLength(1);

    await b.store.delete(...first);
    await b.converge([first, SYNC], async () => (await b.read(...first)) === undefined, 120_000);
    await b.converge([second, SYNC], async () => ready(await b.read(...second)), 120_000);
    expect(consulInstances(b, "api")).toHaveLength(1);
  });

  it("one Cloud Map name: the first claimant wins even before it made anything, also after a restart", async () => {
    const b = await startCatalogSyncBench();
    bench = b;
    const namespaceId = await platformWithVault(b);
    const first = ["FargateService", "team-a", "one"] as const;
    const second = ["FargateService", "team-b", "two"] as const;
    // The first record's pass claims the name, then fails before it creates anything in Cloud Map.
    const ecs = b.aws.ecs as EcsGateway & Record<string, unknown>;
    const register = ecs.registerTaskDefinition.bind(ecs);
    ecs.registerTaskDefinition = async () => {
      throw new Error("simulated failure before the Cloud Map service is made");
    };
    await b.apply(service("team-a", "one", { cloudMapName: "shared" }) as never);
    await expect(b.pass(...first)).rejects.toThrow(/simulated failure/);
    ecs.registerTaskDefinition = register;
    expect(await cloudMapService(b, namespaceId, "shared")).toBeUndefined();

    await b.apply(service("team-b", "two", { cloudMapName: "shared" }) as never);
    await b.pass(...second);
    const conflict = conditionOf(await b.read(...second), "Ready");
    expect(conflict).toMatchObject({ status: "False", reason: "NameConflict" });
    expect(conflict?.message).toMatch(/FargateService team-a\/one/);
    expect(await cloudMapService(b, namespaceId, "shared")).toBeUndefined();
    expect(await b.aws.ecs.listActiveRevisions("team-b-two")).toEqual([]);

    // A new controller (new reconciler, no memory) reads the same claim from the table.
    const restarted = fargateServiceReconciler({
      store: b.store,
      ecs: b.aws.ecs,
      cloudMap: b.aws.cloudMap,
      clock: b.clock,
      settings: { ...TEST_FARGATE_SETTINGS, pollIntervalMs: 1_000 },
    });
    await restarted.reconcile(resourceKey(...second), new AbortController().signal, {
      log: silentLogger(),
      reconcileId: "restarted",
      cache: { get: () => undefined, list: () => [] },
      retries: 0,
      creationTimestamps: new CreationTimestamps(),
    });
    expect(conditionOf(await b.read(...second), "Ready")).toMatchObject({ reason: "NameConflict" });
    expect(await cloudMapService(b, namespaceId, "shared")).toBeUndefined();

    await b.converge([first], async () => ready(await b.read(...first)), 120_000);
    expect((await cloudMapService(b, namespaceId, "shared"))?.tags[TagKey.Name]).toBe("one");
    await b.store.delete(...first);
    await b.converge([first], async () => (await b.read(...first)) === undefined, 120_000);
    await b.converge([second], async () => ready(await b.read(...second)), 120_000);
    expect((await cloudMapService(b, namespaceId, "shared"))?.tags[TagKey.Name]).toBe("two");
  });
});
