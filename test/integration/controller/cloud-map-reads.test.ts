/**
 * Cloud Map reads of FargateService resyncs on the AWS simulator (DESIGN.md §11, issue 17): a steady-state resync
 * makes at most one Cloud Map call per 10 services (one ListServices page per namespace and the rolling tag
 * refresh; counted with the simulator's counters), and what changes out of band is still seen: a deleted service
 * is made again at the next resync; a retag is seen within the tag cycle, and at once when a write is due.
 */
import {
  DeleteServiceCommand,
  DeregisterInstanceCommand,
  GetServiceCommand,
  ListInstancesCommand,
  ListTagsForResourceCommand,
  type ServiceDiscoveryClient,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-servicediscovery";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cloudMapTagMap } from "../../../src/aws/cloud-map.js";
import { DEFAULT_TAG_CYCLE_MS } from "../../../src/aws/cloud-map-cache.js";
import type { ResourceDocument, StoredResource } from "../../../src/store/types.js";
import { clientsFor } from "../aws-sim/support.js";
import {
  applyConsulAwsCatalogSync,
  conditionOf,
  exampleDocuments,
  isReady,
  type ReconcileBench,
  startReconcileBench,
} from "./reconcile-harness.js";

/** The controller's default resync period; the default tag cycle is 20 of them. */
const RESYNC_MS = 600_000;
const TAG_CYCLE_RESYNCS = DEFAULT_TAG_CYCLE_MS / RESYNC_MS;

let bench: ReconcileBench;
let template: ResourceDocument;
/** An SDK client of the simulator's Cloud Map, for changes made out of band. */
let cloudMap: ServiceDiscoveryClient;

beforeEach(async () => {
  bench = await startReconcileBench();
  const [namespace] = await exampleDocuments("namespaces.yaml");
  if (namespace === undefined) throw new Error("examples/namespaces.yaml changed");
  await bench.store.apply(namespace);
  await bench.converge("CloudMapNamespace", "platform", "apps-internal", isReady);
  await applyConsulAwsCatalogSync(bench.store);
  const [service] = await exampleDocuments("services/payments-api.yaml");
  if (service === undefined) throw new Error("examples/services/payments-api.yaml changed");
  template = service;
  const clients = clientsFor(bench.sim.endpoint);
  clients.ecs.destroy();
  cloudMap = clients.cloudMap;
});

afterEach(async () => {
  cloudMap.destroy();
  await bench.close();
});

function serviceNamed(name: string): ResourceDocument {
  const doc = structuredClone(template);
  doc.metadata.name = name;
  doc.spec.desiredCount = 1;
  return doc;
}

async function create(name: string): Promise<StoredResource> {
  await bench.store.apply(serviceNamed(name));
  const record = await bench.converge("FargateService", "team-payments", name, isReady);
  if (record === undefined) throw new Error(`${name} vanished`);
  return record;
}

function cloudMapOf(record: StoredResource | undefined): { serviceId: string; serviceArn: string } {
  return record?.status?.cloudMap as { serviceId: string; serviceArn: string };
}

function cloudMapCalls(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [op, c] of Object.entries(bench.sim.control.counters()))
    if (op.startsWith("servicediscovery:") && c.calls > 0)
      out[op.slice("servicediscovery:".length)] = c.calls;
  return out;
}

/** One resync: the period passes, then one pass of each record (as the runtime's resync queues them). */
async function resync(names: readonly string[]): Promise<void> {
  await bench.clock.advance(RESYNC_MS);
  for (const name of names) await bench.pass("FargateService", "team-payments", name);
}

