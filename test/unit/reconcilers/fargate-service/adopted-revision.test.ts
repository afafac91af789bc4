/** Adopting an unowned service keeps the revision it runs only when that revision says what the spec renders. */
import { describe, expect, it } from "vitest";
import type { EcsService, TaskDefinitionRevision } from "../../../../src/aws/types.js";
import { validateDocument } from "../../../../src/crds/index.js";
import { adoptedRevision } from "../../../../src/reconcilers/fargate-service/adopted-revision.js";
import type { FargateServiceRecord } from "../../../../src/reconcilers/fargate-service/context.js";
import type { FargateServiceStepDeps } from "../../../../src/reconcilers/fargate-service/steps.js";
import { renderTaskDefinition } from "../../../../src/render/index.js";

const RUNNING = "arn:aws:ecs:us-east-1:123456789012:task-definition/orders:3";

function record(adopt: boolean): FargateServiceRecord {
  const result = validateDocument({
    apiVersion: "fargate-operator/v1alpha1",
    kind: "FargateService",
    metadata: { name: "orders", namespace: "shop" },
    spec: {
      cluster: "apps",
      cpu: 256,
      memory: 512,
      adopt,
      containers: [{ name: "app", image: "registry.example/orders:1", ports: [{ containerPort: 8080 }] }],
      network: { subnets: ["subnet-1"], securityGroups: ["sg-1"] },
    },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return {
    metadata: {
      name: "orders",
      namespace: "shop",
      uid: "u-1",
      generation: 1,
    } as FargateServiceRecord["metadata"],
    spec: result.document.spec as FargateServiceRecord["spec"],
    status: {},
    specHash: "h",
  };
}

/** The running revision as ECS describes what the hand-made service registered. */
function running(image: string, tags: Record<string, string> = {}): TaskDefinitionRevision {
  return {
    arn: RUNNING,
    family: "orders",
    revision: 3,
    status: "ACTIVE",
    tags,
    content: {
      taskDefinitionArn: RUNNING,
      family: "orders",
      revision: 3,
      cpu: "256",
      memory: "512",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      compatibilities: ["EC2", "FARGATE"],
      containerDefinitions: [
        { name: "app", image, portMappings: [{ containerPort: 8080 }], essential: true },
      ],
    },
  };
}

async function decide(
  r: FargateServiceRecord,
  revision: TaskDefinitionRevision,
  serviceTags: EcsService["tags"] = [],
) {
  const deps = { ecs: { describeTaskDefinition: async () => revision } } as unknown as FargateServiceStepDeps;
  const observed = {
    serviceName: "shop-orders",
    status: "ACTIVE",
    taskDefinition: RUNNING,
    tags: serviceTags,
  } as EcsService;
  const input = renderTaskDefinition(r.spec, {
    region: "us-east-1",
    metadata: { ...r.metadata, uid: "u-1", generation: 1 },
  }).input;
  return adoptedRevision(deps, r, observed, input, new AbortController().signal);
}

describe("adoptedRevision", () => {
  it("keeps the running revision when it equals the rendering (ECS defaults filled in)", async () => {
    expect(await decide(record(true), running("registry.example/orders:1"))).toBe(RUNNING);
  });

  it("does not when anything differs, without adopt, or when the service or revision is anybody's", async () => {
    expect(await decide(record(true), running("registry.example/orders:2"))).toBeUndefined();
    expect(await decide(record(false), running("registry.example/orders:1"))).toBeUndefined();
    const foreign = [{ key: "fargate-operator:uid", value: "someone" }];
    expect(await decide(record(true), running("registry.example/orders:1"), foreign)).toBeUndefined();
    const tagged = running("registry.example/orders:1", { "fargate-operator:hash": "x" });
    expect(await decide(record(true), tagged)).toBeUndefined();
  });
});
