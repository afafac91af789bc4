/**
 * NamespacePolicy end to end: `fargatectl controller` in process on DynamoDB Local with the AWS simulator. With a
 * `default` policy allowing `role/{namespace}-*`, a team-a record passing team-b's role is PolicyViolation naming
 * the role and makes no ECS call, a compliant one goes Ready; a policy change re-queues the refused record
 * without touching it; a running service is left as it runs when the policy turns against it; deleting a
 * refused record still cleans up; with no policy at all everything is allowed.
 */
import { EventEmitter } from "node:events";
import { Writable } from "node:stream";
import { afterEach, describe, expect, inject, it } from "vitest";
import type { Condition } from "../../../src/crds/meta.js";
import { type AwsSimulator, startAwsSimulator } from "../../../src/dev/aws-sim/index.js";
import { runControllerCommand } from "../../../src/reconcilers/command.js";
import { findCondition } from "../../../src/reconcilers/conditions.js";
import type { DynamoResourceStore } from "../../../src/store/dynamo-store.js";
import { NotFoundError } from "../../../src/store/errors.js";
import type { StoredResource } from "../../../src/store/types.js";
import { doc, freshStore, TEST_CREDENTIALS } from "../../support/store-fixtures.js";

const role = (name: string) => `arn:aws:iam::123456789012:role/${name}`;
const OWN_ROLES = "arn:aws:iam::*:role/{namespace}-*";

function service(name: string, taskRole: string) {
  return doc(
    "FargateService",
    name,
    {
      cluster: "apps",
      cpu: 256,
      memory: 512,
      containers: [{ name: "web", image: "public.ecr.aws/nginx/nginx:1.27", ports: [{ containerPort: 80 }] }],
      network: { subnets: ["subnet-0a1b2c3d4e5f60718"], securityGroups: ["sg-0123456789abcdef0"] },
      iam: { taskRoleArn: taskRole },
    },
    { namespace: "team-a" },
  );
}

const policy = (roleArns: string[]) =>
  doc("NamespacePolicy", "default", { roleArns }, { namespace: "fargate-system" });

function ready(record: StoredResource | undefined): Condition | undefined {
  return findCondition(record?.status?.conditions as Condition[] | undefined, "Ready");
}

/** ECS calls the simulator received, by operation (those with at least one call). */
function ecsCalls(sim: AwsSimulator): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [op, counters] of Object.entries(sim.control.counters())) {
    if (op.startsWith("ecs:") && counters.calls > 0) out[op] = counters.calls;
  }
  return out;
}

