import {
  CreateServiceCommand,
  type DeploymentConfiguration,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  ListServiceDeploymentsCommand,
  RegisterTaskDefinitionCommand,
  type Service,
  type ServiceDeployment,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fargateTaskDefinition, network, type SimHarness, startHarness } from "./support.js";

const MINUTE = 60_000;
const TARGET_GROUP = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef";
const loadBalancers = [{ targetGroupArn: TARGET_GROUP, containerName: "app", containerPort: 8080 }];

let h: SimHarness;
beforeEach(async () => {
  // Tasks run 2 s after launch and are healthy targets 1 s later; stops take 1 s.
  h = await startHarness({ rolloutSeconds: 2, stopSeconds: 1, targetRegistrationSeconds: 1 });
});
afterEach(async () => {
  await h.close();
});

async function describe1(): Promise<Service> {
  const out = await h.ecs.send(new DescribeServicesCommand({ cluster: "apps", services: ["web"] }));
  const svc = out.services?.[0];
  if (svc === undefined) throw new Error("service web not found");
  return svc;
}

async function current(): Promise<ServiceDeployment> {
  const arn = (await describe1()).currentServiceDeployment;
  if (arn === undefined) throw new Error("no currentServiceDeployment");
  const out = await h.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
  const sd = out.serviceDeployments?.[0];
  if (sd === undefined) throw new Error(`service deployment ${arn} not found`);
  return sd;
}

/** What a dashboard would show of the current service deployment. */
async function view() {
  const sd = await current();
  const svc = await describe1();
  return {
    status: sd.status,
    stage: sd.lifecycleStage,
    traffic: sd.targetServiceRevision?.requestedProductionTrafficWeight,
    primary: svc.deployments
      ?.find((d) => d.status === "PRIMARY")
      ?.taskDefinition?.split("/")
      .pop(),
    rolloutState: svc.deployments?.find((d) => d.status === "PRIMARY")?.rolloutState,
    running: svc.runningCount,
  };
}

async function register(image: string): Promise<string> {
  const out = await h.ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition("web", image)));
  return out.taskDefinition?.taskDefinitionArn ?? "";
}

/** Creates `web` (2 tasks behind a target group) with `deployment` and lets its first deployment finish. */
async function createSettled(deployment: DeploymentConfiguration): Promise<void> {
  await h.ecs.send(
    new CreateServiceCommand({
      cluster: "apps",
      serviceName: "web",
      taskDefinition: await register("web:1"),
      desiredCount: 2,
      launchType: "FARGATE",
      networkConfiguration: network,
      loadBalancers,
      deploymentConfiguration: deployment,
    }),
  );
  h.clock.advanceSync(60 * MINUTE);
  expect(await view()).toMatchObject({ status: "SUCCESSFUL", rolloutState: "COMPLETED", running: 2 });
}

async function deploy(image: string): Promise<void> {
  await h.ecs.send(
    new UpdateServiceCommand({ cluster: "apps", service: "web", taskDefinition: await register(image) }),
  );
}

