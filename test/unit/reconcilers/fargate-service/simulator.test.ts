/**
 * evaluateRollout and diffService against the AWS simulator's ECS, in process on a manual clock: the shapes
 * are the ones the simulator really produces (rolling deployments, circuit breaker + rollback, DRAINING).
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { EcsService, EcsUpdateServiceInput } from "../../../../src/aws/types.js";
import { ManualClock } from "../../../../src/clock.js";
import { CloudMapState } from "../../../../src/dev/aws-sim/cloudmap/state.js";
import { IdFactory, type SimContext } from "../../../../src/dev/aws-sim/context.js";
import { createEcs, type EcsApi } from "../../../../src/dev/aws-sim/ecs/index.js";
import { Input, type JsonObject } from "../../../../src/dev/aws-sim/input.js";
import { desiredUpdateFor, diffService } from "../../../../src/reconcilers/fargate-service/diff.js";
import {
  evaluateRollout,
  type PreviousRollout,
  type RolloutObservation,
} from "../../../../src/reconcilers/fargate-service/rollout.js";
import { renderEcsService } from "../../../../src/render/index.js";
import { contextFor, validSpec } from "../../render/fixtures.js";

const FAMILY = "default-web";
const REGISTRY_ARN = "arn:aws:servicediscovery:eu-west-1:000000000000:service/srv-0123456789abcdef";

interface Sim {
  clock: ManualClock;
  ecs: EcsApi;
  call(operation: string, body: JsonObject): JsonObject;
  register(image: string): string;
  describe(): EcsService;
}

function startSim(): Sim {
  const clock = new ManualClock();
  const ctx: SimContext = {
    clock,
    timeScale: 1,
    region: "eu-west-1",
    accountId: "000000000000",
    mode: "lenient",
    timing: { startMs: 2000, stopMs: 1000, operationMs: 1000 },
    after: (ms, fn) => clock.setTimer(fn, ms),
    ids: new IdFactory(),
  };
  const cloudMap = new CloudMapState(ctx);
  cloudMap.services.set("srv-0123456789abcdef", {
    id: "srv-0123456789abcdef",
    arn: REGISTRY_ARN,
    name: "web",
    namespaceId: "ns-0123456789abcdef",
    createdAt: clock.now(),
    creatorRequestId: undefined,
    type: "DNS_HTTP",
    description: undefined,
    routingPolicy: "MULTIVALUE",
    dnsRecords: [
      { Type: "A", TTL: 10 },
      { Type: "SRV", TTL: 10 },
    ],
    healthCheckConfig: undefined,
    healthCheckCustomFailureThreshold: undefined,
    hasCustomHealth: true,
    instances: new Map(),
    revision: 0,
    tags: [],
  });
  const ecs = createEcs(ctx, cloudMap);
  const call = (operation: string, body: JsonObject): JsonObject => {
    const handler = ecs.handlers[operation];
    if (handler === undefined) throw new Error(`no handler ${operation}`);
    return JSON.parse(JSON.stringify(handler(new Input(body, "ecs")))) as JsonObject;
  };
  return {
    clock,
    ecs,
    call,
    register(image) {
      const answer = call("RegisterTaskDefinition", {
        family: FAMILY,
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "256",
        memory: "512",
        containerDefinitions: [
          { name: "web", image, essential: true, portMappings: [{ containerPort: 8080 }] },
        ],
      });
      const td = answer.taskDefinition as JsonObject;
      return String(td.taskDefinitionArn);
    },
    describe() {
      const answer = call("DescribeServices", { cluster: "apps", services: [FAMILY], include: ["TAGS"] });
      const [first] = answer.services as JsonObject[];
      return asSdkService(first);
    },
  };
}

/** What the SDK makes of the JSON: epoch seconds become Dates. */
function asSdkService(shape: unknown): EcsService {
  const svc = JSON.parse(JSON.stringify(shape)) as EcsService;
  const dated = (v: unknown) => (typeof v === "number" ? new Date(v * 1000) : undefined);
  svc.createdAt = dated(svc.createdAt);
  for (const d of svc.deployments ?? []) {
    d.createdAt = dated(d.createdAt);
    d.updatedAt = dated(d.updatedAt);
  }
  return svc;
}

const spec = validSpec({
  cluster: "apps",
  cpu: 256,
  memory: 512,
  desiredCount: 2,
  containers: [{ name: "web", image: "web:1", ports: [{ containerPort: 8080 }] }],
  network: { subnets: ["subnet-b", "subnet-a"], securityGroups: ["sg-2", "sg-1"] },
  discovery: { cloudMap: { namespaceRef: { name: "apps" }, records: ["A", "SRV"], port: 8080 } },
});

function rendered(taskDefinitionArn: string) {
  return renderEcsService(spec, contextFor("web", "default"), {
    taskDefinitionArn,
    cloudMapServiceArn: REGISTRY_ARN,
  });
}

function previousOf(observation: RolloutObservation): PreviousRollout {
  return {
    state: observation.state,
    ...(observation.deploymentId === undefined ? {} : { deploymentId: observation.deploymentId }),
    ...(observation.startedAt === undefined ? {} : { startedAt: observation.startedAt }),
  };
}