describe("NamespacePolicy enforcement (controller on DynamoDB Local and the AWS simulator)", () => {
  let store: DynamoResourceStore | undefined;
  let sim: AwsSimulator | undefined;
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    store?.destroy();
    await sim?.stop();
  });

  async function startController(s: DynamoResourceStore, aws: AwsSimulator): Promise<void> {
    const signals = new EventEmitter();
    const exit = runControllerCommand(
      {
        "metrics-address": "127.0.0.1:0",
        "lease-name": "policy",
        "lease-duration": "1.5s",
        "lease-heartbeat": "500ms",
        "watch-poll-interval": "100ms",
        "rollout-poll-interval": "300ms",
        "orphan-sweep-interval": "0",
        table: s.tableName,
      },
      { AWS_ENDPOINT_URL_ECS: aws.endpoint, AWS_ENDPOINT_URL_SERVICEDISCOVERY: aws.endpoint },
      {
        credentials: TEST_CREDENTIALS,
        store: s,
        leases: s.leases,
        signals,
        logDestination: new Writable({ write: (_chunk, _enc, cb) => cb() }),
      },
    );
    stop = async () => {
      signals.emit("SIGTERM");
      expect(await exit).toBe(0);
      stop = undefined;
    };
  }

  async function read(name: string): Promise<StoredResource | undefined> {
    try {
      return await (store as DynamoResourceStore).get("FargateService", "team-a", name);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  /** Polls the record until `check` holds (the controller runs on the wall clock here). */
  async function waitUntil(
    name: string,
    what: string,
    check: (r: StoredResource | undefined) => boolean,
  ): Promise<StoredResource | undefined> {
    const deadline = Date.now() + 40_000;
    let last: StoredResource | undefined;
    while (Date.now() < deadline) {
      last = await read(name);
      if (check(last)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${name} never became ${what}; last Ready: ${JSON.stringify(ready(last))}`);
  }
  const isReady = (r: StoredResource | undefined) =>
    ready(r)?.status === "True" && r?.status?.observedSpecHash === r?.specHash;
  const isRefused = (r: StoredResource | undefined) => ready(r)?.reason === "PolicyViolation";

  it("refuses another team's role with no ECS call, re-queues on a policy change, and leaves running services be", async () => {
    const s = await freshStore(inject("dynamodbLocalEndpoint"));
    store = s;
    sim = await startAwsSimulator({ timeScale: 10 });
    await s.apply(policy([OWN_ROLES]));
    await s.apply(service("thief", role("team-b-api")));
    await startController(s, sim);

    const refused = await waitUntil("thief", "PolicyViolation", isRefused);
    expect(ready(refused)?.status).toBe("False");
    expect(findCondition(refused?.status?.conditions as Condition[], "Stalled")?.status).toBe("True");
    expect(ready(refused)?.message).toBe(
      `NamespacePolicy fargate-system/default refuses this record (1 rule broken): spec.iam.taskRoleArn "${role("team-b-api")}": roleArns allows "${OWN_ROLES}"`,
    );
    expect(ecsCalls(sim)).toEqual({});

    await s.apply(service("honest", role("team-a-api")));
    await waitUntil("honest", "Ready", isReady);
    const afterHonest = ecsCalls(sim);
    expect(afterHonest["ecs:CreateService"]).toBe(1);
    expect(afterHonest["ecs:RegisterTaskDefinition"]).toBe(1);
    expect(isRefused(await read("thief"))).toBe(true);

    // The policy changes; the refused record is not touched, yet it is looked at again and goes Ready.
    const before = await read("thief");
    await s.apply(policy([OWN_ROLES, "arn:aws:iam::*:role/team-b-*"]));
    const allowed = await waitUntil("thief", "Ready", isReady);
    expect(allowed?.metadata.generation).toBe(before?.metadata.generation);
    expect(allowed?.specHash).toBe(before?.specHash);
    expect(ecsCalls(sim)["ecs:CreateService"]).toBe(2);

    // Turned against it, a running service is left as it runs: no update, no delete.
    const running = ecsCalls(sim);
    await s.apply(policy([OWN_ROLES]));
    await waitUntil("thief", "PolicyViolation again", isRefused);
    const afterRefusal = ecsCalls(sim);
    expect(afterRefusal["ecs:UpdateService"] ?? 0).toBe(running["ecs:UpdateService"] ?? 0);
    expect(afterRefusal["ecs:DeleteService"] ?? 0).toBe(0);
    expect(afterRefusal["ecs:RegisterTaskDefinition"]).toBe(running["ecs:RegisterTaskDefinition"]);

    // Deleting a refused record still cleans up what it owns.
    await s.delete("FargateService", "team-a", "thief");
    await waitUntil("thief", "gone", (r) => r === undefined);
    expect(ecsCalls(sim)["ecs:DeleteService"]).toBe(1);
  }, 120_000);

  it("allows everything when there is no policy at all", async () => {
    const s = await freshStore(inject("dynamodbLocalEndpoint"));
    store = s;
    sim = await startAwsSimulator({ timeScale: 10 });
    await s.apply(service("anything", role("team-b-api")));
    await startController(s, sim);
    await waitUntil("anything", "Ready", isReady);
  }, 60_000);
});