describe("ECS deployment strategies on the simulator (ManualClock)", () => {
  it("CANARY: canary share, canary bake, all traffic, deployment bake, then blue stops", async () => {
    await createSettled({
      strategy: "CANARY",
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 2 },
      bakeTimeInMinutes: 5,
    });
    await deploy("web:2");
    expect(await view()).toMatchObject({
      status: "IN_PROGRESS",
      stage: "SCALE_UP",
      traffic: 0,
      primary: "web:2",
    });

    // Green runs after 2 s but is a healthy target only 1 s later: still scaling up at 2.5 s.
    h.clock.advanceSync(2_500);
    expect((await view()).stage).toBe("SCALE_UP");
    h.clock.advanceSync(500);
    expect(await view()).toMatchObject({ stage: "PRODUCTION_TRAFFIC_SHIFT", traffic: 10, running: 4 });

    h.clock.advanceSync(2 * MINUTE - 1);
    expect((await view()).traffic).toBe(10);
    h.clock.advanceSync(1);
    expect(await view()).toMatchObject({
      stage: "BAKE_TIME",
      traffic: 100,
      rolloutState: "IN_PROGRESS",
      running: 4,
    });

    h.clock.advanceSync(5 * MINUTE - 1);
    expect(await view()).toMatchObject({ stage: "BAKE_TIME", rolloutState: "IN_PROGRESS" });
    h.clock.advanceSync(1);
    expect((await view()).stage).toBe("CLEAN_UP");
    h.clock.advanceSync(1_000);
    expect(await view()).toMatchObject({
      status: "SUCCESSFUL",
      rolloutState: "COMPLETED",
      running: 2,
      traffic: 100,
    });
    const svc = await describe1();
    expect(svc.deployments?.map((d) => d.taskDefinition?.split("/").pop())).toEqual(["web:2"]);
    expect(
      svc.events?.some((e) => e.message?.includes(`registered 1 targets in (target-group ${TARGET_GROUP})`)),
    ).toBe(true);
  });

  it("LINEAR: traffic moves in stepPercent steps every stepBakeTimeInMinutes", async () => {
    await createSettled({
      strategy: "LINEAR",
      linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 1 },
      bakeTimeInMinutes: 0,
    });
    await deploy("web:2");
    h.clock.advanceSync(3_000);
    const seen: (number | undefined)[] = [(await view()).traffic];
    for (let step = 0; step < 3; step += 1) {
      h.clock.advanceSync(MINUTE);
      seen.push((await view()).traffic);
    }
    expect(seen).toEqual([25, 50, 75, 100]);
    h.clock.advanceSync(1_000);
    expect(await view()).toMatchObject({ status: "SUCCESSFUL", rolloutState: "COMPLETED", running: 2 });
  });

  it("BLUE_GREEN: an alarm in ALARM during the bake hands traffic back to blue and names the alarm", async () => {
    await createSettled({
      strategy: "BLUE_GREEN",
      bakeTimeInMinutes: 10,
      alarms: { alarmNames: ["web-5xx", "web-latency"], enable: true, rollback: true },
    });
    await deploy("web:2");
    h.clock.advanceSync(3_000);
    expect(await view()).toMatchObject({ stage: "BAKE_TIME", traffic: 100, primary: "web:2" });
    h.clock.advanceSync(MINUTE);

    h.sim.control.setAlarm("web-latency", "ALARM");
    const sd = await current();
    expect(sd.status).toBe("ROLLBACK_IN_PROGRESS");
    expect(sd.alarms).toMatchObject({ status: "TRIGGERED", triggeredAlarmNames: ["web-latency"] });
    expect(sd.targetServiceRevision?.requestedProductionTrafficWeight).toBe(0);
    const svc = await describe1();
    const failed = svc.deployments?.find((d) => d.taskDefinition?.endsWith("web:2"));
    expect(failed).toMatchObject({ status: "ACTIVE", rolloutState: "FAILED" });
    expect(failed?.rolloutStateReason).toContain("web-latency");
    expect(svc.deployments?.find((d) => d.status === "PRIMARY")?.taskDefinition).toMatch(/web:1$/);

    h.clock.advanceSync(1_000);
    expect((await current()).status).toBe("ROLLBACK_SUCCESSFUL");
    expect(await view()).toMatchObject({ primary: "web:1", rolloutState: "COMPLETED", running: 2 });
    const listed = await h.ecs.send(new ListServiceDeploymentsCommand({ cluster: "apps", service: "web" }));
    expect(listed.serviceDeployments?.map((d) => d.status)).toEqual(["ROLLBACK_SUCCESSFUL", "SUCCESSFUL"]);
  });

  it("an alarm that is not in the deployment's list, or an OK one, changes nothing", async () => {
    await createSettled({
      strategy: "BLUE_GREEN",
      bakeTimeInMinutes: 1,
      alarms: { alarmNames: ["web-5xx"], enable: true, rollback: true },
    });
    await deploy("web:2");
    h.sim.control.setAlarm("other-service-5xx", "ALARM");
    h.sim.control.setAlarm("web-5xx", "OK");
    h.clock.advanceSync(5 * MINUTE);
    expect(await view()).toMatchObject({ status: "SUCCESSFUL", primary: "web:2", rolloutState: "COMPLETED" });
  });

  it("a failing lifecycle hook rolls back and names its stage; a passing one is reported SUCCEEDED", async () => {
    const good = "arn:aws:lambda:us-east-1:123456789012:function:smoke";
    const bad = "arn:aws:lambda:us-east-1:123456789012:function:check-traffic";
    const role = "arn:aws:iam::123456789012:role/ecs-hooks";
    await createSettled({
      strategy: "BLUE_GREEN",
      bakeTimeInMinutes: 1,
      lifecycleHooks: [
        { hookTargetArn: good, roleArn: role, lifecycleStages: ["POST_SCALE_UP"] },
        { hookTargetArn: bad, roleArn: role, lifecycleStages: ["POST_PRODUCTION_TRAFFIC_SHIFT"] },
      ],
    });
    h.sim.control.failHook(bad, true);
    await deploy("web:2");
    h.clock.advanceSync(3_000);
    const sd = await current();
    expect(sd.status).toBe("ROLLBACK_IN_PROGRESS");
    expect(sd.statusReason).toBe(`Lifecycle hook ${bad} failed at POST_PRODUCTION_TRAFFIC_SHIFT.`);
    expect(sd.lifecycleHookDetails?.map((d) => [d.targetArn, d.status])).toEqual([
      [good, "SUCCEEDED"],
      [bad, "FAILED"],
    ]);
  });

  it("ROLLING behind a target group completes only once the new tasks are healthy targets", async () => {
    await createSettled({ minimumHealthyPercent: 100, maximumPercent: 200 });
    await deploy("web:2");
    h.clock.advanceSync(2_000);
    // The new tasks run but are not registered yet: the old ones keep serving.
    expect(await view()).toMatchObject({ rolloutState: "IN_PROGRESS", running: 4 });
    h.clock.advanceSync(1_000);
    h.clock.advanceSync(1_000);
    expect(await view()).toMatchObject({ status: "SUCCESSFUL", rolloutState: "COMPLETED", running: 2 });
  });

  it("ROLLING with alarms bakes after steady state and rolls back when an alarm fires", async () => {
    await createSettled({
      bakeTimeInMinutes: 3,
      alarms: { alarmNames: ["web-5xx"], enable: true, rollback: true },
      deploymentCircuitBreaker: { enable: true, rollback: true },
    });
    await deploy("web:2");
    h.clock.advanceSync(10_000);
    expect(await view()).toMatchObject({ stage: "BAKE_TIME", rolloutState: "IN_PROGRESS", primary: "web:2" });
    h.sim.control.setAlarm("web-5xx", "ALARM");
    const svc = await describe1();
    expect(svc.deployments?.find((d) => d.status === "PRIMARY")?.taskDefinition).toMatch(/web:1$/);
    expect((await current()).status).toBe("ROLLBACK_IN_PROGRESS");
    h.clock.advanceSync(10_000);
    expect((await current()).status).toBe("ROLLBACK_SUCCESSFUL");
  });

  it("the /_sim control endpoint sets alarms and failing hooks over HTTP", async () => {
    const call = async (method: string, path: string, body?: object) => {
      const res = await fetch(`${h.sim.endpoint}/_sim/${path}`, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect(await call("PUT", "alarms", { name: "web-5xx", state: "ALARM" })).toEqual({
      status: 200,
      body: { alarms: { "web-5xx": "ALARM" } },
    });
    expect((await call("PUT", "alarms", { name: "web-5xx", state: "RED" })).status).toBe(400);
    const hook = "arn:aws:lambda:us-east-1:123456789012:function:smoke";
    expect((await call("POST", "failing-hooks", { hookTargetArn: hook })).body).toEqual({
      hookTargetArns: [hook],
    });
    expect((await call("DELETE", "failing-hooks", { hookTargetArn: hook })).body).toEqual({
      hookTargetArns: [],
    });
    expect((await call("GET", "alarms")).body).toEqual({ alarms: { "web-5xx": "ALARM" } });
  });
});