describe("against the simulator's ECS", () => {
  let sim: Sim;
  let td1: string;
  let td2Bad: string;

  beforeEach(() => {
    sim = startSim();
    td1 = sim.register("web:1");
    td2Bad = sim.register("web:2-crashloop");
  });

  const evaluate = (arn: string, previous?: PreviousRollout, timeoutSeconds = 900) =>
    evaluateRollout({
      service: sim.describe(),
      taskDefinitionArn: arn,
      timeoutSeconds,
      now: sim.clock.now(),
      ...(previous === undefined ? {} : { previous }),
    });

  /** Advances in 250 ms steps until `done` holds (at most a simulated minute). */
  const advanceUntil = (done: () => boolean) => {
    for (let i = 0; i < 240 && !done(); i += 1) sim.clock.advanceSync(250);
    expect(done()).toBe(true);
  };

  it("a created service is in progress, then COMPLETED, and never differs from its rendered input", () => {
    const { create, update } = rendered(td1);
    sim.call("CreateService", create as unknown as JsonObject);
    expect(evaluate(td1)).toMatchObject({ state: "IN_PROGRESS", reason: "RolloutInProgress" });
    expect(diffService(update, sim.describe())).toEqual([]);
    advanceUntil(() => evaluate(td1).state === "COMPLETED");
    expect(evaluate(td1)).toMatchObject({
      reason: "RolloutComplete",
      replicas: { desired: 2, running: 2, pending: 0 },
    });
    expect(diffService(update, sim.describe())).toEqual([]);
  });

  it("a circuit-breaker rollback is FAILED while it runs and after the failed deployment is gone", () => {
    sim.call("CreateService", rendered(td1).create as unknown as JsonObject);
    advanceUntil(() => evaluate(td1).state === "COMPLETED");

    const desired = rendered(td2Bad).update;
    const differences = diffService(desired, sim.describe());
    expect(differences.map((d) => d.field)).toEqual(["taskDefinition"]);
    const input: EcsUpdateServiceInput = desiredUpdateFor(desired, differences);
    expect(input).toEqual({ cluster: "apps", service: FAMILY, taskDefinition: td2Bad });
    sim.call("UpdateService", input as unknown as JsonObject);

    const started = evaluate(td2Bad);
    expect(started).toMatchObject({ state: "IN_PROGRESS", reason: "RolloutInProgress" });
    const previous = previousOf(started);

    advanceUntil(() => evaluate(td2Bad, previous).state !== "IN_PROGRESS");
    const during = sim.describe();
    expect(during.deployments?.find((d) => d.status === "PRIMARY")?.taskDefinition).toBe(td1);
    const failed = evaluate(td2Bad, previous);
    expect(failed).toMatchObject({
      state: "FAILED",
      reason: "RolloutFailed",
      deploymentId: previous.deploymentId,
    });
    expect(failed.message).toContain("circuit breaker");
    expect(failed.message).toContain(`rolled back to ${td1}`);

    // ECS finishes the rollback and drops the failed deployment: the recorded id keeps it FAILED.
    advanceUntil(() => (sim.describe().deployments ?? []).length === 1);
    expect(sim.describe().deployments?.[0]).toMatchObject({ taskDefinition: td1, rolloutState: "COMPLETED" });
    const after = evaluate(td2Bad, previousOf(failed));
    expect(after).toMatchObject({ state: "FAILED", reason: "RolloutFailed" });
    expect(after.message).toContain(`rolled back to ${td1}`);
    // Without a record nothing shows ours ever ran: pending, never success.
    expect(evaluate(td2Bad)).toMatchObject({ state: "IN_PROGRESS", reason: "RolloutPending" });
    // The rolled-back service runs the old revision again, so it differs (the reconciler holds after FAILED).
    expect(diffService(desired, sim.describe()).map((d) => d.field)).toEqual(["taskDefinition"]);
  });

  it("a failing first deployment with no rollback target is FAILED on the PRIMARY itself", () => {
    sim.call("CreateService", rendered(td2Bad).create as unknown as JsonObject);
    advanceUntil(() => evaluate(td2Bad).state !== "IN_PROGRESS");
    const result = evaluate(td2Bad);
    expect(result).toMatchObject({ state: "FAILED", reason: "RolloutFailed" });
    expect(result.message).toMatch(/failed: ECS deployment circuit breaker: .* \(\d+ failed tasks\)$/);
  });

  it("times out past the deadline, and still reports COMPLETED once ECS completes", () => {
    sim.call("CreateService", rendered(td1).create as unknown as JsonObject);
    sim.clock.advanceSync(1000);
    expect(evaluate(td1, undefined, 1)).toMatchObject({ state: "TIMED_OUT", reason: "RolloutTimedOut" });
    advanceUntil(() => evaluate(td1, undefined, 1).state === "COMPLETED");
  });

  it("a desiredCount-only change sends only desiredCount and starts no new deployment", () => {
    sim.call("CreateService", rendered(td1).create as unknown as JsonObject);
    advanceUntil(() => evaluate(td1).state === "COMPLETED");
    const desired = { ...rendered(td1).update, desiredCount: 3 };
    const differences = diffService(desired, sim.describe());
    expect(differences).toEqual([{ field: "desiredCount", desired: 3, observed: 2 }]);
    const input = desiredUpdateFor(desired, differences);
    expect(input).toEqual({ cluster: "apps", service: FAMILY, desiredCount: 3 });
    const before = sim.describe().deployments?.map((d) => d.id);
    sim.call("UpdateService", input as unknown as JsonObject);
    expect(sim.describe().deployments?.map((d) => d.id)).toEqual(before);
    expect(diffService(desired, sim.describe())).toEqual([]);
  });

  it("a DRAINING service is never reported complete", () => {
    sim.call("CreateService", rendered(td1).create as unknown as JsonObject);
    advanceUntil(() => evaluate(td1).state === "COMPLETED");
    sim.call("UpdateService", { cluster: "apps", service: FAMILY, desiredCount: 0 });
    sim.call("DeleteService", { cluster: "apps", service: FAMILY });
    expect(sim.describe().status).toBe("DRAINING");
    expect(evaluate(td1)).toMatchObject({ state: "IN_PROGRESS", reason: "RolloutPending" });
  });
});
