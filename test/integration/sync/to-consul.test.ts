/**
 * Cloud Map → Consul on the simulators (one ManualClock): a FargateService's Cloud Map service, with tasks that
 * ECS registers, shows in Consul with passing checks and the tags and meta asked for; an UNHEALTHY task is
 * critical (not gone); a stopped task leaves at once (ECS deregisters only stopped tasks); a hand-made service
 * follows the filters and prefix, and its vanished instance leaves only after the grace.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TagKey } from "../../../src/render/names.js";
import { syncNodeName } from "../../../src/sync/names.js";
import {
  checkStatusesOn,
  consulServicesOn,
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

/** A Cloud Map service shaped as the FargateService reconciler makes it, with the Consul tags it adds. */
async function fargateServiceRegistry(name: string, tags: Record<string, string>) {
  return bed.aws.cloudMap.createService({
    Name: name,
    NamespaceId: bed.namespace.id,
    CreatorRequestId: `fs-${name}`,
    DnsConfig: {
      RoutingPolicy: "MULTIVALUE",
      DnsRecords: [
        { Type: "A", TTL: 10 },
        { Type: "SRV", TTL: 10 },
      ],
    },
    HealthCheckCustomConfig: {},
    Tags: Object.entries({
      [TagKey.Uid]: `fs-uid-${name}`,
      [TagKey.Namespace]: "default",
      [TagKey.Name]: name,
      ...tags,
    }).map(([Key, Value]) => ({ Key, Value })),
  });
}

async function ecsService(name: string, registryArn: string, desiredCount: number) {
  const td = await bed.aws.ecs.registerTaskDefinition({
    family: `default-${name}`,
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: "256",
    memory: "512",
    containerDefinitions: [{ name: "app", image: `${name}:1`, portMappings: [{ containerPort: 8080 }] }],
  });
  await bed.aws.ecs.createService({
    cluster: "apps",
    serviceName: `default-${name}`,
    taskDefinition: td.arn,
    desiredCount,
    launchType: "FARGATE",
    networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-1"], securityGroups: ["sg-1"] } },
    serviceRegistries: [{ registryArn, port: 8080 }],
  });
}

const registrationsNamed = (name: string) => consulServicesOn(bed, node).filter((s) => s.Service === name);

