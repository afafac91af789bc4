/**
 * boto3, a client nobody here wrote, reaches the simulator's Application Auto Scaling through the standard
 * AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING variable (as `fargatectl dev` exports it). boto3 ships with moto,
 * which the integration suites need anyway; without python3 and boto3 the test fails and says so.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEcsService } from "./autoscaling-support.js";
import { type SimHarness, startHarness } from "./support.js";

const run = promisify(execFile);

const SCRIPT = `
import json, boto3
aas = boto3.client("application-autoscaling")
target = dict(ServiceNamespace="ecs", ResourceId="service/apps/web", ScalableDimension="ecs:service:DesiredCount")
aas.register_scalable_target(MinCapacity=2, MaxCapacity=5, **target)
aas.put_scaling_policy(PolicyName="cpu", PolicyType="TargetTrackingScaling",
    TargetTrackingScalingPolicyConfiguration={"TargetValue": 60.0,
        "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}}, **target)
targets = aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
policies = aas.describe_scaling_policies(ServiceNamespace="ecs", ResourceId="service/apps/web")["ScalingPolicies"]
try:
    aas.put_scaling_policy(PolicyName="x", ServiceNamespace="ecs", ResourceId="service/apps/ghost",
        ScalableDimension="ecs:service:DesiredCount", PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={"TargetValue": 50.0,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}})
    error = None
except aas.exceptions.ObjectNotFoundException as e:
    error = e.response["Error"]["Code"]
print(json.dumps({
    "targets": [[t["ResourceId"], t["MinCapacity"], t["MaxCapacity"]] for t in targets],
    "policies": [[p["PolicyName"], p["TargetTrackingScalingPolicyConfiguration"]["TargetValue"]] for p in policies],
    "error": error,
}))
`;

let h: SimHarness;
beforeAll(async () => {
  h = await startHarness({ mode: "strict" });
});
afterAll(async () => {
  await h.close();
});

async function python(args: string[], env: Record<string, string>): Promise<string> {
  try {
    return (await run("python3", args, { env, timeout: 60_000 })).stdout;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(
      `python3 with boto3 is needed for this test (boto3 comes with moto: pip install 'moto[server]'): ${detail}`,
      { cause: error },
    );
  }
}

describe("boto3 against the simulator's Application Auto Scaling", () => {
  it("registers a target and a policy and describes them through AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING", async () => {
    await createEcsService(h.ecs, "apps", "web", 1);
    // Only what a shell with `fargatectl dev`'s exports has: no generic endpoint, so boto3 must use ours.
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING: h.sim.endpoint,
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    };
    await python(["-c", "import boto3"], env);
    const out = JSON.parse(await python(["-c", SCRIPT], env)) as Record<string, unknown>;
    expect(out).toEqual({
      targets: [["service/apps/web", 2, 5]],
      policies: [["cpu", 60]],
      error: "ObjectNotFoundException",
    });
    // Registration with a minimum of 2 scaled the ECS service up, as AWS does.
    const svc = await h.ecs.send(new DescribeServicesCommand({ cluster: "apps", services: ["web"] }));
    expect(svc.services?.[0]?.desiredCount).toBe(2);
    expect(h.sim.control.counters()["application-autoscaling:RegisterScalableTarget"]?.succeeded).toBe(1);
  });
});
