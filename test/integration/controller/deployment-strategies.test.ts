/**
 * A CANARY deployment end to end on the AWS simulator (issue 15, "Done when"): an image change behind a target
 * group shows each step in `status.rollout` (scale-up, the canary share, all traffic, the bake), reaches Ready
 * only once the 5-minute bake is over, and an alarm set to ALARM during the bake rolls the deployment back and
 * the record reports RolloutFailed naming the alarm. Time is the simulator's ManualClock (simulated minutes).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadDocuments } from "../../../src/cli/input.js";
import type { ResourceDocument, StoredResource } from "../../../src/store/types.js";
import { conditionOf, isReady, type ReconcileBench, startReconcileBench } from "./reconcile-harness.js";

const TG = "arn:aws:elasticloadbalancing:eu-west-1:000000000000:targetgroup/web/0123456789abcdef";
const TG_GREEN = "arn:aws:elasticloadbalancing:eu-west-1:000000000000:targetgroup/web-green/0123456789abcdef";
const RULE =
  "arn:aws:elasticloadbalancing:eu-west-1:000000000000:listener-rule/app/web/0123456789abcdef/0123456789abcdef/0123456789abcdef";
const ELB_ROLE = "arn:aws:iam::000000000000:role/ecs-elb";
const ALARM = "web-5xx";

function webService(image: string): ResourceDocument {
  const doc = {
    apiVersion: "fargate-operator/v1alpha1",
    kind: "FargateService",
    metadata: { name: "web", namespace: "team-web" },
    spec: {
      cluster: "apps",
      cpu: 256,
      memory: 512,
      desiredCount: 2,
      containers: [{ name: "app", image, ports: [{ containerPort: 8080 }] }],
      network: { subnets: ["subnet-0a1b2c3d4e5f60718"], securityGroups: ["sg-0123456789abcdef0"] },
      loadBalancers: [
        {
          targetGroupArn: TG,
          containerName: "app",
          containerPort: 8080,
          advancedConfiguration: {
            alternateTargetGroupArn: TG_GREEN,
            productionListenerRule: RULE,
            roleArn: ELB_ROLE,
          },
        },
      ],
      deployment: {
        strategy: "CANARY",
        canaryConfiguration: { canaryPercent: 20, canaryBakeTimeInMinutes: 2 },
        bakeTimeInMinutes: 5,
        alarms: { alarmNames: [ALARM], enable: true, rollback: true },
        timeoutSeconds: 3600,
      },
    },
  };
  const loaded = loadDocuments([{ source: "web.json", text: JSON.stringify(doc) }]);
  const [first] = loaded.documents;
  if (loaded.errors.length > 0 || first === undefined) throw new Error(loaded.errors.join("\n"));
  return first.document;
}

/** What one pass left on the record. */
interface Snapshot {
  at: number;
  ready: string | undefined;
  reason: string | undefined;
  message: string | undefined;
  state: unknown;
  stage: unknown;
  traffic: unknown;
  bakeEndsAt: unknown;
}

let bench: ReconcileBench;
beforeEach(async () => {
  bench = await startReconcileBench();
});
afterEach(async () => {
  await bench.close();
});

function snapshot(record: StoredResource | undefined): Snapshot {
  const rollout = (record?.status?.rollout ?? {}) as Record<string, unknown>;
  const ready = conditionOf(record, "Ready");
  return {
    at: bench.clock.now(),
    ready: ready?.status,
    reason: ready?.reason,
    message: ready?.message,
    state: rollout.state,
    stage: rollout.stage,
    traffic: rollout.trafficPercent,
    bakeEndsAt: rollout.bakeEndsAt,
  };
}

