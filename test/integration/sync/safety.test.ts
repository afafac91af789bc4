/**
 * The engine's safety on the simulators (one ManualClock): Consul down for 60 s removes nothing anywhere and the
 * sync resumes after; look-alike ownership markers are never taken for ours; two engines on one namespace with
 * one lease backend have exactly one writer; stop() ends every long poll at once.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OutageMode } from "../../../src/dev/consul-sim/index.js";
import { TagKey } from "../../../src/render/names.js";
import { syncLeaseName, syncNodeName } from "../../../src/sync/index.js";
import type { SyncReport } from "../../../src/sync/types.js";
import { FakeLeases } from "../../support/fake-store.js";
import { until } from "../aws/support.js";
import { consulServicesOn, discover, passTime, type SyncBed, startSyncBed, UID, within } from "./support.js";

let bed: SyncBed;
let node: string;
beforeEach(async () => {
  bed = await startSyncBed();
  node = syncNodeName(bed.namespace.dnsName);
});
afterEach(async () => {
  await bed.close();
});

/** A hand-made Cloud Map service with one instance. */
async function handMade(name: string, tags: Record<string, string> = {}, ip = "10.8.0.1") {
  const svc = await bed.aws.cloudMap.createService({
    Name: name,
    NamespaceId: bed.namespace.id,
    DnsConfig: { RoutingPolicy: "MULTIVALUE", DnsRecords: [{ Type: "A", TTL: 60 }] },
    HealthCheckCustomConfig: {},
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
  });
  await bed.aws.cloudMap.registerInstance(svc.id, "i-1", { AWS_INSTANCE_IPV4: ip });
  return svc;
}

