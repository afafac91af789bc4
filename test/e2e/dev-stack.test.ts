/** `fargatectl dev` as a user runs it: exports, a ready line, a usable stack, and a clean stop on SIGTERM. */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);

/** Starts `fargatectl dev` and resolves with the export lines once it prints `ready`. */
async function startDev(): Promise<{
  child: ChildProcess;
  env: Record<string, string>;
  stdout: () => string;
}> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli/run.ts", "dev", "--status-interval", "500ms"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (/^ready/m.test(stdout)) resolve();
    });
    child.once("exit", (code) => reject(new Error(`dev exited early (${code}): ${stderr}`)));
  });
  await ready;
  const env: Record<string, string> = {};
  for (const match of stdout.matchAll(/^export ([A-Z_]+)=(.*)$/gm)) env[match[1] ?? ""] = match[2] ?? "";
  return { child, env, stdout: () => stdout };
}

describe("fargatectl dev", () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
  });

  it("prints the exports another shell needs, serves the examples, and stops cleanly on SIGTERM", async () => {
    const dev = await startDev();
    child = dev.child;
    for (const name of [
      "AWS_ENDPOINT_URL_ECS",
      "AWS_ENDPOINT_URL_SERVICEDISCOVERY",
      "AWS_ENDPOINT_URL_DYNAMODB",
      "AWS_ENDPOINT_URL_DYNAMODB_STREAMS",
      "AWS_REGION",
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "FARGATE_OPERATOR_TABLE",
      "CONSUL_HTTP_ADDR",
    ]) {
      expect(dev.env[name], name).toBeTruthy();
    }
    // Another shell, with only the exports, sees the applied examples.
    const { stdout } = await run(process.execPath, ["--import", "tsx", "src/cli/run.ts", "get", "fs", "-A"], {
      env: { PATH: process.env.PATH ?? "", ...dev.env },
    });
    expect(stdout).toContain("payments-api");
    expect(stdout).toContain("hello");
    // The Consul simulator answers with the vault service registered.
    const services = (await (
      await fetch(`http://${dev.env.CONSUL_HTTP_ADDR}/v1/catalog/services`)
    ).json()) as Record<string, unknown>;
    expect(Object.keys(services)).toContain("vault");

    dev.child.kill("SIGTERM");
    const [code] = (await once(dev.child, "exit")) as [number | null];
    expect(code).toBe(0);
    // Every server it started is gone: the ports refuse connections.
    await expect(fetch(`http://${dev.env.CONSUL_HTTP_ADDR}/v1/status/leader`)).rejects.toThrow();
    await expect(fetch(dev.env.AWS_ENDPOINT_URL_DYNAMODB ?? "")).rejects.toThrow();
  });
});
