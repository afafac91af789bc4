/**
 * The CatalogSync reconciler on the in-memory store and Cloud Map with a fake engine: one engine per record
 * (restarted on change, stopped on deletion and by the stop hook), NamespaceAlreadySynced for a second record,
 * reports written onto the status, the token rules, and the child of placement: task.
 */
import { describe, expect, it } from "vitest";
import { CONTROLLER_FINALIZER } from "../../../../src/reconcilers/finalizer.js";
import { catalogSync, condition, REPORT, setup } from "./reconciler-harness.js";

describe("catalogSyncReconciler", () => {
  it("placement controller: adds the finalizer, starts one engine, and reports it onto the status", async () => {
    const t = await setup();
    await t.store.create(catalogSync("apps"));
    expect(await t.pass("apps")).toEqual({ type: "done" });
    let record = await t.read("CatalogSync", "apps");
    expect(record.metadata.finalizers).toContain(CONTROLLER_FINALIZER);
    expect(condition(record, "Ready")).toMatchObject({ status: "False", reason: "Starting" });
    expect(record.status).toMatchObject({ namespaceId: t.ns.id, placement: "controller" });
    expect(t.engines).toHaveLength(1);
    const [engine] = t.engines;
    expect(engine?.running).toBe(true);
    expect(engine?.config).toMatchObject({
      owner: { uid: record.metadata.uid, namespace: "platform", name: "apps" },
      cloudMapNamespace: { id: t.ns.id, dnsName: "apps.internal" },
    });
    expect(engine?.deps.lease).toMatchObject({
      name: `catalog-sync/${t.ns.id}`,
      identity: `controller-1/${record.metadata.uid}`,
    });
    // The controller's own address gets the controller's own token.
    expect(t.consulOptions).toEqual([{ address: "127.0.0.1:8500", token: "controller-token" }]);

    engine?.deps.onReport?.(REPORT);
    await t.clock.advance(0);
    await t.clock.advance(0);
    record = await t.read("CatalogSync", "apps");
    expect(condition(record, "Ready")).toMatchObject({ status: "True", reason: "Syncing" });
    expect(record.status?.sync).toMatchObject({ writer: true, toCloudMap: [{ cloudMapName: "vault" }] });

    // A resync leaves the engine alone and keeps Ready from the report.
    await t.pass("apps");
    expect(t.engines).toHaveLength(1);
    expect(condition(await t.read("CatalogSync", "apps"), "Ready")?.status).toBe("True");
    await t.reconciler.stop?.();
    expect(engine?.running).toBe(false);
  });

  it("restarts the engine when its configuration changes", async () => {
    const t = await setup();
    await t.store.create(catalogSync("apps"));
    await t.pass("apps");
    await t.store.apply(catalogSync("apps", { toConsul: { prefix: "fargate-" } }));
    await t.pass("apps");
    expect(t.engines.map((e) => e.running)).toEqual([false, true]);
    expect(t.engines[1]?.config.toConsul.prefix).toBe("fargate-");
    await t.reconciler.stop?.();
  });

  it("a second CatalogSync on the namespace is NamespaceAlreadySynced and starts nothing", async () => {
    const t = await setup();
    await t.store.create(catalogSync("first"));
    await t.clock.advance(1_000);
    await t.store.create(catalogSync("second"));
    await t.pass("first");
    const result = await t.pass("second");
    expect(result.type).toBe("requeueAfter");
    const second = await t.read("CatalogSync", "second");
    expect(condition(second, "Ready")).toMatchObject({ status: "False", reason: "NamespaceAlreadySynced" });
    expect(second.metadata.finalizers).toEqual([]);
    expect(t.engines).toHaveLength(1);
    expect(t.engines[0]?.config.owner.name).toBe("first");
    await t.reconciler.stop?.();
  });

  it("refuses a token variable the allow-list does not name, and never sends the own token to a spec address", async () => {
    const t = await setup();
    await t.store.create(catalogSync("apps", { consul: { tokenFrom: { env: "HOME" } } }));
    expect(await t.pass("apps")).toEqual({ type: "done" });
    const refused = await t.read("CatalogSync", "apps");
    expect(condition(refused, "Ready")).toMatchObject({ status: "False", reason: "TokenSourceNotAllowed" });
    expect(condition(refused, "Stalled")).toMatchObject({ status: "True" });
    expect(t.engines).toHaveLength(0);

    await t.store.apply(catalogSync("apps", { consul: { address: "http://10.0.0.9:8500" } }));
    await t.pass("apps");
    expect(t.consulOptions).toEqual([{ address: "http://10.0.0.9:8500" }]);

    await t.store.apply(catalogSync("apps", { consul: { tokenFrom: { env: "CONSUL_TOKEN_DC1" } } }));
    await t.pass("apps");
    expect(t.consulOptions[1]).toEqual({ address: "127.0.0.1:8500", token: "dc1-token" });
    await t.reconciler.stop?.();
  });

  it("deletion stops the engine, cleans up and removes the finalizer", async () => {
    const t = await setup();
    await t.store.create(catalogSync("apps"));
    await t.pass("apps");
    await t.store.delete("CatalogSync", "platform", "apps");
    expect(await t.pass("apps")).toEqual({ type: "done" });
    expect(t.engines[0]?.running).toBe(false);
    await expect(t.read("CatalogSync", "apps")).rejects.toThrow(/not found/);
  });

  it("placement task: creates the owned child, and deleting the CatalogSync deletes it first", async () => {
    const t = await setup();
    await t.store.create(
      catalogSync("data", {
        placement: "task",
        task: {
          cluster: "data",
          subnets: ["subnet-1"],
          securityGroups: ["sg-1"],
          taskRoleArn: "arn:aws:iam::123456789012:role/sync",
          executionRoleArn: "arn:aws:iam::123456789012:role/exec",
        },
      }),
    );
    const result = await t.pass("data");
    expect(result).toEqual({ type: "requeueAfter", ms: 5_000 });
    const owner = await t.read("CatalogSync", "data");
    expect(condition(owner, "Ready")).toMatchObject({ status: "False", reason: "SyncTaskNotReady" });
    expect(owner.status?.childServiceName).toBe("data-sync");
    const child = await t.read("FargateService", "data-sync");
    expect(child.metadata.ownerReferences).toEqual([
      { kind: "CatalogSync", name: "data", uid: owner.metadata.uid },
    ]);
    expect(t.engines).toHaveLength(0);

    // The child's own finalizer (its reconciler's) holds it while ECS drains.
    await t.store.addFinalizer(
      "FargateService",
      "platform",
      "data-sync",
      CONTROLLER_FINALIZER,
      child.metadata.resourceVersion,
    );
    await t.store.delete("CatalogSync", "platform", "data");
    expect((await t.pass("data")).type).toBe("requeueAfter");
    const deleting = await t.read("FargateService", "data-sync");
    expect(deleting.metadata.deletionTimestamp).toBeDefined();
    expect((await t.read("CatalogSync", "data")).metadata.finalizers).toContain(CONTROLLER_FINALIZER);
    await t.store.removeFinalizer(
      "FargateService",
      "platform",
      "data-sync",
      CONTROLLER_FINALIZER,
      deleting.metadata.resourceVersion,
    );
    expect(await t.pass("data")).toEqual({ type: "done" });
    await expect(t.read("CatalogSync", "data")).rejects.toThrow(/not found/);
  });
});