/** Runs passes as the runtime would (each requeueAfter advances the clock) and records every pass's status. */
async function follow(until: (s: Snapshot) => boolean, onPass?: (s: Snapshot) => void): Promise<Snapshot[]> {
  const seen: Snapshot[] = [];
  for (let i = 0; i < 300; i += 1) {
    const result = await bench.pass("FargateService", "team-web", "web");
    const now = snapshot(await bench.read("FargateService", "team-web", "web"));
    seen.push(now);
    onPass?.(now);
    if (until(now)) return seen;
    await bench.clock.advance(result.type === "requeueAfter" ? result.ms : 1_000);
  }
  throw new Error(`no end after 300 passes; last ${JSON.stringify(seen.at(-1))}`);
}

/** Distinct (stage, traffic) steps in the order the status showed them. */
function steps(seen: Snapshot[]): string[] {
  const out: string[] = [];
  for (const s of seen) {
    const step = `${String(s.stage)}@${String(s.traffic)}`;
    if (s.state === "IN_PROGRESS" && out.at(-1) !== step) out.push(step);
  }
  return out;
}

describe("a CANARY deployment with alarms, on the simulator", () => {
  it("shows each step, is Ready only after the bake, and an alarm in the bake rolls back as RolloutFailed", async () => {
    await bench.store.apply(webService("registry.example/web:1"));
    await bench.converge("FargateService", "team-web", "web", isReady, 300);

    // An image change: the canary deployment, followed pass by pass.
    await bench.store.apply(webService("registry.example/web:2"));
    const rollout = await follow((s) => s.ready === "True");
    expect(steps(rollout)).toEqual(["SCALE_UP@0", "PRODUCTION_TRAFFIC_SHIFT@20", "BAKE_TIME@100"]);
    const baking = rollout.filter((s) => s.stage === "BAKE_TIME" && s.state === "IN_PROGRESS");
    expect(baking.length).toBeGreaterThan(1);
    for (const s of baking) expect(s).toMatchObject({ ready: "False", reason: "RolloutInProgress" });
    const bakeEndsAt = Date.parse(String(baking[0]?.bakeEndsAt));
    expect(bakeEndsAt - (baking[0]?.at ?? 0)).toBeLessThanOrEqual(5 * 60_000);
    const done = rollout.at(-1);
    expect(done?.at).toBeGreaterThanOrEqual(bakeEndsAt);
    expect(done).toMatchObject({ state: "COMPLETED", reason: "RolloutComplete", traffic: 100 });
    const record = await bench.read("FargateService", "team-web", "web");
    expect(record?.status?.rollout).toMatchObject({ strategy: "CANARY", state: "COMPLETED" });

    // Settled: passes read no service deployment and write no status.
    bench.sim.control.resetCounters();
    for (let i = 0; i < 3; i += 1) {
      await bench.pass("FargateService", "team-web", "web");
      await bench.clock.advance(60_000);
    }
    expect(bench.sim.control.counters()["ecs:DescribeServiceDeployments"]?.calls ?? 0).toBe(0);
    const settled = await bench.read("FargateService", "team-web", "web");
    expect(settled?.metadata.resourceVersion).toBe(record?.metadata.resourceVersion);

    // The next image: an alarm goes off in the bake.
    await bench.store.apply(webService("registry.example/web:3"));
    let alarmed = false;
    const failed = await follow(
      (s) => s.reason === "RolloutFailed",
      (s) => {
        if (!alarmed && s.stage === "BAKE_TIME") {
          bench.sim.control.setAlarm(ALARM, "ALARM");
          alarmed = true;
        }
      },
    );
    expect(alarmed).toBe(true);
    const last = failed.at(-1);
    expect(last).toMatchObject({ ready: "False", state: "FAILED" });
    expect(last?.message).toContain(`alarm ${ALARM} in ALARM during BAKE_TIME`);
    expect(last?.message).toMatch(/rolled back to .*team-web-web:2$/);
    const after = await bench.read("FargateService", "team-web", "web");
    expect(conditionOf(after, "Stalled")).toMatchObject({ status: "True", reason: "RolloutFailed" });
  });
});
