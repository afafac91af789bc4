/**
 * Cloud Map throttling during sync: the catalog sync engine (on the sync suites' bed: both simulators on one
 * ManualClock) mirrors Consul services into Cloud Map and a Cloud Map service into Consul; then every Cloud Map
 * call the engine makes is throttled, failed with a 5xx or dropped at the given rates for a stretch of simulated
 * time while Consul keeps changing. Nothing may be deregistered on either side; after the faults the engine
 * catches up with what changed meanwhile.
 */
import type { FaultSettings } from "../../../../src/dev/aws-sim/index.js";
import { syncNodeName } from "../../../../src/sync/index.js";
import {
  consulServicesOn,
  discover,
  passTime,
  type SyncBed,
  startSyncBed,
  within,
} from "../../sync/support.js";
import type { Teardown } from "../support/teardown.js";

/** Every Cloud Map operation the engine may call; DiscoverInstances stays clean (the test reads through it). */
const ENGINE_OPERATIONS = [
  "CreateService",
  "DeleteService",
  "DeregisterInstance",
  "DiscoverInstancesRevision",
  "GetInstancesHealthStatus",
  "GetNamespace",
  "GetOperation",
  "GetService",
  "ListInstances",
  "ListServices",
  "ListTagsForResource",
  "RegisterInstance",
  "TagResource",
  "UntagResource",
  "UpdateInstanceCustomHealthStatus",
  "UpdateService",
].map((op) => `servicediscovery:${op}`);

/** How much to do. */
export interface SyncFaultsLoad {
  /** Consul services mirrored before the faults. */
  services: number;
  /** Consul services registered while the faults last. */
  addedDuringFaults: number;
  /** Simulated time the faults last (ms). */
  faultMs: number;
  faults: Omit<FaultSettings, "operations">;
  seed: number;
}

/** What the scenario measured. */
export interface SyncFaultsResult {
  /** Engine Cloud Map calls during the faults, and how many were failed on purpose. */
  callsDuringFaults: number;
  injected: number;
  /** Checks (one per simulated second) where something mirrored had gone missing on either side. */
  lossesSeen: string[];
  /** DeregisterInstance / DeleteService calls the simulator received from the start of the faults on. */
  removals: number;
  /** Services added during the faults that the engine had mirrored before they ended (it keeps working). */
  mirroredDuringFaults: number;
  /** Simulated ms from the end of the faults until everything added meanwhile was in Cloud Map. */
  catchUpMs: number;
  /** The engine's error for the Cloud Map direction once caught up (undefined when clean). */
  errorAfter: string | undefined;
}

function sum(
  bed: SyncBed,
  field: "calls" | "injectedThrottles" | "injectedServerErrors" | "dropped",
): number {
  return Object.entries(bed.awsSim.control.counters())
    .filter(([op]) => ENGINE_OPERATIONS.includes(op))
    .reduce((n, [, c]) => n + c[field], 0);
}

/** Runs the scenario; the bed is registered on `teardown`. */
export async function runSyncFaultsScenario(
  load: SyncFaultsLoad,
  teardown: Teardown,
): Promise<SyncFaultsResult> {
  const bed = await startSyncBed();
  teardown.add(() => bed.close());
  const node = syncNodeName(bed.namespace.dnsName);
  const names = Array.from({ length: load.services }, (_, i) => `svc-${i}`);
  for (const [i, name] of names.entries())
    bed.consulSim.control.registerService({ name, node: `n${i}`, address: `10.0.${i}.5`, port: 8000 + i });
  const legacy = await bed.aws.cloudMap.createService({
    Name: "legacy",
    NamespaceId: bed.namespace.id,
    DnsConfig: { RoutingPolicy: "MULTIVALUE", DnsRecords: [{ Type: "A", TTL: 60 }] },
    HealthCheckCustomConfig: {},
    Tags: [],
  });
  await bed.aws.cloudMap.registerInstance(legacy.id, "i-1", { AWS_INSTANCE_IPV4: "10.9.0.1" });
  const engine = await bed.engine({ deleteGraceMs: 30_000 });
  const allThere = async (wanted: readonly string[]) =>
    (await Promise.all(wanted.map(async (n) => (await discover(bed, n)).length === 1))).every(Boolean);
  await within(bed.clock, 20_000, () => allThere(names), { stepMs: 500 });
  await within(bed.clock, 10_000, () => consulServicesOn(bed, node).some((s) => s.Service === "legacy"));

  bed.awsSim.control.resetCounters();
  bed.awsSim.control.setFaults({ ...load.faults, operations: ENGINE_OPERATIONS }, load.seed);
  const added = Array.from({ length: load.addedDuringFaults }, (_, i) => `late-${i}`);
  const lossesSeen: string[] = [];
  for (let elapsed = 0; elapsed < load.faultMs; elapsed += 1_000) {
    const late = added[Math.floor((elapsed / load.faultMs) * added.length)];
    if (late !== undefined && !bed.consulSim.control.snapshot().services.some((s) => s.Service === late))
      bed.consulSim.control.registerService({ name: late, node: "n-late", address: "10.1.0.5", port: 9000 });
    await passTime(bed.clock, 1_000, 500);
    for (const name of names)
      if ((await discover(bed, name)).length !== 1) lossesSeen.push(`${elapsed} ms: ${name} left Cloud Map`);
    if (!consulServicesOn(bed, node).some((s) => s.Service === "legacy"))
      lossesSeen.push(`${elapsed} ms: legacy left Consul`);
  }
  const callsDuringFaults = sum(bed, "calls");
  const injected = sum(bed, "injectedThrottles") + sum(bed, "injectedServerErrors") + sum(bed, "dropped");
  bed.awsSim.control.clearFaults();
  let mirroredDuringFaults = 0;
  for (const name of added) if ((await discover(bed, name)).length === 1) mirroredDuringFaults += 1;

  const catchUpMs = await within(bed.clock, 90_000, () => allThere([...names, ...added]), { stepMs: 500 });
  await within(bed.clock, 60_000, () => engine.report().errors.toCloudMap === undefined, { stepMs: 500 });
  const counters = bed.awsSim.control.counters();
  return {
    callsDuringFaults,
    injected,
    lossesSeen,
    removals:
      (counters["servicediscovery:DeregisterInstance"]?.calls ?? 0) +
      (counters["servicediscovery:DeleteService"]?.calls ?? 0),
    mirroredDuringFaults,
    catchUpMs,
    errorAfter: engine.report().errors.toCloudMap,
  };
}