async function tagsOf(arn: string): Promise<Record<string, string>> {
  return cloudMapTagMap((await cloudMap.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags);
}

describe("Cloud Map reads of FargateService resyncs", () => {
  it("a steady-state resync of 30 services makes at most one Cloud Map call per 10 services, and no write", async () => {
    const names = Array.from({ length: 30 }, (_, i) => `web-${i}`);
    for (const name of names) await create(name);
    await resync(names); // warm-up: the first resync after the creations
    bench.sim.control.resetCounters();
    const resyncs = 5;
    for (let r = 0; r < resyncs; r += 1) await resync(names);
    const calls = cloudMapCalls();
    const total = Object.values(calls).reduce((a, b) => a + b, 0);
    console.info(
      `[figures] Cloud Map calls over ${resyncs} resyncs of ${names.length} services: ${JSON.stringify(calls)}`,
    );
    // One ListServices page per resync (30 services) plus 30 / 20 tag sets of the rolling refresh.
    expect(calls.ListServices).toBe(resyncs);
    expect(calls.GetService ?? 0).toBe(0);
    expect(calls.ListTagsForResource ?? 0).toBeLessThanOrEqual(
      Math.ceil((resyncs * names.length) / TAG_CYCLE_RESYNCS),
    );
    expect(((total / resyncs) * 10) / names.length).toBeLessThanOrEqual(1);
    for (const op of ["CreateService", "UpdateService", "DeleteService", "TagResource", "UntagResource"])
      expect(calls[op] ?? 0).toBe(0);
    for (const name of names)
      expect(isReady(await bench.read("FargateService", "team-payments", name))).toBe(true);
  });

  it("a Cloud Map service deleted out of band is made again at the next resync", async () => {
    const before = cloudMapOf(await create("ledger"));
    const instances = await cloudMap.send(new ListInstancesCommand({ ServiceId: before.serviceId }));
    for (const i of instances.Instances ?? [])
      await cloudMap.send(new DeregisterInstanceCommand({ ServiceId: before.serviceId, InstanceId: i.Id }));
    await cloudMap.send(new DeleteServiceCommand({ Id: before.serviceId }));
    await resync(["ledger"]);
    const after = cloudMapOf(await bench.read("FargateService", "team-payments", "ledger"));
    expect(after.serviceId).not.toBe(before.serviceId);
    const made = await cloudMap.send(new GetServiceCommand({ Id: after.serviceId }));
    expect(made.Service?.Name).toBe("ledger");
    expect(await tagsOf(after.serviceArn)).toMatchObject({
      "fargate-operator:namespace": "team-payments",
      "fargate-operator:name": "ledger",
    });
  });

  it("a Consul tag removed out of band is put back within the tag cycle", async () => {
    const { serviceArn } = cloudMapOf(await create("ledger"));
    await cloudMap.send(
      new UntagResourceCommand({ ResourceARN: serviceArn, TagKeys: ["fargate-operator:consul-register"] }),
    );
    let resyncs = 0;
    while (!("fargate-operator:consul-register" in (await tagsOf(serviceArn)))) {
      resyncs += 1;
      if (resyncs > TAG_CYCLE_RESYNCS) throw new Error("the tag was not put back within the tag cycle");
      await resync(["ledger"]);
    }
    console.info(`[figures] Consul tag put back after ${resyncs} resync(s)`);
    expect(resyncs).toBeGreaterThan(0);
  });

  it("a service retagged as another record's is seen within the tag cycle and left alone", async () => {
    const { serviceArn } = cloudMapOf(await create("ledger"));
    const other = {
      "fargate-operator:uid": "someone-else",
      "fargate-operator:namespace": "team-other",
      "fargate-operator:name": "ledger",
    };
    await cloudMap.send(
      new TagResourceCommand({
        ResourceARN: serviceArn,
        Tags: Object.entries(other).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    bench.sim.control.resetCounters();
    let resyncs = 0;
    let record: StoredResource | undefined;
    do {
      resyncs += 1;
      if (resyncs > TAG_CYCLE_RESYNCS) throw new Error("the retag was not seen within the tag cycle");
      await resync(["ledger"]);
      record = await bench.read("FargateService", "team-payments", "ledger");
    } while (conditionOf(record, "Stalled")?.status !== "True");
    console.info(`[figures] retag seen after ${resyncs} resync(s)`);
    expect(conditionOf(record, "Stalled")?.reason).toBe("NameConflict");
    expect(await tagsOf(serviceArn)).toMatchObject(other);
    expect(cloudMapCalls().TagResource ?? 0).toBe(0);
  });

  it("a change that needs a Cloud Map write reads the tags fresh first: another record's service is not written", async () => {
    const { serviceArn, serviceId } = cloudMapOf(await create("ledger"));
    await cloudMap.send(
      new TagResourceCommand({
        ResourceARN: serviceArn,
        Tags: [{ Key: "fargate-operator:uid", Value: "someone-else" }],
      }),
    );
    const changed = serviceNamed("ledger");
    (changed.spec.discovery as { cloudMap: { dnsTtl: number } }).cloudMap.dnsTtl = 30;
    await bench.store.apply(changed);
    bench.sim.control.resetCounters();
    await bench.pass("FargateService", "team-payments", "ledger");
    const record = await bench.read("FargateService", "team-payments", "ledger");
    expect(conditionOf(record, "Stalled")).toMatchObject({ status: "True", reason: "NameConflict" });
    const calls = cloudMapCalls();
    expect(calls.ListTagsForResource).toBe(1);
    expect(calls.UpdateService ?? 0).toBe(0);
    expect(calls.TagResource ?? 0).toBe(0);
    const svc = await cloudMap.send(new GetServiceCommand({ Id: serviceId }));
    expect(svc.Service?.DnsConfig?.DnsRecords).toEqual([{ Type: "A", TTL: 10 }]);
  });
});
