/**
 * `adopt: true` takes only resources that carry no `fargate-operator:*` tag at all (DESIGN 11, NamespacePolicy,
 * "Whatever the policy says"), on every adopt path, on the simulator: an ECS service with nothing but a
 * deletion-policy tag, a Cloud Map service with nothing but a Consul-mirror tag, a Cloud Map namespace tagged by a
 * catalog sync. Each is refused and left exactly as it was.
 */
import { CreateServiceCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import { TagKey } from "../../../src/render/names.js";
import { PermanentError } from "../../../src/runtime/errors.js";
import type { ResourceDocument } from "../../../src/store/types.js";
import { clientsFor } from "../aws-sim/support.js";
import {
  applyConsulAwsCatalogSync,
  conditionOf,
  exampleDocuments,
  isReady,
  type ReconcileBench,
  startReconcileBench,
} from "./reconcile-harness.js";

let bench: ReconcileBench | undefined;
afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

const PAYMENTS = ["FargateService", "team-payments", "payments-api"] as const;

async function start(): Promise<{ b: ReconcileBench; payments: ResourceDocument; namespaceId: string }> {
  const b = await startReconcileBench();
  bench = b;
  const [namespace] = await exampleDocuments("namespaces.yaml");
  const [payments] = await exampleDocuments("services/payments-api.yaml");
  if (namespace === undefined || payments === undefined) throw new Error("examples changed");
  await b.store.apply(namespace);
  const ready = await b.converge("CloudMapNamespace", "platform", "apps-internal", isReady);
  await applyConsulAwsCatalogSync(b.store);
  payments.spec.adopt = true;
  return { b, payments, namespaceId: String(ready?.status?.namespaceId) };
}

const stalledWith = (reason: string) => (r: Parameters<typeof conditionOf>[0]) =>
  conditionOf(r, "Ready")?.reason === reason;

describe("adopt: true never takes a resource with a fargate-operator tag", () => {
  it("an ECS service tagged only with a deletion policy", async () => {
    const { b, payments } = await start();
    const { ecs } = clientsFor(b.sim.endpoint);
    try {
      const registered = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: "hand-made",
          requiresCompatibilities: ["FARGATE"],
          networkMode: "awsvpc",
          cpu: "256",
          memory: "512",
          containerDefinitions: [{ name: "app", image: "nginx:1.27" }],
        }),
      );
      await ecs.send(
        new CreateServiceCommand({
          cluster: "apps",
          serviceName: "team-payments-payments-api",
          taskDefinition: registered.taskDefinition?.taskDefinitionArn,
          desiredCount: 1,
          launchType: "FARGATE",
          networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-1"], securityGroups: ["sg-1"] } },
          tags: [{ key: TagKey.DeletionPolicy, value: "Retain" }],
        }),
      );
    } finally {
      ecs.destroy();
    }
    await b.store.apply(payments);
    b.sim.control.resetCounters();
    const record = await b.converge(...PAYMENTS, stalledWith("NameConflict"));
    expect(conditionOf(record, "Stalled")?.status).toBe("True");
    const counters = b.sim.control.counters();
    for (const write of [
      "ecs:UpdateService",
      "ecs:TagResource",
      "ecs:CreateService",
      "ecs:RegisterTaskDefinition",
    ])
      expect(counters[write]?.calls ?? 0, write).toBe(0);
    const live = await b.aws.ecs.describeService("apps", "team-payments-payments-api", { maxAgeMs: 0 });
    expect(live?.tags).toEqual([{ key: TagKey.DeletionPolicy, value: "Retain" }]);
  });

  it("a Cloud Map service tagged only with a Consul-mirror instruction", async () => {
    const { b, payments, namespaceId } = await start();
    const foreign = await b.aws.cloudMap.createService({
      Name: "payments-api",
      NamespaceId: namespaceId,
      DnsConfig: { RoutingPolicy: "MULTIVALUE", DnsRecords: [{ Type: "A", TTL: 60 }] },
      Tags: [{ Key: TagKey.ConsulRegister, Value: "true" }],
    });
    await b.store.apply(payments);
    const record = await b.converge(...PAYMENTS, stalledWith("NameConflict"));
    expect(conditionOf(record, "Ready")?.message).toMatch(/Cloud Map service payments-api/);
    expect(await b.aws.cloudMap.listTags(foreign.arn)).toEqual({ [TagKey.ConsulRegister]: "true" });
    expect((await b.aws.cloudMap.getService(foreign.id)).dnsRecords).toEqual([{ Type: "A", TTL: 60 }]);

    // Its deletion leaves the service alone.
    await b.store.delete(...PAYMENTS);
    await b.converge(...PAYMENTS, (r) => r === undefined);
    expect(await b.aws.cloudMap.listTags(foreign.arn)).toEqual({ [TagKey.ConsulRegister]: "true" });
  });

  it("a Cloud Map namespace tagged by a catalog sync", async () => {
    const { b } = await start();
    const operation = await b.aws.cloudMap.createPrivateDnsNamespace({
      name: "synced.internal",
      vpc: "vpc-0a1b2c3d4e5f60718",
      creatorRequestId: "someone-else",
      tags: { [TagKey.SyncOwner]: "uid-of-a-catalog-sync" },
    });
    await b.clock.advance(2_000);
    await b.store.apply({
      apiVersion: "fargate-operator/v1alpha1",
      kind: "CloudMapNamespace",
      metadata: { name: "synced", namespace: "team-payments" },
      spec: { dnsName: "synced.internal", vpcId: "vpc-0a1b2c3d4e5f60718", adopt: true },
    });
    const refused = await b.pass("CloudMapNamespace", "team-payments", "synced").then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(PermanentError);
    expect((refused as PermanentError).message).toMatch(/never adopted/);
    const { targets } = await b.aws.cloudMap.getOperation(operation);
    const live = await b.aws.cloudMap.getNamespace(String(targets.NAMESPACE));
    expect(await b.aws.cloudMap.listTags(live.arn)).toEqual({
      [TagKey.SyncOwner]: "uid-of-a-catalog-sync",
    });
  });
});
