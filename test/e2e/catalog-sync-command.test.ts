/**
 * `fargatectl catalog-sync` as a sync task runs it: a separate process with its config in
 * FARGATE_OPERATOR_SYNC_CONFIG, against the Consul and AWS simulators and DynamoDB Local. It syncs `vault` into
 * Cloud Map, reports onto the CatalogSync's status, holds the namespace's sync lease, and on SIGTERM releases
 * the lease and exits 0 with no process left.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { afterEach, describe, expect, inject, it } from "vitest";
import { createAwsGateways } from "../../src/aws/index.js";
import type { AwsGateways } from "../../src/aws/types.js";
import { SYNC_CONFIG_ENV, type SyncTaskConfig } from "../../src/config/catalog-sync.js";
import { API_VERSION } from "../../src/crds/meta.js";
import { type AwsSimulator, startAwsSimulator } from "../../src/dev/aws-sim/index.js";
import { type ConsulSimulator, startConsulSimulator } from "../../src/dev/consul-sim/index.js";
import type { DynamoResourceStore } from "../../src/store/index.js";
import { syncLeaseName } from "../../src/sync/index.js";
import { freshStore, TEST_CREDENTIALS, TEST_REGION } from "../support/store-fixtures.js";

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(
  what: string,
  read: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(100);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("fargatectl catalog-sync", () => {
  let child: ChildProcess | undefined;
  let awsSim: AwsSimulator | undefined;
  let consulSim: ConsulSimulator | undefined;
  let store: DynamoResourceStore | undefined;
  let aws: AwsGateways | undefined;
  afterEach(async () => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    aws?.destroy();
    store?.destroy();
    await consulSim?.stop();
    await awsSim?.stop();
  });

  it("syncs vault into Cloud Map, reports on the status, and exits 0 on SIGTERM", async () => {
    awsSim = await startAwsSimulator({ throttling: false, timeScale: 10 });
    consulSim = await startConsulSimulator();
    store = await freshStore(inject("dynamodbLocalEndpoint"));
    const gateways = createAwsGateways({
      region: TEST_REGION,
      endpoints: { serviceDiscovery: awsSim.endpoint, ecs: awsSim.endpoint },
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
    });
    aws = gateways;
    consulSim.control.registerService({ name: "vault", port: 8200, address: "10.0.10.5", node: "vault-1" });
    const operation = await gateways.cloudMap.createPrivateDnsNamespace({
      name: "apps.internal",
      vpc: "vpc-1",
      creatorRequestId: "e2e",
      tags: {},
    });
    const namespaceId = await eventually("the namespace", async () => {
      const op = await gateways.cloudMap.getOperation(operation);
      return op.status === "SUCCESS" ? op.targets.NAMESPACE : undefined;
    });
    const record = await store.create({
      apiVersion: API_VERSION,
      kind: "CatalogSync",
      metadata: { name: "apps-internal", namespace: "platform" },
      spec: { cloudMapNamespaceRef: { name: "apps-internal" } },
    });
    const config: SyncTaskConfig = {
      owner: { uid: record.metadata.uid, namespace: "platform", name: "apps-internal" },
      cloudMapNamespace: { id: namespaceId, dnsName: "apps.internal" },
      toCloudMap: { enabled: true, include: ["vault"], exclude: [], prefix: "" },
      toConsul: { enabled: true, include: [], exclude: [], prefix: "" },
      pollIntervalMs: 1_000,
      deleteGraceMs: 30_000,
      consul: { address: consulSim.address },
    };
    const endpoint = inject("dynamodbLocalEndpoint");
    let stderr = "";
    const started = spawn(process.execPath, ["--import", "tsx", "src/cli/run.ts", "catalog-sync"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        PATH: process.env.PATH,
        [SYNC_CONFIG_ENV]: JSON.stringify(config),
        AWS_REGION: TEST_REGION,
        AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_SERVICEDISCOVERY: awsSim.endpoint,
        AWS_ENDPOINT_URL_DYNAMODB: endpoint,
        FARGATE_OPERATOR_TABLE: store.tableName,
        FARGATE_OPERATOR_LEASE_DURATION: "3s",
        FARGATE_OPERATOR_LEASE_HEARTBEAT: "1s",
        FARGATE_OPERATOR_IDENTITY: "e2e-task",
        FARGATE_OPERATOR_AWS_MAX_ATTEMPTS: "1",
      },
    });
    child = started;
    started.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    started.stdout?.resume();
    const exited = new Promise<number | null>((resolve) => started.once("exit", (code) => resolve(code)));
    const pid = started.pid ?? -1;

    const vault = await eventually("vault in Cloud Map", async () => {
      const services = await gateways.cloudMap.listServices(namespaceId);
      const found = services.find((s) => s.name === "vault");
      if (found === undefined) return undefined;
      const instances = await gateways.cloudMap.listInstances(found.id);
      return instances.length === 1 ? instances : undefined;
    });
    expect(vault[0]?.attributes).toMatchObject({ AWS_INSTANCE_IPV4: "10.0.10.5", AWS_INSTANCE_PORT: "8200" });
    const status = await eventually("the report on the status", async () => {
      const current = await store?.get("CatalogSync", "platform", "apps-internal");
      const sync = current?.status?.sync as { toCloudMap?: Array<{ cloudMapName: string }> } | undefined;
      return sync?.toCloudMap?.some((m) => m.cloudMapName === "vault") ? current?.status : undefined;
    });
    expect(status).toMatchObject({ sync: { writer: true } });
    expect(await store.leases.readLease(syncLeaseName(namespaceId))).toMatchObject({
      holder: `e2e-task/${record.metadata.uid}`,
    });

    started.kill("SIGTERM");
    const code = await Promise.race([exited, delay(15_000).then(() => "timeout" as const)]);
    expect(code, stderr).toBe(0);
    expect(alive(pid)).toBe(false);
    expect(await store.leases.readLease(syncLeaseName(namespaceId))).toBeUndefined();
    // What it made stays: a stopped task is not a deleted CatalogSync.
    expect((await gateways.cloudMap.listServices(namespaceId)).map((s) => s.name)).toContain("vault");
  });
});
