/** spec.autoscaling → the Application Auto Scaling requests, and the ECS inputs that leave the count to the scaler. */
import { describe, expect, it } from "vitest";
import {
  albResourceLabel,
  RenderError,
  renderAutoscaling,
  renderEcsService,
} from "../../../src/render/index.js";
import { contextFor, validSpec } from "./fixtures.js";

const TG = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef";
const LB = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/front/fedcba9876543210";
const TD_ARN = "arn:aws:ecs:eu-west-1:000000000000:task-definition/default-web:3";

const base = {
  cluster: "apps",
  cpu: 256,
  memory: 512,
  desiredCount: 3,
  containers: [{ name: "web", image: "web:1", ports: [{ containerPort: 80 }] }],
  network: { subnets: ["subnet-1"], securityGroups: ["sg-1"] },
};

describe("renderAutoscaling", () => {
  it("names every policy and scheduled action with our prefix and carries only what the spec sets", () => {
    const spec = validSpec({
      ...base,
      autoscaling: {
        minCount: 2,
        maxCount: 8,
        targetTracking: [
          { metric: "cpu", targetValue: 60, scaleOutCooldownSeconds: 30 },
          { metric: "memory", targetValue: 70, disableScaleIn: true },
        ],
        scheduled: [
          { name: "mornings", schedule: "cron(0 7 ? * MON-FRI *)", timezone: "Europe/Berlin", minCount: 4 },
        ],
      },
    });
    const out = renderAutoscaling(spec);
    expect(out).toMatchObject({
      bounds: { minCount: 2, maxCount: 8 },
      policies: [
        { name: "fargate-operator-cpu", metric: "cpu", targetValue: 60, scaleOutCooldownSeconds: 30 },
        { name: "fargate-operator-memory", metric: "memory", targetValue: 70, disableScaleIn: true },
      ],
      scheduled: [
        {
          name: "fargate-operator-mornings",
          schedule: "cron(0 7 ? * MON-FRI *)",
          timezone: "Europe/Berlin",
          minCount: 4,
        },
      ],
    });
    expect(out?.policies[0]).not.toHaveProperty("scaleInCooldownSeconds");
    expect(out?.scheduled[0]).not.toHaveProperty("maxCount");
  });

  it("hashes what it puts: equal specs agree, any change differs", () => {
    const autoscaling = { minCount: 1, maxCount: 4, targetTracking: [{ metric: "cpu", targetValue: 50 }] };
    const a = renderAutoscaling(validSpec({ ...base, autoscaling }));
    const b = renderAutoscaling(validSpec({ ...base, autoscaling: structuredClone(autoscaling) }));
    const c = renderAutoscaling(validSpec({ ...base, autoscaling: { ...autoscaling, maxCount: 5 } }));
    expect(a?.hash).toBe(b?.hash);
    expect(c?.hash).not.toBe(a?.hash);
    // The task count is not the scaler's business: it is not part of the hash.
    expect(renderAutoscaling(validSpec({ ...base, desiredCount: 7, autoscaling }))?.hash).toBe(a?.hash);
  });

  it("is undefined without spec.autoscaling", () => {
    expect(renderAutoscaling(validSpec(base))).toBeUndefined();
  });

  it("builds ALBRequestCountPerTarget's resource label from the load balancer and spec.loadBalancers' target group", () => {
    expect(albResourceLabel(LB, TG)).toBe("app/front/fedcba9876543210/targetgroup/web/0123456789abcdef");
    const spec = validSpec({
      ...base,
      loadBalancers: [{ targetGroupArn: TG, containerName: "web", containerPort: 80 }],
      autoscaling: {
        minCount: 1,
        maxCount: 4,
        targetTracking: [{ metric: "albRequestCountPerTarget", targetValue: 500, loadBalancerArn: LB }],
      },
    });
    expect(renderAutoscaling(spec)?.policies[0]).toEqual({
      name: "fargate-operator-albRequestCountPerTarget",
      metric: "albRequestCountPerTarget",
      targetValue: 500,
      resourceLabel: "app/front/fedcba9876543210/targetgroup/web/0123456789abcdef",
    });
    expect(() => albResourceLabel(TG, LB)).toThrow(RenderError);
  });
});

describe("renderEcsService with autoscaling", () => {
  it("sends desiredCount on CreateService only; UpdateService never carries it", () => {
    const spec = validSpec({ ...base, autoscaling: { minCount: 1, maxCount: 4 } });
    const { create, update } = renderEcsService(spec, contextFor("web", "default"), {
      taskDefinitionArn: TD_ARN,
    });
    expect(create.desiredCount).toBe(3);
    // The orphan sweep learns from this tag that the service has a scalable target to deregister.
    expect(create.tags).toContainEqual({ key: "fargate-operator:autoscaling", value: "true" });
    expect(update).not.toHaveProperty("desiredCount");
    const plain = renderEcsService(validSpec(base), contextFor("web", "default"), {
      taskDefinitionArn: TD_ARN,
    });
    expect(plain.update.desiredCount).toBe(3);
    expect(plain.create.tags?.map((t) => t.key)).not.toContain("fargate-operator:autoscaling");
  });
});
