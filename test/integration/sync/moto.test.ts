/**
 * The Cloud Map calls the sync engine makes, against moto_server, asserting what moto does (where it departs from
 * AWS, see MOTO_KNOWN_WRONG in test/integration/aws-sim/contract.test.ts); then one engine (system clock, Consul
 * simulator) mirrors `vault` into a moto namespace.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { AwsNotFoundError } from "../../../src/aws/errors.js";
import type { AwsGateways } from "../../../src/aws/types.js";
import { systemClock } from "../../../src/clock.js";
import { ConsulClient } from "../../../src/consul/client.js";
import { startConsulSimulator } from "../../../src/dev/consul-sim/index.js";
import { silentLogger } from "../../../src/log.js";
import { createSyncEngine } from "../../../src/sync/index.js";
import { createMotoNetwork } from "../../support/moto-ec2.js";
import { gatewaysAt, rejectionOf } from "../aws/support.js";
import { engineConfig } from "./support.js";

const endpoint = inject("motoEndpoint");
const run = randomBytes(4).toString("hex");
let aws: AwsGateways;

beforeAll(() => {
  aws = gatewaysAt(endpoint).aws;
});
afterAll(() => {
  aws?.destroy();
});

async function namespace(name: string): Promise<{ id: string; dnsName: string }> {
  const { vpc } = await createMotoNetwork(endpoint, `sync-${name}-${run}`, "10.3");
  const dnsName = `${name}-${run}.internal`;
  const op = await aws.cloudMap.createPrivateDnsNamespace({
    name: dnsName,
    vpc,
    creatorRequestId: dnsName,
    tags: {},
  });
  // moto finishes operations at once.
  return { id: (await aws.cloudMap.getOperation(op)).targets.NAMESPACE ?? "", dnsName };
}

/** Polls an async condition in real time (system clock test), for round trips, never for timing claims. */
async function eventually(condition: () => Promise<boolean>, what: string, limitMs = 15_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("sync engine's Cloud Map calls on moto", () => {
  it("registers, lists, health-checks, discovers and deregisters instances as moto does", async () => {
    const ns = await namespace("calls");
    const svc = await aws.cloudMap.createService({
      Name: `calls-${run}`,
      NamespaceId: ns.id,
      DnsConfig: {
        RoutingPolicy: "MULTIVALUE",
        DnsRecords: [
          { Type: "A", TTL: 10 },
          { Type: "SRV", TTL: 10 },
        ],
      },
      HealthCheckCustomConfig: {},
      Tags: [{ Key: "fargate-operator:catalog-sync", Value: run }],
    });
    expect(svc.healthCheck).toBe("custom");
    const attributes = {
      AWS_INSTANCE_IPV4: "10.0.1.5",
      AWS_INSTANCE_PORT: "8200",
      "fargate-operator-sync": run,
    };
    expect(await aws.cloudMap.registerInstance(svc.id, "c-1", attributes)).toEqual(expect.any(String));
    await aws.cloudMap.registerInstance(svc.id, "c-2", { ...attributes, AWS_INSTANCE_IPV4: "10.0.1.6" });
    expect((await aws.cloudMap.listInstances(svc.id)).sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: "c-1", attributes },
      { id: "c-2", attributes: { ...attributes, AWS_INSTANCE_IPV4: "10.0.1.6" } },
    ]);
    // moto starts every instance HEALTHY, as AWS does for a custom health check.
    expect(await aws.cloudMap.getInstancesHealthStatus(svc.id)).toEqual({
      "c-1": "HEALTHY",
      "c-2": "HEALTHY",
    });
    const before = await aws.cloudMap.discoverInstancesRevision(ns.dnsName, `calls-${run}`);
    await aws.cloudMap.updateInstanceCustomHealthStatus(svc.id, "c-2", "UNHEALTHY");
    expect(await aws.cloudMap.getInstancesHealthStatus(svc.id)).toEqual({
      "c-1": "HEALTHY",
      "c-2": "UNHEALTHY",
    });
    // Health does not move the revision (AWS documents it; moto agrees).
    expect(await aws.cloudMap.discoverInstancesRevision(ns.dnsName, `calls-${run}`)).toBe(before);

    await aws.cloudMap.deregisterInstance(svc.id, "c-2");
    // moto's revision is a sum over the remaining instances, so it can drop (MOTO_KNOWN_WRONG.revisionIncreases):
    // the engine compares revisions for equality only.
    expect(await aws.cloudMap.discoverInstancesRevision(ns.dnsName, `calls-${run}`)).not.toBe(before);
    expect((await aws.cloudMap.listInstances(svc.id)).map((i) => i.id)).toEqual(["c-1"]);
    // Deregistering what is already gone is fine; a missing service is not.
    await aws.cloudMap.deregisterInstance(svc.id, "c-2");
    expect(await rejectionOf(aws.cloudMap.deregisterInstance(`srv-none${run}`, "c-1"))).toBeInstanceOf(
      AwsNotFoundError,
    );

    await aws.cloudMap.tagResource(svc.arn, { extra: "1" });
    await aws.cloudMap.untagResource(svc.arn, ["extra"]);
    expect(await aws.cloudMap.listTags(svc.arn)).toEqual({ "fargate-operator:catalog-sync": run });
  });

  // moto's ListServices ignores the NAMESPACE_ID filter (every namespace's services come back, without a
  // NamespaceId, as ServiceSummary has none), so the names here are unique to this file's run.
  it("mirrors vault from Consul into a moto namespace", async () => {
    const ns = await namespace("engine");
    const vault = `vault-${run}`;
    const consulSim = await startConsulSimulator();
    const engine = createSyncEngine(
      engineConfig(ns, { toConsul: { enabled: false, include: [], exclude: [], prefix: "" } }),
      {
        consul: new ConsulClient({ address: consulSim.address }),
        cloudMap: aws.cloudMap,
        clock: systemClock,
        log: silentLogger(),
      },
    );
    try {
      consulSim.control.registerService({ name: vault, node: "n1", address: "10.0.1.5", port: 8200 });
      await engine.start();
      const instanceIds = async () => {
        const service = (await aws.cloudMap.listServices(ns.id)).find((s) => s.name === vault);
        return service === undefined ? [] : (await aws.cloudMap.listInstances(service.id)).map((i) => i.id);
      };
      await eventually(async () => (await instanceIds()).length === 1, "vault's instance in moto");
      // One CreateService, one RegisterInstance, and nothing more: writes only on change.
      await eventually(async () => engine.report().writes.toCloudMap === 2, "two writes");
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(engine.report().writes.toCloudMap).toBe(2);
      expect(engine.report().errors).toEqual({});
    } finally {
      await engine.stop();
      await consulSim.stop();
    }
  });
});