describe("Cloud Map → Consul", () => {
  it("mirrors a FargateService's tasks with passing checks, tags and meta; UNHEALTHY is critical", async () => {
    const registry = await fargateServiceRegistry("web", {
      [TagKey.ConsulRegister]: "true",
      [TagKey.ConsulName]: "web-api",
      [TagKey.ConsulTags]: "v1 blue",
      [`${TagKey.ConsulMetaPrefix}team`]: "payments",
    });
    await ecsService("web", registry.arn, 2);
    const engine = await bed.engine({
      toConsul: { enabled: true, include: [], exclude: [], prefix: "ecs-" },
    });
    await within(bed.clock, 5_000, () => registrationsNamed("ecs-web-api").length === 2);

    const [first] = registrationsNamed("ecs-web-api");
    expect(first).toMatchObject({
      Tags: ["v1", "blue"],
      Port: 8080,
      Meta: expect.objectContaining({
        team: "payments",
        "fargate-operator-sync": UID,
        "external-source": "fargate-operator",
        "cloudmap-service-id": registry.id,
        "cloudmap-namespace": bed.namespace.dnsName,
      }),
    });
    expect(first?.Address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const statuses = () => registrationsNamed("ecs-web-api").map((s) => checkStatusesOn(bed, node)[s.ID]);
    expect(statuses()).toEqual(["passing", "passing"]);
    // What the FargateService reconciler reads for ConsulRegistered.
    await within(bed.clock, 3_000, () => engine.report().toConsul[0]?.passing === 2);
    expect(engine.report().toConsul).toEqual([
      {
        cloudMapServiceId: registry.id,
        cloudMapName: "web",
        consulName: "ecs-web-api",
        instances: 2,
        passing: 2,
      },
    ]);
    // The Consul name resolves through the health endpoint as any client would ask.
    expect((await bed.consul.healthService("ecs-web-api")).value).toHaveLength(2);

    const taskId = first?.Meta["cloudmap-instance-id"] ?? "";
    await bed.aws.cloudMap.updateInstanceCustomHealthStatus(registry.id, taskId, "UNHEALTHY");
    await within(bed.clock, 2_000, () => statuses().filter((s) => s === "critical").length === 1);
    expect(registrationsNamed("ecs-web-api")).toHaveLength(2);

    // Scale in: ECS stops a task and deregisters it; Consul follows at once, not after the 30 s grace.
    await bed.aws.ecs.updateService({ cluster: "apps", service: "default-web", desiredCount: 1 });
    const took = await within(bed.clock, 5_000, () => registrationsNamed("ecs-web-api").length === 1);
    expect(took).toBeLessThan(30_000);
  });

  it("removes at once the entries of a Cloud Map service deleted while no engine ran (the orphan sweep's case)", async () => {
    const registry = await fargateServiceRegistry("gone", { [TagKey.ConsulRegister]: "true" });
    await ecsService("gone", registry.arn, 2);
    const first = await bed.engine({ deleteGraceMs: 600_000 });
    await within(bed.clock, 5_000, () => registrationsNamed("gone").length === 2);
    await first.stop();

    // While no engine runs, the service and its tasks go (as the sweep deletes them): ECS service first, then
    // the instances, then the Cloud Map service.
    await bed.aws.ecs.updateService({ cluster: "apps", service: "default-gone", desiredCount: 0 });
    await bed.aws.ecs.deleteService("apps", "default-gone");
    for (const id of await bed.aws.cloudMap.listInstanceIds(registry.id))
      await bed.aws.cloudMap.deregisterInstance(registry.id, id);
    await passTime(bed.clock, 2_000);
    await bed.aws.cloudMap.deleteService(registry.id);
    expect(registrationsNamed("gone")).toHaveLength(2);

    // A new engine never listed that service; the entries still go, long before the 10-minute grace.
    await bed.engine({ deleteGraceMs: 600_000 });
    const took = await within(bed.clock, 10_000, () => registrationsNamed("gone").length === 0);
    expect(took).toBeLessThan(10_000);
  });

  it("leaves a FargateService alone unless consul-register is true, and follows the tag when it changes", async () => {
    const registry = await fargateServiceRegistry("quiet", {});
    await ecsService("quiet", registry.arn, 1);
    await bed.engine({}, { tuning: { resyncMs: 10_000 } });
    await passTime(bed.clock, 5_000);
    expect(registrationsNamed("quiet")).toHaveLength(0);
    await bed.aws.cloudMap.tagResource(registry.arn, { [TagKey.ConsulRegister]: "true" });
    // Tags are re-read at every resync.
    await within(bed.clock, 12_000, () => registrationsNamed("quiet").length === 1);
    await bed.aws.cloudMap.untagResource(registry.arn, [TagKey.ConsulRegister]);
    // Asked no more: removed on purpose, at the next read of the tags.
    await within(bed.clock, 12_000, () => registrationsNamed("quiet").length === 0);
  });

  it("follows include/exclude and the prefix for hand-made services; a vanished instance goes after the grace", async () => {
    const make = async (name: string) => {
      const svc = await bed.aws.cloudMap.createService({
        Name: name,
        NamespaceId: bed.namespace.id,
        DnsConfig: { RoutingPolicy: "MULTIVALUE", DnsRecords: [{ Type: "A", TTL: 60 }] },
      });
      await bed.aws.cloudMap.registerInstance(svc.id, "i-1", { AWS_INSTANCE_IPV4: "10.9.0.1" });
      await bed.aws.cloudMap.registerInstance(svc.id, "i-2", { AWS_INSTANCE_IPV4: "10.9.0.2" });
      return svc;
    };
    const legacy = await make("legacy-db");
    await make("legacy-test");
    await make("other");
    const toConsul = { enabled: true, include: ["legacy-*"], exclude: ["*-test"], prefix: "cm-" };
    await bed.engine({ toConsul, deleteGraceMs: 30_000 });
    await within(bed.clock, 3_000, () => registrationsNamed("cm-legacy-db").length === 2);
    expect(
      consulServicesOn(bed, node)
        .map((s) => s.Service)
        .sort(),
    ).toEqual(["cm-legacy-db", "cm-legacy-db"]);
    // No health check in Cloud Map: UNKNOWN, which is passing.
    expect(registrationsNamed("cm-legacy-db").map((s) => checkStatusesOn(bed, node)[s.ID])).toEqual([
      "passing",
      "passing",
    ]);

    await bed.aws.cloudMap.deregisterInstance(legacy.id, "i-2");
    await passTime(bed.clock, 29_000);
    expect(registrationsNamed("cm-legacy-db")).toHaveLength(2);
    await within(bed.clock, 3_000, () => registrationsNamed("cm-legacy-db").length === 1);

    // The service deleted on purpose (Cloud Map allows that only once it is empty): everything goes at once.
    await bed.aws.cloudMap.deregisterInstance(legacy.id, "i-1");
    await bed.aws.cloudMap.deleteService(legacy.id);
    const took = await within(bed.clock, 5_000, () => registrationsNamed("cm-legacy-db").length === 0);
    expect(took).toBeLessThan(30_000);
  });
});
