/** spec.autoscaling validation: the schema's shape and the cross-field rules, each with its path and a hint. */
import { describe, expect, it } from "vitest";
import { formatPath, validateDocument } from "../../../src/crds/index.js";
import { scheduleProblem } from "../../../src/crds/rules-autoscaling.js";
import { minimalService } from "./helpers.js";

const TG = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef";
const LB = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/front/fedcba9876543210";

function withAutoscaling(autoscaling: unknown, extra: Record<string, unknown> = {}) {
  const doc = minimalService();
  Object.assign(doc.spec as Record<string, unknown>, { autoscaling, ...extra });
  return doc;
}

/** `path: message` of every issue (empty when valid); every issue carries a hint. */
function issues(doc: unknown): string[] {
  const result = validateDocument(doc);
  if (result.ok) return [];
  for (const i of result.issues) expect(i.hint.length).toBeGreaterThan(0);
  return result.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
}

describe("spec.autoscaling", () => {
  it("accepts the full shape with every metric, cooldowns and schedules", () => {
    const doc = withAutoscaling(
      {
        minCount: 1,
        maxCount: 10,
        targetTracking: [
          { metric: "cpu", targetValue: 60, scaleInCooldownSeconds: 300, scaleOutCooldownSeconds: 60 },
          { metric: "memory", targetValue: 75, disableScaleIn: true },
          { metric: "albRequestCountPerTarget", targetValue: 1000, loadBalancerArn: LB },
        ],
        scheduled: [
          { name: "mornings", schedule: "cron(0 7 ? * MON-FRI *)", timezone: "Europe/Berlin", minCount: 4 },
          { name: "sale", schedule: "at(2030-11-27T00:00:00)", minCount: 6, maxCount: 20 },
          { name: "tick", schedule: "rate(5 minutes)", maxCount: 10 },
        ],
      },
      { loadBalancers: [{ targetGroupArn: TG, containerName: "web", containerPort: 80 }] },
    );
    doc.spec = {
      ...(doc.spec as Record<string, unknown>),
      containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 80 }] }],
    };
    expect(issues(doc)).toEqual([]);
  });

  it("needs minCount and maxCount, in order", () => {
    expect(issues(withAutoscaling({ minCount: 1 }))).toEqual([expect.stringContaining("spec.autoscaling")]);
    expect(issues(withAutoscaling({ minCount: 5, maxCount: 2 }))).toEqual([
      "spec.autoscaling.minCount: minCount (5) is above maxCount (2)",
    ]);
  });

  it("refuses an unknown metric, a targetValue of 0 and a percentage above 100", () => {
    expect(
      issues(
        withAutoscaling({ minCount: 1, maxCount: 2, targetTracking: [{ metric: "disk", targetValue: 5 }] }),
      ),
    ).toEqual([expect.stringContaining("spec.autoscaling.targetTracking[0].metric")]);
    expect(
      issues(
        withAutoscaling({ minCount: 1, maxCount: 2, targetTracking: [{ metric: "cpu", targetValue: 0 }] }),
      ),
    ).toEqual([expect.stringContaining("spec.autoscaling.targetTracking[0].targetValue")]);
    expect(
      issues(
        withAutoscaling({
          minCount: 1,
          maxCount: 2,
          targetTracking: [{ metric: "memory", targetValue: 150 }],
        }),
      ),
    ).toEqual([
      "spec.autoscaling.targetTracking[0].targetValue: targetValue 150 is above 100, and memory is a percentage",
    ]);
  });

  it("allows one policy per metric", () => {
    const doc = withAutoscaling({
      minCount: 1,
      maxCount: 2,
      targetTracking: [
        { metric: "cpu", targetValue: 50 },
        { metric: "cpu", targetValue: 70 },
      ],
    });
    expect(issues(doc)).toEqual([
      "spec.autoscaling.targetTracking[1].metric: metric cpu is tracked twice (also targetTracking[0])",
    ]);
  });

  it("albRequestCountPerTarget needs a target group and its load balancer; other metrics take neither", () => {
    const alb = (policy: Record<string, unknown>) =>
      withAutoscaling({
        minCount: 1,
        maxCount: 2,
        targetTracking: [{ metric: "albRequestCountPerTarget", targetValue: 100, ...policy }],
      });
    expect(issues(alb({}))).toEqual([
      "spec.autoscaling.targetTracking[0].targetGroupArn: albRequestCountPerTarget needs a target group and spec.loadBalancers names 0",
      "spec.autoscaling.targetTracking[0].loadBalancerArn: albRequestCountPerTarget needs the load balancer in front of the target group",
    ]);
    expect(issues(alb({ targetGroupArn: TG, loadBalancerArn: LB }))).toEqual([]);
    expect(issues(alb({ targetGroupArn: TG, loadBalancerArn: LB.replace("/app/", "/net/") }))).toEqual([
      expect.stringContaining("spec.autoscaling.targetTracking[0].loadBalancerArn"),
    ]);
    const cpu = withAutoscaling({
      minCount: 1,
      maxCount: 2,
      targetTracking: [{ metric: "cpu", targetValue: 50, targetGroupArn: TG }],
    });
    expect(issues(cpu)).toEqual([
      "spec.autoscaling.targetTracking[0].targetGroupArn: targetGroupArn is for albRequestCountPerTarget only",
    ]);
  });

  it("checks scheduled actions: unique names, a bound to set, bounds in order, a known time zone", () => {
    const doc = withAutoscaling({
      minCount: 1,
      maxCount: 4,
      scheduled: [
        { name: "a", schedule: "rate(1 day)", minCount: 2 },
        { name: "a", schedule: "rate(2 days)", minCount: 1 },
        { name: "b", schedule: "rate(1 hour)" },
        { name: "c", schedule: "rate(1 hour)", minCount: 5, maxCount: 3 },
        { name: "d", schedule: "cron(0 7 ? * MON-FRI *)", timezone: "Mars/Olympus", minCount: 1 },
      ],
    });
    expect(issues(doc)).toEqual([
      'spec.autoscaling.scheduled[1].name: duplicate scheduled action name "a" (also scheduled[0])',
      "spec.autoscaling.scheduled[2]: a scheduled action changes nothing without minCount or maxCount",
      "spec.autoscaling.scheduled[3].minCount: minCount (5) is above maxCount (3)",
      "spec.autoscaling.scheduled[4].timezone: unknown time zone Mars/Olympus",
    ]);
  });

  it("knows Application Auto Scaling's schedule expressions", () => {
    for (const ok of [
      "at(2030-02-28T23:59:59)",
      "rate(1 minute)",
      "rate(15 minutes)",
      "rate(2 days)",
      "cron(0 7 ? * MON-FRI *)",
      "cron(*/5 * * * ? *)",
      "cron(0 12 L * ? 2030)",
    ]) {
      expect(scheduleProblem(ok), ok).toBeUndefined();
    }
    expect(scheduleProblem("at(2030-02-30T00:00:00)")).toContain("not a real date");
    expect(scheduleProblem("at(2030-02-01)")).toContain("yyyy-mm-ddThh:mm:ss");
    expect(scheduleProblem("rate(0 minutes)")).toContain("at least 1");
    expect(scheduleProblem("rate(5 weeks)")).toContain("minute(s), hour(s) or day(s)");
    expect(scheduleProblem("cron(0 7 * * *)")).toContain("6 fields");
    expect(scheduleProblem("cron(0 7 1 * MON *)")).toContain("?");
    expect(scheduleProblem("every day")).toContain("at(...), rate(...) or cron(...)");
    expect(
      issues(
        withAutoscaling({
          minCount: 1,
          maxCount: 2,
          scheduled: [{ name: "x", schedule: "cron(0 7 * * *)", minCount: 1 }],
        }),
      ),
    ).toEqual([expect.stringContaining("spec.autoscaling.scheduled[0].schedule: cron() takes 6 fields")]);
  });
});
