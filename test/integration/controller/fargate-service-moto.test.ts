/**
 * The reconcilers' AWS calls against moto (the third-party check, DESIGN 8): create, update and delete succeed
 * and the resources have the shapes we expect. moto cannot roll out (no Fargate capacity: running stays 0, the
 * deployment stays IN_PROGRESS), so these passes end at Reconciling/RolloutInProgress, never Ready; rollouts are
 * covered on the simulator.
 */
import { randomUUID } from "node:crypto";
import {
  CreateClusterCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
} from "@aws-sdk/client-ecs";
import {
  DeleteServiceCommand,
  GetServiceCommand,
  ServiceDiscoveryClient,
} from "@aws-sdk/client-servicediscovery";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createAwsGateways } from "../../../src/aws/index.js";
import type { AwsGateways, CloudMapGateway } from "../../../src/aws/types.js";
import { ManualClock } from "../../../src/clock.js";
import { type Kind, resourceKey } from "../../../src/crds/meta.js";
import { silentLogger } from "../../../src/log.js";
import { cloudMapNamespaceReconciler } from "../../../src/reconcilers/cloud-map-namespace/reconciler.js";
import { fargateServiceReconciler } from "../../../src/reconcilers/fargate-service/reconciler.js";
import { CreationTimestamps } from "../../../src/runtime/creation-timestamps.js";
import type { KindReconciler } from "../../../src/runtime/reconciler.js";
import { ConflictError, NotFoundError } from "../../../src/store/errors.js";
import type { DynamoResourceStore } from "../../../src/store/index.js";
import type { ResourceDocument, StoredResource } from "../../../src/store/types.js";
import { createMotoNetwork } from "../../support/moto-ec2.js";
import { freshStore, TEST_CREDENTIALS, TEST_REGION } from "../../support/store-fixtures.js";
import {
  conditionOf,
  exampleDocuments,
  isReady,
  setImage,
  TEST_FARGATE_SETTINGS,
} from "./reconcile-harness.js";

const suffix = randomUUID().slice(0, 8);
const CLUSTER = `moto-${suffix}`;
const NAMESPACE = `moto-${suffix}`;

let store: DynamoResourceStore;
let aws: AwsGateways;
let ecs: ECSClient;
let cloudMap: ServiceDiscoveryClient;
let reconcilers: Record<"FargateService" | "CloudMapNamespace", KindReconciler>;
const clock = new ManualClock();
/** The FargateService reconciler's Cloud Map gateway calls, by method name. */
const cloudMapCalls: string[] = [];
let network: { vpc: string; subnet: string; securityGroup: string };

beforeAll(async () => {
  const endpoint = inject("motoEndpoint");
  store = await freshStore(inject("dynamodbLocalEndpoint"));
  aws = createAwsGateways({
    region: TEST_REGION,
    endpoints: { ecs: endpoint, serviceDiscovery: endpoint },
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
    clock,
    ecsBuckets: false,
  });
  const common = { endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 };
  ecs = new ECSClient(common);
  cloudMap = new ServiceDiscoveryClient({ ...common, disableHostPrefix: true });
  // moto, like AWS, needs the cluster to exist (the simulator's lenient mode creates it on first use).
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  network = await createMotoNetwork(endpoint, `fs-${suffix}`, "10.42");
  reconcilers = {
    FargateService: fargateServiceReconciler({
      store,
      ecs: aws.ecs,
      cloudMap: counted(aws.cloudMap),
      clock,
      settings: TEST_FARGATE_SETTINGS,
    }),
    CloudMapNamespace: cloudMapNamespaceReconciler({ store, cloudMap: aws.cloudMap, clock }),
  };
});

