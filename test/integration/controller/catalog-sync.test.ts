/**
 * The CatalogSync reconciler with the real engine against the simulators and DynamoDB Local: placement
 * controller (engine started in the leader, reports on the status, a FargateService's ConsulRegistered turns True
 * once the engine mirrors it, deletion removes what the engine made) and placement task (an owned child
 * FargateService, deleted with its owner).
 */
import { afterEach, describe, expect, it } from "vitest";
import { TagKey } from "../../../src/render/names.js";
import { syncLeaseName, syncNodeName } from "../../../src/sync/index.js";
import {
  type CatalogSyncBench,
  catalogSyncDoc,
  conditionOf,
  namespaceDoc,
  startCatalogSyncBench,
} from "./catalog-sync-bench.js";

let bench: CatalogSyncBench | undefined;
afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

const ready = (record: { status?: Record<string, unknown> } | undefined) =>
  conditionOf(record as never, "Ready")?.status === "True";

async function readyNamespace(b: CatalogSyncBench): Promise<string> {
  await b.apply(namespaceDoc("apps-internal", "platform", "apps.internal"));
  await b.converge([["CloudMapNamespace", "platform", "apps-internal"]], async () =>
    ready(await b.read("CloudMapNamespace", "platform", "apps-internal")),
  );
  const ns = await b.read("CloudMapNamespace", "platform", "apps-internal");
  return String(ns?.status?.namespaceId);
}

function webService(namespace: string) {
  return {
    apiVersion: "fargate-operator/v1alpha1",
    kind: "FargateService" as const,
    metadata: { name: "web", namespace },
    spec: {
      cluster: "apps",
      cpu: 256,
      memory: 512,
      desiredCount: 2,
      containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 8080 }] }],
      network: { subnets: ["subnet-1"], securityGroups: ["sg-1"] },
      discovery: {
        cloudMap: {
          namespaceRef: { name: "apps-internal", namespace: "platform" },
          records: ["A", "SRV"],
          port: 8080,
        },
        consul: { register: true, tags: ["v1"], meta: { team: "payments" } },
      },
    },
  };
}

