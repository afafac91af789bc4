/**
 * SIGTERM on a real `fargatectl controller` process: it exits 0 and releases its lease. Spawns the CLI's
 * process entry (src/cli/run.ts) through tsx against DynamoDB Local.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { DynamoResourceStore } from "../../../src/store/dynamo-store.js";
import { endpointOf, freshStore, TEST_CREDENTIALS, TEST_REGION } from "../../support/store-fixtures.js";
import { until } from "./support.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

describe("fargatectl controller process", () => {
  let child: ChildProcess | undefined;
  let store: DynamoResourceStore | undefined;
  afterEach(() => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    store?.destroy();
  });

  it("exits 0 on SIGTERM with the lease released", async () => {
    const endpoint = endpointOf("dynamodbLocalEndpoint");
    const s = await freshStore(endpoint);
    store = s;
    const proc = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "src/cli/run.ts",
        "--table",
        s.tableName,
        "--endpoint-url",
        endpoint,
        "controller",
        "--metrics-address",
        "127.0.0.1:0",
        "--lease-name",
        "sigterm",
        "--lease-duration",
        "1.5s",
        "--lease-heartbeat",
        "500ms",
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
          AWS_REGION: TEST_REGION,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child = proc;
    let stdout = "";
    let stderr = "";
    proc.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString("utf8");
    });
    proc.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString("utf8");
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      proc.on("exit", (code, signal) => resolve({ code, signal })),
    );

    await until(
      () => stdout.includes('"became leader"') || proc.exitCode !== null,
      "the controller to lead",
      30_000,
    );
    expect(proc.exitCode, `controller exited early:\n${stderr}`).toBeNull();
    const listening = stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === "health and metrics server listening");
    expect((await fetch(`http://127.0.0.1:${String(listening?.port)}/healthz`)).status).toBe(200);
    expect((await s.leases.readLease("sigterm"))?.holder).toBeTruthy();

    proc.kill("SIGTERM");
    const { code, signal } = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(await s.leases.readLease("sigterm")).toBeUndefined();
    expect(stdout).toContain('"lease released"');
  });
});
