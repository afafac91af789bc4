/**
 * What a Consul user can register cannot stop the sync or take the engine's place (on the simulators, one
 * ManualClock): values Cloud Map refuses (a 3,026-character service id, a non-ASCII node name) are skipped,
 * named once in the log and counted in the report while the rest of the round goes through; a registration that
 * squats a service ID the engine owns on its own node, or a check hung on one of its registrations, is taken back.
 */
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { syncNodeName } from "../../../src/sync/index.js";
import {
  checkStatusesOn,
  consulServicesOn,
  discover,
  passTime,
  type SyncBed,
  startSyncBed,
  UID,
  within,
} from "./support.js";

let bed: SyncBed;
let node: string;
beforeEach(async () => {
  bed = await startSyncBed();
  node = syncNodeName(bed.namespace.dnsName);
});
afterEach(async () => {
  await bed.close();
});

/** A logger whose warnings the test reads. */
function capturedLog() {
  const warnings: Array<{ msg: string; problem?: string }> = [];
  const log = pino({ level: "warn" }, { write: (line: string) => void warnings.push(JSON.parse(line)) });
  return { log, warnings };
}

describe("hostile Consul entries", () => {
  it("skips and reports values Cloud Map refuses, and still syncs everything else in the round", async () => {
    const longId = `web-${"x".repeat(3_022)}`;
    const web = (id: string, nodeName: string, ip: string) =>
      bed.consulSim.control.registerService({ name: "web", id, node: nodeName, address: ip, port: 80 });
    // Sorted by node, the bad entries come first: before, the first refused write ended the whole round.
    web(longId, "a-node", "10.0.0.1");
    web("web-2", "b-nöde", "10.0.0.2");
    web("web-3", "c-node", "10.0.0.3");
    bed.consulSim.control.registerService({ name: "db", node: "c-node", address: "10.0.0.3", port: 5432 });
    const { log, warnings } = capturedLog();
    const engine = await bed.engine({}, { log });

    await within(bed.clock, 5_000, async () => (await discover(bed, "web")).length === 1);
    await within(bed.clock, 5_000, async () => (await discover(bed, "db")).length === 1);
    expect((await discover(bed, "web"))[0]?.Attributes?.["consul-service-id"]).toBe("web-3");
    await passTime(bed.clock, 10_000, 1_000);
    const report = engine.report();
    expect(report.skipped).toEqual({ toCloudMap: 2 });
    expect(report.errors.toCloudMap).toMatch(/"web-x+"… \(3026 characters\) on a-node: .*1024/);
    expect(report.errors.toCloudMap).toMatch(
      /web-2 on "b-nöde": attribute consul-node value .* not printable ASCII/,
    );
    expect(report.errors.toCloudMap?.length ?? 0).toBeLessThan(600);
    // One warning per entry and reason, however many rounds ran.
    const skipped = warnings
      .filter((w) => w.msg === "catalog sync: problem with an entry")
      .map((w) => w.problem);
    expect(skipped).toHaveLength(2);

    // The bad entries go away: the report clears.
    bed.consulSim.control.deregister({ Node: "a-node", ServiceID: longId });
    bed.consulSim.control.deregister({ Node: "b-nöde", ServiceID: "web-2" });
    await within(bed.clock, 5_000, () => engine.report().skipped === undefined);
    expect(engine.report().errors.toCloudMap).toBeUndefined();
  });

  it("takes back a service ID it owns on its own node from a squatter, and a registration someone hung a check on", async () => {
    const svc = await bed.aws.cloudMap.createService({
      Name: "legacy",
      NamespaceId: bed.namespace.id,
      DnsConfig: { RoutingPolicy: "MULTIVALUE", DnsRecords: [{ Type: "A", TTL: 60 }] },
      HealthCheckCustomConfig: {},
    });
    await bed.aws.cloudMap.registerInstance(svc.id, "i-1", { AWS_INSTANCE_IPV4: "10.8.0.1" });
    const { log, warnings } = capturedLog();
    const engine = await bed.engine({}, { log, tuning: { resyncMs: 10_000 } });
    const ours = () => consulServicesOn(bed, node).find((s) => s.ID === "legacy:i-1");
    await within(bed.clock, 5_000, () => ours()?.Meta["fargate-operator-sync"] === UID);

    // A Consul user registers the engine's ID on the engine's node, pointing at their own address.
    bed.consulSim.control.registerService({
      name: "legacy",
      id: "legacy:i-1",
      node,
      address: bed.namespace.dnsName,
      serviceAddress: "10.66.6.6",
      port: 443,
    });
    expect(ours()?.Address).toBe("10.66.6.6");
    await within(bed.clock, 15_000, () => ours()?.Meta["fargate-operator-sync"] === UID, { stepMs: 500 });
    expect(ours()?.Address).toBe("10.8.0.1");
    // Their check went with their registration; only ours is left.
    expect(Object.keys(checkStatusesOn(bed, node))).toEqual(["legacy:i-1"]);
    expect(
      bed.consulSim.control
        .snapshot()
        .checks.filter((c) => c.Node === node)
        .map((c) => c.CheckID),
    ).toEqual(["fargate-operator:legacy:i-1"]);
    const takenBack = () => warnings.filter((w) => /taken back/.test(w.problem ?? ""));
    await within(bed.clock, 2_000, () => takenBack().length === 1);

    // A check of someone else's on our registration (it would mark the instance critical): taken back too.
    bed.consulSim.control.register({
      Node: node,
      Address: bed.namespace.dnsName,
      SkipNodeUpdate: true,
      Check: { CheckID: "sabotage", Name: "x", ServiceID: "legacy:i-1", Status: "critical" },
    });
    // Taking back is a deregistration (their check goes with it) then our registration again: wait for both.
    await within(
      bed.clock,
      15_000,
      () =>
        !bed.consulSim.control.snapshot().checks.some((c) => c.CheckID === "sabotage") &&
        ours()?.Meta["fargate-operator-sync"] === UID,
      { stepMs: 500 },
    );
    expect(ours()?.Meta["fargate-operator-sync"]).toBe(UID);
    expect(checkStatusesOn(bed, node)).toEqual({ "legacy:i-1": "passing" });
    await within(bed.clock, 2_000, () => takenBack().length === 2);
    await passTime(bed.clock, 20_000, 1_000);
    expect(takenBack()).toHaveLength(2);
    expect(engine.report().errors.toConsul).toBeUndefined();
  });
});
