/**
 * Consul → Cloud Map on the simulators (one ManualClock): `vault` in Consul becomes `vault.<dnsName>` within 2 s
 * of simulated time, with A and SRV records and its health; a removed instance goes only after the grace.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TagKey } from "../../../src/render/names.js";
import { cloudMapInstanceId } from "../../../src/sync/names.js";
import { discover, passTime, type SyncBed, startSyncBed, UID, within } from "./support.js";

let bed: SyncBed;
beforeEach(async () => {
  bed = await startSyncBed();
});
afterEach(async () => {
  await bed.close();
});

const vaultAt = (ip: string, id = "vault-1") =>
  bed.consulSim.control.registerService({ name: "vault", id, node: `node-${id}`, address: ip, port: 8200 });

describe("Consul → Cloud Map", () => {
  it("makes vault discoverable as vault.<dnsName> within 2 s, with A and SRV records and health", async () => {
    vaultAt("10.0.1.5");
    await bed.engine();
    const took = await within(bed.clock, 2_000, async () => (await discover(bed, "vault")).length === 1);
    expect(took).toBeLessThanOrEqual(2_000);
    const [instance] = await discover(bed, "vault");
    expect(instance).toMatchObject({
      InstanceId: cloudMapInstanceId("node-vault-1", "vault-1"),
      HealthStatus: "HEALTHY",
      Attributes: expect.objectContaining({
        AWS_INSTANCE_IPV4: "10.0.1.5",
        AWS_INSTANCE_PORT: "8200",
        "fargate-operator-sync": UID,
      }),
    });
    const service = (await bed.aws.cloudMap.listServices(bed.namespace.id)).find((s) => s.name === "vault");
    expect(service?.dnsRecords).toEqual([
      { Type: "A", TTL: 10 },
      { Type: "SRV", TTL: 10 },
    ]);
    expect(service?.routingPolicy).toBe("MULTIVALUE");
    expect(service?.healthCheck).toBe("custom");
    expect(await bed.aws.cloudMap.listTags(service?.arn ?? "")).toEqual({ [TagKey.SyncOwner]: UID });
    // The consul service itself is never exported.
    expect(await discover(bed, "consul")).toEqual([]);

    bed.consulSim.control.setCheckStatus("node-vault-1", "service:vault-1", "critical");
    await within(
      bed.clock,
      2_000,
      async () => (await discover(bed, "vault"))[0]?.HealthStatus === "UNHEALTHY",
    );
    bed.consulSim.control.setCheckStatus("node-vault-1", "service:vault-1", "warning");
    await within(bed.clock, 2_000, async () => (await discover(bed, "vault"))[0]?.HealthStatus === "HEALTHY");
  });

  it("removes an instance that left Consul only after the grace, and cancels the wait when it returns", async () => {
    vaultAt("10.0.1.5", "vault-1");
    vaultAt("10.0.1.6", "vault-2");
    const engine = await bed.engine({ deleteGraceMs: 30_000 });
    await within(bed.clock, 2_000, async () => (await discover(bed, "vault")).length === 2);

    bed.consulSim.control.deregister({ Node: "node-vault-2", ServiceID: "vault-2" });
    await passTime(bed.clock, 29_000);
    expect((await discover(bed, "vault")).length).toBe(2);
    await within(bed.clock, 3_000, async () => (await discover(bed, "vault")).length === 1);
    expect((await discover(bed, "vault"))[0]?.Attributes?.AWS_INSTANCE_IPV4).toBe("10.0.1.5");

    // Gone for 20 s, back before the grace: never removed.
    bed.consulSim.control.deregister({ Node: "node-vault-1", ServiceID: "vault-1" });
    await passTime(bed.clock, 20_000);
    vaultAt("10.0.1.5", "vault-1");
    await passTime(bed.clock, 30_000);
    expect((await discover(bed, "vault")).length).toBe(1);
    expect(engine.report().toCloudMap).toEqual([
      expect.objectContaining({ consulName: "vault", cloudMapName: "vault", instances: 1, healthy: 1 }),
    ]);
  });
});
