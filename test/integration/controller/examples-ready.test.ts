/**
 * `fargatectl controller` (in process, real reconcilers) against the AWS and Consul simulators drives every
 * example in `examples/` to Ready under the example NamespacePolicies: the namespaces first, the CatalogSyncs (apps-internal runs its engine in the
 * controller, data-internal gets its `-sync` task), then each FargateService through its rollout and, with
 * `consul.register`, its mirror into Consul. The AWS simulator runs on the wall clock at 10× speed, as the local
 * stack would, so this also exercises the requeue timings.
 */
import { EventEmitter } from "node:events";
import { readdir, readFile } from "node:fs/promises";
import { Writable } from "node:stream";
import { afterEach, describe, expect, inject, it } from "vitest";
import { loadDocuments } from "../../../src/cli/input.js";
import type { Condition } from "../../../src/crds/meta.js";
import { type AwsSimulator, startAwsSimulator } from "../../../src/dev/aws-sim/index.js";
import { type ConsulSimulator, startConsulSimulator } from "../../../src/dev/consul-sim/index.js";
import { runControllerCommand } from "../../../src/reconcilers/command.js";
import { findCondition } from "../../../src/reconcilers/conditions.js";
import type { DynamoResourceStore } from "../../../src/store/dynamo-store.js";
import type { StoredResource } from "../../../src/store/types.js";
import { freshStore, TEST_CREDENTIALS } from "../../support/store-fixtures.js";

const EXAMPLES = new URL("../../../examples/", import.meta.url);

async function exampleSources(): Promise<Array<{ source: string; text: string }>> {
  const files = [
    "namespace-policies.yaml",
    "namespaces.yaml",
    "catalog-sync.yaml",
    ...(await readdir(new URL("services/", EXAMPLES))).map((f) => `services/${f}`),
  ];
  return Promise.all(
    files.map(async (f) => ({ source: f, text: await readFile(new URL(f, EXAMPLES), "utf8") })),
  );
}

function readyNow(record: StoredResource): boolean {
  const ready = findCondition(record.status?.conditions as Condition[] | undefined, "Ready");
  return ready?.status === "True" && ready.observedGeneration === record.metadata.generation;
}

describe("fargatectl controller against the simulators", () => {
  let store: DynamoResourceStore | undefined;
  let sim: AwsSimulator | undefined;
  let consul: ConsulSimulator | undefined;
  afterEach(async () => {
    store?.destroy();
    await sim?.stop();
    await consul?.stop();
  });

  it("drives every example namespace and service to Ready", async () => {
    const s = await freshStore(inject("dynamodbLocalEndpoint"));
    store = s;
    sim = await startAwsSimulator({ timeScale: 10 });
    consul = await startConsulSimulator();
    consul.control.registerService({ name: "vault", port: 8200, address: "10.0.10.5", node: "vault-1" });
    const loaded = loadDocuments(await exampleSources());
    expect(loaded.errors).toEqual([]);
    for (const { document } of loaded.documents) await s.apply(document);
    const signals = new EventEmitter();
    const exit = runControllerCommand(
      {
        "metrics-address": "127.0.0.1:0",
        "lease-name": "examples",
        "lease-duration": "1.5s",
        "lease-heartbeat": "500ms",
        "watch-poll-interval": "100ms",
        "rollout-poll-interval": "300ms",
        table: s.tableName,
      },
      {
        AWS_ENDPOINT_URL_ECS: sim.endpoint,
        AWS_ENDPOINT_URL_SERVICEDISCOVERY: sim.endpoint,
        AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING: sim.endpoint,
        CONSUL_HTTP_ADDR: consul.address,
        // The data-internal example reads its token from a secret under this prefix.
        FARGATE_OPERATOR_CONSUL_TOKEN_SECRET_PREFIXES:
          "arn:aws:secretsmanager:eu-west-1:123456789012:secret:consul/",
      },
      {
        credentials: TEST_CREDENTIALS,
        store: s,
        leases: s.leases,
        syncOwners: s.syncOwners,
        signals,
        logDestination: new Writable({ write: (_chunk, _enc, cb) => cb() }),
      },
    );
    const deadline = Date.now() + 50_000;
    let pending: string[] = [];
    while (Date.now() < deadline) {
      const records = [
        // Every example runs under the example policies, which report Ready themselves.
        ...(await s.list("NamespacePolicy")),
        ...(await s.list("CloudMapNamespace")),
        ...(await s.list("FargateService")),
        // data-internal's engine runs in its Fargate task: only the dev stack's task runner gives that a process
        // (test/e2e/dev-examples.test.ts); here the simulated task runs nothing.
        ...(await s.list("CatalogSync")).filter((r) => r.metadata.name !== "data-internal"),
      ];
      pending = records
        .filter((r) => !readyNow(r))
        .map((r) => `${r.kind} ${r.metadata.namespace}/${r.metadata.name}`);
      if (records.length > 0 && pending.length === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(pending).toEqual([]);
    const services = await s.list("FargateService");
    expect(services.map((r) => r.metadata.name).sort()).toEqual([
      "data-internal-sync",
      "hello",
      "ledger",
      "payments-api",
      "storefront",
    ]);
    const ledger = await s.get("FargateService", "team-payments", "ledger");
    expect(ledger.status?.endpoints).toMatchObject({ cloudMap: "ledger.apps.internal" });
    const payments = await s.get("FargateService", "team-payments", "payments-api");
    expect(findCondition(payments.status?.conditions as Condition[], "ConsulRegistered")?.status).toBe(
      "True",
    );
    const sync = await s.get("CatalogSync", "platform", "apps-internal");
    const mirrored = (sync.status?.sync as { toCloudMap?: Array<{ cloudMapName: string }> } | undefined)
      ?.toCloudMap;
    expect(mirrored?.map((m) => m.cloudMapName)).toEqual(["vault"]);
    const data = await s.get("CatalogSync", "platform", "data-internal");
    expect(data.status?.childServiceName).toBe("data-internal-sync");
    signals.emit("SIGTERM");
    expect(await exit).toBe(0);
  });
});
