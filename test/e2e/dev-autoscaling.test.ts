/**
 * The autoscaling acceptance run on `fargatectl dev` (issue 15): boto3, with only the stack's exports, sees the
 * storefront example's scalable target and policy; once the scaler sets the count (fed through the simulator's
 * metric hook), an image rollout keeps it; deleting the record removes the target. Needs python3 with boto3
 * (it comes with moto); without them the test fails and says so.
 */
import { type ChildProcess, execFile } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { startDev, stopDevAfterFailure } from "./dev-support.js";

const run = promisify(execFile);

const SCRIPT = `
import json, boto3
aas = boto3.client("application-autoscaling")
ecs = boto3.client("ecs")
rid = "service/apps/default-storefront"
targets = aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[rid])["ScalableTargets"]
policies = aas.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=rid)["ScalingPolicies"]
services = ecs.describe_services(cluster="apps", services=["default-storefront"])["services"]
print(json.dumps({
    "targets": [[t["MinCapacity"], t["MaxCapacity"]] for t in targets],
    "policies": sorted(p["PolicyName"] for p in policies),
    "desiredCount": services[0]["desiredCount"] if services and services[0]["status"] == "ACTIVE" else None,
}))
`;

describe("autoscaling on fargatectl dev", () => {
  let child: ChildProcess | undefined;
  afterAll(() => stopDevAfterFailure(child), 30_000);

  it("boto3 sees the target and policy; a rollout keeps the scaler's count; deletion removes the target", async () => {
    const dev = await startDev();
    child = dev.child;
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      ...dev.env,
    };
    const cli = (...args: string[]) =>
      run(process.execPath, ["--import", "tsx", "src/cli/run.ts", ...args], { env }).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e: { code?: number; stdout?: string; stderr?: string }) => ({
          code: e.code ?? -1,
          stdout: e.stdout ?? "",
          stderr: e.stderr ?? "",
        }),
      );
    const boto3 = async () => {
      try {
        const { stdout } = await run("python3", ["-c", SCRIPT], { env, timeout: 60_000 });
        return JSON.parse(stdout) as { targets: number[][]; policies: string[]; desiredCount: number | null };
      } catch (error) {
        throw new Error(`python3 with boto3 is needed (pip install 'moto[server]'): ${String(error)}`, {
          cause: error,
        });
      }
    };
    const waitReady = async () => {
      const waited = await cli("wait", "fs/storefront", "--for", "condition=Ready", "--timeout", "90s");
      expect(waited.code, waited.stderr).toBe(0);
    };

    await waitReady();
    expect(await boto3()).toEqual({
      targets: [[2, 8]],
      policies: ["fargate-operator-cpu", "fargate-operator-memory"],
      desiredCount: 2,
    });

    // The scaler acts: 90% CPU on 2 tasks against a 60% target wants 3.
    const fed = await fetch(`${dev.env.AWS_ENDPOINT_URL_ECS}/_sim/autoscaling/metrics`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ cluster: "apps", service: "default-storefront", metric: "cpu", value: 90 }),
    });
    expect(fed.status).toBe(200);
    expect((await boto3()).desiredCount).toBe(3);

    // An image rollout through the CLI, as a user would apply it.
    const dir = await mkdtemp(join(tmpdir(), "fo-scale-"));
    try {
      const example = await readFile("examples/services/storefront.yaml", "utf8");
      await writeFile(join(dir, "storefront.yaml"), example.replace("nginx:1.27", "nginx:1.28"));
      const applied = await cli("apply", "-f", join(dir, "storefront.yaml"));
      expect(applied.code, applied.stderr).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await waitReady();
    const yaml = await cli("get", "fs", "storefront", "-o", "yaml");
    expect(yaml.stdout).toMatch(/taskDefinitionArn: .*default-storefront:2/);
    expect((await boto3()).desiredCount).toBe(3);

    const deleted = await cli("delete", "fs", "storefront");
    expect(deleted.code, deleted.stderr).toBe(0);
    const gone = await cli("wait", "fs/storefront", "--for", "delete", "--timeout", "90s");
    expect(gone.code, gone.stderr).toBe(0);
    expect((await boto3()).targets).toEqual([]);

    dev.child.kill("SIGTERM");
    const [code] = (await once(dev.child, "exit")) as [number | null];
    expect(code).toBe(0);
  }, 150_000); // a whole dev stack and three rollouts on two shared cores
});