describe("CatalogSync, placement controller", () => {
  it("runs the engine, reports, turns ConsulRegistered True, and cleans up on deletion", async () => {
    const b = await startCatalogSyncBench();
    bench = b;
    b.consulSim.control.registerService({ name: "vault", port: 8200, address: "10.0.10.5", node: "vault-1" });
    const namespaceId = await readyNamespace(b);

    await b.apply(
      catalogSyncDoc("apps-internal", "platform", "apps-internal", { toCloudMap: { include: ["vault"] } }),
    );
    const key = ["CatalogSync", "platform", "apps-internal"] as const;
    await b.converge([key], async () => {
      const record = await b.read(...key);
      const sync = record?.status?.sync as { toCloudMap?: Array<{ cloudMapName: string }> } | undefined;
      return ready(record) && sync?.toCloudMap?.some((m) => m.cloudMapName === "vault") === true;
    });
    const sync = await b.read(...key);
    expect(conditionOf(sync, "Ready")).toMatchObject({ reason: "Syncing" });
    expect(sync?.metadata.finalizers).toContain("fargate-operator/cleanup");
    expect(sync?.status).toMatchObject({
      namespaceId,
      placement: "controller",
      sync: { writer: true, errors: {} },
    });
    expect(await b.store.leases.readLease(syncLeaseName(namespaceId))).toMatchObject({
      holder: `bench/${sync?.metadata.uid}`,
    });
    const vault = (await b.aws.cloudMap.listServices(namespaceId)).find((s) => s.name === "vault");
    expect(vault).toBeDefined();

    // A FargateService with consul.register: its Cloud Map service carries the mirror's tags, and it is Ready
    // only once the engine reports its running tasks in Consul.
    await b.apply(webService("team-payments") as never);
    const web = ["FargateService", "team-payments", "web"] as const;
    await b.converge([web, key], async () => ready(await b.read(...web)), 120_000);
    const service = await b.read(...web);
    expect(conditionOf(service, "ConsulRegistered")).toMatchObject({ status: "True", reason: "Registered" });
    expect(service?.status?.endpoints).toEqual({
      cloudMap: "web.apps.internal",
      consul: "web.service.consul",
    });
    const cloudMapId = String((service?.status?.cloudMap as { serviceId?: string } | undefined)?.serviceId);
    const arn = (await b.aws.cloudMap.getService(cloudMapId)).arn;
    expect(await b.aws.cloudMap.listTags(arn)).toMatchObject({
      [TagKey.ConsulRegister]: "true",
      [TagKey.ConsulName]: "web",
      [TagKey.ConsulTags]: "v1",
      [`${TagKey.ConsulMetaPrefix}team`]: "payments",
    });
    const node = syncNodeName("apps.internal");
    const inConsul = () => b.consulSim.control.snapshot().services.filter((s) => s.Node === node);
    expect(inConsul().filter((s) => s.Service === "web")).toHaveLength(2);

    // Deleting the CatalogSync stops the engine and removes what it made, in Consul and in Cloud Map.
    await b.store.delete(...key);
    await b.converge([key], async () => (await b.read(...key)) === undefined);
    expect(inConsul()).toEqual([]);
    expect((await b.aws.cloudMap.listServices(namespaceId)).map((s) => s.name)).toEqual(["web"]);
    expect(await b.store.leases.readLease(syncLeaseName(namespaceId))).toBeUndefined();
    expect(await b.store.syncOwners.readOwner(namespaceId)).toBeUndefined();
    // The FargateService now says so, and waits.
    await b.pass(...web);
    expect(conditionOf(await b.read(...web), "ConsulRegistered")).toMatchObject({
      status: "False",
      reason: "NoCatalogSync",
    });
  });

  it("a second CatalogSync on the same namespace is NamespaceAlreadySynced", async () => {
    const b = await startCatalogSyncBench();
    bench = b;
    await readyNamespace(b);
    await b.apply(catalogSyncDoc("first", "platform", "apps-internal"));
    await b.clock.advance(1_000);
    // In another metadata.namespace, naming the same CloudMapNamespace.
    await b.apply(
      catalogSyncDoc("second", "team-x", "apps-internal", {
        cloudMapNamespaceRef: { name: "apps-internal", namespace: "platform" },
      }),
    );
    await b.pass("CatalogSync", "platform", "first");
    await b.pass("CatalogSync", "team-x", "second");
    const second = await b.read("CatalogSync", "team-x", "second");
    expect(conditionOf(second, "Ready")).toMatchObject({ status: "False", reason: "NamespaceAlreadySynced" });
    expect(conditionOf(second, "Ready")?.message).toMatch(/platform\/first/);
  });
});

describe("CatalogSync, placement task", () => {
  it("creates the owned <name>-sync FargateService and deletes it with its owner", async () => {
    const b = await startCatalogSyncBench();
    bench = b;
    await readyNamespace(b);
    await b.apply(
      catalogSyncDoc("apps-internal", "platform", "apps-internal", {
        placement: "task",
        task: {
          cluster: "apps",
          subnets: ["subnet-1"],
          securityGroups: ["sg-1"],
          taskRoleArn: "arn:aws:iam::123456789012:role/sync",
          executionRoleArn: "arn:aws:iam::123456789012:role/exec",
        },
      }),
    );
    const key = ["CatalogSync", "platform", "apps-internal"] as const;
    const child = ["FargateService", "platform", "apps-internal-sync"] as const;
    await b.pass(...key);
    const owner = await b.read(...key);
    const created = await b.read(...child);
    expect(created?.metadata.ownerReferences).toEqual([
      { kind: "CatalogSync", name: "apps-internal", uid: owner?.metadata.uid },
    ]);
    expect(owner?.status?.childServiceName).toBe("apps-internal-sync");
    await b.converge([child, key], async () => ready(await b.read(...child)));
    // Nothing runs the engine in this bench, so the owner waits for the task's first report.
    expect(conditionOf(await b.read(...key), "Ready")).toMatchObject({ status: "False", reason: "Starting" });

    await b.store.delete(...key);
    await b.converge([key, child], async () => (await b.read(...key)) === undefined);
    expect(await b.read(...child)).toBeUndefined();
  });
});
