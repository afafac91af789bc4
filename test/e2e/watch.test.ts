/** `fargatectl watch` / `get -w` against DynamoDB Local: lines per change, and a clean exit 0 on SIGTERM. */
import { spawn } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { runWatch } from "../../src/cli/commands/watch.js";
import { readyConditions, reconcilingConditions, setConditions } from "../../src/reconcilers/conditions.js";
import type { DynamoResourceStore } from "../../src/store/dynamo-store.js";
import { endpointOf, freshStore, TEST_REGION, waitFor } from "../support/store-fixtures.js";
import { captureContext, cli, serviceYaml, specDir } from "./cli-support.js";

async function report(
  store: DynamoResourceStore,
  name: string,
  status: Record<string, unknown>,
): Promise<void> {
  const current = await store.get("FargateService", "default", name);
  await store.updateStatus("FargateService", "default", name, status, current.metadata.resourceVersion);
}

describe("fargatectl watch", () => {
  let store: DynamoResourceStore;
  beforeAll(async () => {
    store = await freshStore(endpointOf("dynamodbLocalEndpoint"));
  });

  it("prints the records, then a line per change of conditions and rollout, until the signal aborts (exit 0)", async () => {
    const dir = await specDir({ "web.yaml": serviceYaml("web") });
    await cli(store, "apply", "-f", dir);
    const ctx = captureContext(store);
    const stop = new AbortController();
    const watching = runWatch(ctx, {
      kind: "fs",
      namespace: "default",
      allNamespaces: false,
      signal: stop.signal,
      intervalMs: 50,
    });
    const lines = () => ctx.output().out.split("\n").filter(Boolean);
    await waitFor(() => (lines().length >= 2 ? true : undefined), "the first listing");
    expect(lines()[0]).toMatch(/^NAME\s+READY\s+REASON\s+REPLICAS\s+ROLLOUT\s+OBSERVED\/GEN\s+MESSAGE$/);
    expect(lines()[1]).toMatch(/^fargateservice\/web\s+-\s+-\s+0\/1\s+-\s+-\/1$/);

    await report(store, "web", {
      observedGeneration: 1,
      conditions: setConditions(
        [],
        reconcilingConditions(1, "RolloutInProgress", "0 of 1 tasks running"),
        new Date(),
      ),
      replicas: { desired: 1, running: 0, pending: 1 },
      rollout: { state: "IN_PROGRESS", deploymentId: "ecs-svc/1", startedAt: new Date().toISOString() },
    });
    await waitFor(() => (lines().length >= 3 ? true : undefined), "the rollout line");
    expect(lines()[2]).toMatch(
      /^fargateservice\/web\s+False\s+RolloutInProgress\s+0\/1\s+IN_PROGRESS\s+1\/1\s+0 of 1 tasks running$/,
    );

    await report(store, "web", {
      observedGeneration: 1,
      conditions: setConditions(
        [],
        readyConditions(1, "RolloutCompleted", "1 of 1 tasks running"),
        new Date(),
      ),
      replicas: { desired: 1, running: 1, pending: 0 },
      rollout: { state: "COMPLETED", deploymentId: "ecs-svc/1", startedAt: new Date().toISOString() },
    });
    await waitFor(() => (lines().length >= 4 ? true : undefined), "the ready line");
    expect(lines()[3]).toMatch(/^fargateservice\/web\s+True\s+RolloutCompleted\s+1\/1\s+COMPLETED/);

    await store.delete("FargateService", "default", "web");
    await waitFor(() => (lines().length >= 5 ? true : undefined), "the deleted line");
    expect(lines()[4]).toMatch(/^fargateservice\/web\s+Deleted\s/);

    stop.abort();
    expect(await watching).toBe(0);
    expect(lines()).toHaveLength(5);
  });

  it("returns 2 for an unknown kind, as watch and as get -w", async () => {
    expect((await cli(store, "watch", "pods")).code).toBe(2);
    expect((await cli(store, "get", "pods", "-w")).code).toBe(2);
  });

  it("runs as `get -w` in a process and exits 0 on SIGTERM", async () => {
    const env: Record<string, string | undefined> = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith("AWS_ENDPOINT_URL")) delete env[key];
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "src/cli/run.ts", "get", "fs", "-w", "-n", "team-w"],
      {
        env: {
          ...env,
          AWS_ENDPOINT_URL_DYNAMODB: endpointOf("dynamodbLocalEndpoint"),
          AWS_REGION: TEST_REGION,
          AWS_ACCESS_KEY_ID: "test",
          AWS_SECRET_ACCESS_KEY: "test",
          FARGATE_OPERATOR_TABLE: store.tableName,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await waitFor(() => (out.startsWith("NAME") ? true : undefined), `the header (stderr: ${err})`, 30_000);
      const dir = await specDir({ "api.yaml": serviceYaml("api") });
      await cli(store, "apply", "-f", dir, "-n", "team-w");
      await waitFor(
        () => (out.includes("fargateservice/api") ? true : undefined),
        "the new record's line",
        30_000,
      );
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(out).not.toContain("\u001b["); // a pipe gets plain lines, no ANSI
  });
});