/** The gateway, noting each method called in `cloudMapCalls`. */
function counted(gateway: CloudMapGateway): CloudMapGateway {
  return new Proxy(gateway, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        cloudMapCalls.push(String(property));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

afterAll(() => {
  aws?.destroy();
  ecs?.destroy();
  cloudMap?.destroy();
  store?.destroy();
});

async function read(kind: Kind, name: string): Promise<StoredResource | undefined> {
  try {
    return await store.get(kind, NAMESPACE, name);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

const creationTimestamps = new CreationTimestamps();

/** Runs passes (advancing the fake clock by each requeue) until `until` holds. */
async function converge(
  kind: "FargateService" | "CloudMapNamespace",
  name: string,
  until: (r?: StoredResource) => boolean,
) {
  for (let i = 0; i < 30; i += 1) {
    let delay = 1_000;
    try {
      const result = await reconcilers[kind].reconcile(
        resourceKey(kind, NAMESPACE, name),
        new AbortController().signal,
        {
          log: silentLogger(),
          reconcileId: `moto-${i}`,
          cache: { get: () => undefined, list: () => [] },
          retries: 0,
          creationTimestamps,
        },
      );
      if (result.type === "requeueAfter") delay = result.ms;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
    const record = await read(kind, name);
    if (until(record)) return record;
    await clock.advance(delay);
  }
  throw new Error(`${kind} ${name} did not converge on moto`);
}

/** One pass of the FargateService `name` (a conflict is retried by the next). */
async function passOnce(name: string): Promise<void> {
  await reconcilers.FargateService.reconcile(
    resourceKey("FargateService", NAMESPACE, name),
    new AbortController().signal,
    {
      log: silentLogger(),
      reconcileId: "moto-once",
      cache: { get: () => undefined, list: () => [] },
      retries: 0,
      creationTimestamps,
    },
  ).catch((error: unknown) => {
    if (!(error instanceof ConflictError)) throw error;
  });
}

async function documents(): Promise<{ namespace: ResourceDocument; service: ResourceDocument }> {
  const [namespace] = await exampleDocuments("namespaces.yaml");
  const [service] = await exampleDocuments("services/payments-api.yaml");
  if (namespace === undefined || service === undefined) throw new Error("examples changed");
  namespace.metadata.namespace = NAMESPACE;
  namespace.spec.dnsName = `${suffix}.moto.internal`;
  namespace.spec.vpcId = network.vpc;
  service.metadata.namespace = NAMESPACE;
  service.spec.cluster = CLUSTER;
  service.spec.network = {
    subnets: [network.subnet],
    securityGroups: [network.securityGroup],
    assignPublicIp: false,
  };
  const discovery = service.spec.discovery as { cloudMap: { namespaceRef: { namespace?: string } } };
  discovery.cloudMap.namespaceRef.namespace = NAMESPACE;
  return { namespace, service };
}

describe("FargateService reconciler on moto", () => {
  it("creates, updates and deletes with the shapes we expect", async () => {
    const { namespace, service } = await documents();
    await store.apply(namespace);
    const ns = await converge("CloudMapNamespace", "apps-internal", isReady);
    expect(ns?.status?.namespaceId).toMatch(/^ns-/);

    await store.apply(service);
    const created = await converge(
      "FargateService",
      "payments-api",
      (r) => r?.status?.serviceArn !== undefined,
    );
    // moto never runs a task: the rollout stays in progress, so Ready is False and Reconciling True.
    expect(conditionOf(created, "Ready")?.status).toBe("False");
    expect(conditionOf(created, "Reconciling")).toMatchObject({
      status: "True",
      reason: "RolloutInProgress",
    });
    const status = created?.status ?? {};
    expect(status.endpoints).toEqual({
      cloudMap: `payments-api.${suffix}.moto.internal`,
      consul: "payments-api.service.consul",
    });

    const td = await ecs.send(
      new DescribeTaskDefinitionCommand({
        taskDefinition: String(status.taskDefinitionArn),
        include: ["TAGS"],
      }),
    );
    expect(td.taskDefinition?.family).toBe(`${NAMESPACE}-payments-api`);
    expect(td.taskDefinition?.requiresCompatibilities).toEqual(["FARGATE"]);
    expect(td.taskDefinition?.networkMode).toBe("awsvpc");
    expect(td.taskDefinition?.containerDefinitions?.map((c) => c.name)).toEqual(["api", "vault-agent"]);
    expect(td.tags?.map((t) => t.key)).toEqual(
      expect.arrayContaining(["fargate-operator:uid", "fargate-operator:hash"]),
    );
    const svc = (
      await ecs.send(
        new DescribeServicesCommand({
          cluster: CLUSTER,
          services: [`${NAMESPACE}-payments-api`],
          include: ["TAGS"],
        }),
      )
    ).services?.[0];
    expect(svc?.launchType).toBe("FARGATE");
    expect(svc?.taskDefinition).toBe(status.taskDefinitionArn);
    expect(svc?.networkConfiguration?.awsvpcConfiguration?.subnets).toEqual([network.subnet]);
    const registry = status.cloudMap as { serviceArn: string; serviceId: string };
    expect(svc?.serviceRegistries?.[0]?.registryArn).toBe(registry.serviceArn);
    const cm = await cloudMap.send(new GetServiceCommand({ Id: registry.serviceId }));
    expect(cm.Service?.DnsConfig?.RoutingPolicy).toBe("MULTIVALUE");
    expect(cm.Service?.DnsConfig?.DnsRecords).toEqual([{ Type: "A", TTL: 10 }]);

    const changed = structuredClone(service);
    setImage(changed, "payments-api:2.15.0");
    await store.apply(changed);
    const updated = await converge("FargateService", "payments-api", (r) =>
      String(r?.status?.taskDefinitionArn).endsWith(":2"),
    );
    const after = (
      await ecs.send(
        new DescribeServicesCommand({ cluster: CLUSTER, services: [`${NAMESPACE}-payments-api`] }),
      )
    ).services?.[0];
    expect(after?.taskDefinition).toBe(updated?.status?.taskDefinitionArn);

    await store.delete("FargateService", NAMESPACE, "payments-api");
    await converge("FargateService", "payments-api", (r) => r === undefined);
    const gone = (
      await ecs.send(
        new DescribeServicesCommand({ cluster: CLUSTER, services: [`${NAMESPACE}-payments-api`] }),
      )
    ).services?.[0];
    expect(gone?.status ?? "MISSING").not.toBe("ACTIVE");
    await expect(cloudMap.send(new GetServiceCommand({ Id: registry.serviceId }))).rejects.toThrow();
    const active = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: `${NAMESPACE}-payments-api`, status: "ACTIVE" }),
    );
    expect(active.taskDefinitionArns).toEqual([]);
  });

  it("a later pass reads Cloud Map from the namespace's listing and the tags it knows; an out-of-band deletion is made good", async () => {
    const { namespace, service } = await documents();
    await store.apply(namespace);
    await converge("CloudMapNamespace", "apps-internal", isReady);
    const ledger = structuredClone(service);
    ledger.metadata.name = "ledger";
    await store.apply(ledger);
    const created = await converge(
      "FargateService",
      "ledger",
      (r) => r?.status?.serviceArn !== undefined && r.status.cloudMap !== undefined,
    );
    const before = created?.status?.cloudMap as { serviceId: string };
    // The steady-state max age (60 s) has passed: one listing of the namespace, no GetService, no tag read.
    cloudMapCalls.length = 0;
    await clock.advance(61_000);
    await passOnce("ledger");
    await passOnce("ledger");
    expect(cloudMapCalls.filter((c) => c === "listServices")).toHaveLength(1);
    expect(cloudMapCalls.filter((c) => c === "getService" || c === "listTags")).toEqual([]);

    await cloudMap.send(new DeleteServiceCommand({ Id: before.serviceId }));
    await clock.advance(61_000);
    const after = await converge(
      "FargateService",
      "ledger",
      (r) => (r?.status?.cloudMap as { serviceId?: string } | undefined)?.serviceId !== before.serviceId,
    );
    const made = String((after?.status?.cloudMap as { serviceId?: string } | undefined)?.serviceId);
    expect((await cloudMap.send(new GetServiceCommand({ Id: made }))).Service?.Name).toBe("ledger");

    await store.delete("FargateService", NAMESPACE, "ledger");
    await converge("FargateService", "ledger", (r) => r === undefined);
  });
});
