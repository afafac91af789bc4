/**
 * `fargatectl catalog-sync` (a CatalogSync with placement: task) in process, on DynamoDB Local, the AWS simulator
 * and the Consul simulator: its engine's status transitions and Cloud Map writes are recorded as events of its
 * CatalogSync, and what waits is written when it stops.
 */
import { EventEmitter } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { createAwsGateways } from "../../../src/aws/index.js";
import { runCatalogSyncCommand } from "../../../src/cli/commands/catalog-sync.js";
import { applyDefaults } from "../../../src/crds/defaults.js";
import { type AwsSimulator, startAwsSimulator } from "../../../src/dev/aws-sim/index.js";
import { type ConsulSimulator, startConsulSimulator } from "../../../src/dev/consul-sim/index.js";
import type { DynamoResourceStore } from "../../../src/store/dynamo-store.js";
import { endpointOf, freshStore, TEST_CREDENTIALS, TEST_REGION } from "../../support/store-fixtures.js";
import { catalogSyncDoc, conditionOf } from "./catalog-sync-bench.js";
import { until } from "./support.js";

/** Polls an async condition in real time (a system-clock test), for round trips, never for timing claims. */
async function eventually(condition: () => Promise<boolean>, what: string, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let store: DynamoResourceStore | undefined;
let awsSim: AwsSimulator | undefined;
let consulSim: ConsulSimulator | undefined;
afterEach(async () => {
  store?.destroy();
  await awsSim?.stop();
  await consulSim?.stop();
});

describe("fargatectl catalog-sync", () => {
  it("records its CatalogSync's events in the table", async () => {
    const s = await freshStore(endpointOf("dynamodbLocalEndpoint"));
    store = s;
    awsSim = await startAwsSimulator({ operationSeconds: 0.1 });
    consulSim = await startConsulSimulator();
    consulSim.control.registerService({ name: "vault", port: 8200, address: "10.0.10.5", node: "vault-1" });
    const aws = createAwsGateways({
      region: TEST_REGION,
      endpoints: { serviceDiscovery: awsSim.endpoint },
      credentials: TEST_CREDENTIALS,
    });
    const op = await aws.cloudMap.createPrivateDnsNamespace({
      name: "apps.internal",
      vpc: "vpc-0a1b2c3d4e5f60718",
      creatorRequestId: "apps-internal",
      tags: {},
    });
    let namespaceId = "";
    await eventually(async () => {
      const state = await aws.cloudMap.getOperation(op);
      namespaceId = state.status === "SUCCESS" ? (state.targets.NAMESPACE ?? "") : "";
      return namespaceId !== "";
    }, "the Cloud Map namespace");
    aws.destroy();
    const record = await s.create(
      applyDefaults(
        catalogSyncDoc("apps-internal", "platform", "apps-internal", {
          placement: "task",
          toCloudMap: { include: ["vault"] },
          toConsul: { enabled: false },
        }),
      ),
    );
    const signals = new EventEmitter();
    let started = false;
    const exit = runCatalogSyncCommand(
      {
        owner: "platform/apps-internal",
        "owner-uid": record.metadata.uid,
        "cloud-map-namespace-id": namespaceId,
        "cloud-map-dns-name": "apps.internal",
        "consul-address": consulSim.address,
        "to-cloud-map-include": "vault",
        "to-consul": "false",
        table: s.tableName,
        "log-level": "silent",
      },
      {
        AWS_ENDPOINT_URL_SERVICEDISCOVERY: awsSim.endpoint,
        AWS_ENDPOINT_URL_DYNAMODB: endpointOf("dynamodbLocalEndpoint"),
      },
      { credentials: TEST_CREDENTIALS, signals, onStarted: () => (started = true) },
    );
    await until(() => started, "the engine");
    await eventually(
      async () =>
        conditionOf(await s.get("CatalogSync", "platform", "apps-internal"), "Ready")?.reason === "Syncing",
      "Ready=Syncing",
    );
    signals.emit("SIGTERM");
    expect(await exit).toBe(0);
    const events = await s.events.list({
      namespace: "platform",
      involved: { kind: "CatalogSync", name: "apps-internal" },
    });
    expect(events.map((e) => `${e.type} ${e.reason}`)).toEqual(
      expect.arrayContaining(["Normal Syncing", "Normal CloudMapServiceCreated"]),
    );
    expect(events.find((e) => e.reason === "CloudMapServiceCreated")?.message).toBe(
      "created Cloud Map service vault",
    );
  });
});