describe("catalog sync safety", () => {
  it("removes nothing anywhere while Consul is down for 60 s, then resumes", async () => {
    bed.consulSim.control.registerService({ name: "vault", node: "n1", address: "10.0.1.5", port: 8200 });
    await handMade("legacy");
    const engine = await bed.engine({ deleteGraceMs: 30_000 });
    await within(bed.clock, 3_000, async () => (await discover(bed, "vault")).length === 1);
    await within(bed.clock, 3_000, () => consulServicesOn(bed, node).length === 1);

    await bed.consulSim.control.setOutage(OutageMode.Refuse);
    // Meanwhile the hand-made service loses its instance: nothing can be written to Consul, nothing is lost.
    const legacy = (await bed.aws.cloudMap.listServices(bed.namespace.id)).find((s) => s.name === "legacy");
    await bed.aws.cloudMap.deregisterInstance(legacy?.id ?? "", "i-1");
    await passTime(bed.clock, 60_000, 1_000);
    expect(await discover(bed, "vault")).toHaveLength(1);
    expect(consulServicesOn(bed, node)).toHaveLength(1);
    expect(engine.report().errors.toCloudMap).toMatch(/unreachable|refused|ECONNREFUSED/i);

    await bed.consulSim.control.setOutage(OutageMode.None);
    bed.consulSim.control.registerService({ name: "db", node: "n2", address: "10.0.2.5", port: 5432 });
    await within(bed.clock, 35_000, async () => (await discover(bed, "db")).length === 1, { stepMs: 500 });
    expect(await discover(bed, "vault")).toHaveLength(1);
    await within(bed.clock, 5_000, () => engine.report().errors.toCloudMap === undefined);
    // The vanished hand-made instance now goes, after its grace (which ran while Consul could not be written).
    await within(bed.clock, 35_000, () => consulServicesOn(bed, node).length === 0, { stepMs: 500 });
  });

  it("keeps a Consul leader election (500s) from removing anything too", async () => {
    bed.consulSim.control.registerService({ name: "vault", node: "n1", address: "10.0.1.5", port: 8200 });
    await bed.engine({ deleteGraceMs: 10_000 });
    await within(bed.clock, 3_000, async () => (await discover(bed, "vault")).length === 1);
    await bed.consulSim.control.setOutage(OutageMode.LeaderLost);
    await passTime(bed.clock, 60_000, 1_000);
    expect(await discover(bed, "vault")).toHaveLength(1);
    await bed.consulSim.control.setOutage(OutageMode.None);
    await passTime(bed.clock, 40_000, 1_000);
    expect(await discover(bed, "vault")).toHaveLength(1);
  });

  it("never touches look-alikes: another uid's tag, external-source without our uid, another uid's meta", async () => {
    // Cloud Map: a service named like a Consul service, tagged with ANOTHER CatalogSync's uid.
    const impostor = await handMade("vault", { [TagKey.SyncOwner]: "another-uid" }, "10.7.0.7");
    bed.consulSim.control.registerService({ name: "vault", node: "n1", address: "10.0.1.5", port: 8200 });
    // Consul: registrations on OUR node that look like ours but are not.
    const lookAlike = (id: string, meta: Record<string, string>) =>
      bed.consulSim.control.registerService({ name: "mimic", id, node, address: "10.6.0.1", port: 1, meta });
    lookAlike("no-uid", { "external-source": "fargate-operator" });
    lookAlike("other-uid", { "fargate-operator-sync": "another-uid", "external-source": "fargate-operator" });
    const engine = await bed.engine({ deleteGraceMs: 1_000 });

    await within(bed.clock, 3_000, () =>
      /not this CatalogSync's/.test(engine.report().errors.toCloudMap ?? ""),
    );
    await passTime(bed.clock, 30_000, 1_000);
    const instances = await bed.aws.cloudMap.listInstances(impostor.id);
    expect(instances).toEqual([{ id: "i-1", attributes: { AWS_INSTANCE_IPV4: "10.7.0.7" } }]);
    expect(await bed.aws.cloudMap.listTags(impostor.arn)).toEqual({ [TagKey.SyncOwner]: "another-uid" });
    const ids = consulServicesOn(bed, node).map((s) => s.ID);
    expect(ids).toEqual(expect.arrayContaining(["no-uid", "other-uid"]));
    // The impostor is not ours, so it is mirrored into Consul like any hand-made service.
    expect(
      consulServicesOn(bed, node).find((s) => s.Service === "vault")?.Meta["fargate-operator-sync"],
    ).toBe(UID);
    // The look-alike Consul registrations are a user's services: exported like any other, never changed.
    expect(
      consulServicesOn(bed, node)
        .filter((s) => s.Service === "mimic")
        .map((s) => s.Meta),
    ).toEqual([
      { "external-source": "fargate-operator" },
      { "fargate-operator-sync": "another-uid", "external-source": "fargate-operator" },
    ]);
    expect((await discover(bed, "mimic")).map((i) => i.Attributes?.["consul-service-id"]).sort()).toEqual([
      "no-uid",
      "other-uid",
    ]);
  });

  it("lets only one of two engines on one namespace write (shared lease)", async () => {
    bed.consulSim.control.registerService({ name: "vault", node: "n1", address: "10.0.1.5", port: 8200 });
    await handMade("legacy");
    const backend = new FakeLeases();
    const lease = (identity: string) => ({
      backend,
      name: syncLeaseName(bed.namespace.id),
      identity,
      durationMs: 10_000,
      heartbeatMs: 2_000,
    });
    const reports: Record<string, SyncReport[]> = { a: [], b: [] };
    const a = await bed.engine({}, { lease: lease("a"), onReport: (r) => reports.a?.push(r) });
    const b = await bed.engine({}, { lease: lease("b"), onReport: (r) => reports.b?.push(r) });
    await within(bed.clock, 5_000, async () => (await discover(bed, "vault")).length === 1);
    await within(bed.clock, 5_000, () => consulServicesOn(bed, node).length === 1);
    await passTime(bed.clock, 20_000, 1_000);
    const writers = [a, b].filter((e) => e.report().writer);
    expect(writers).toHaveLength(1);
    const idle = a.report().writer ? b : a;
    expect(idle.report().writes).toEqual({ toCloudMap: 0, toConsul: 0 });
    expect(writers[0]?.report().writes).toEqual({ toCloudMap: 2, toConsul: 1 });

    // The writer stops and releases the lease: the other takes over, and has nothing left to write.
    await writers[0]?.stop();
    await within(bed.clock, 10_000, () => idle.report().writer);
    await passTime(bed.clock, 5_000, 1_000);
    expect(idle.report().writes).toEqual({ toCloudMap: 0, toConsul: 0 });
    expect(reports.a?.at(-1)?.writer === true || reports.b?.at(-1)?.writer === true).toBe(true);
  });

  it("stop() ends every long poll at once and resolves", async () => {
    bed.consulSim.control.registerService({ name: "vault", node: "n1", address: "10.0.1.5", port: 8200 });
    const engine = await bed.engine();
    await within(bed.clock, 3_000, async () => (await discover(bed, "vault")).length === 1);
    // The service-list query and the vault health query hang in Consul.
    await bed.consulSim.control.whenBlocked(2);
    await engine.stop();
    // The simulator notices the dropped connections on its next socket event (real time, no clock involved).
    await until(() => bed.consulSim.control.blockedQueries() === 0, "the long polls to end");
    expect(engine.report().writer).toBe(false);
  });
});
