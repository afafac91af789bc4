import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/clock.js";
import type { HealthServiceEntry } from "../../../src/consul/types.js";
import { TagKey } from "../../../src/render/names.js";
import { ConsulNameGuard } from "../../../src/sync/consul-names.js";
import type { SyncConsulClient } from "../../../src/sync/deps.js";
import type { OwnedRegistration } from "../../../src/sync/model.js";
import { planToConsul } from "../../../src/sync/plan-to-consul.js";
import { mirroredToConsul } from "../../../src/sync/report.js";
import { ALL, cloudMapSnapshot, OWNER, service, UID } from "./fixtures.js";

const NODE = "fargate-operator-prod-internal";
const fargate = (consulName: string) => ({
  [TagKey.Uid]: "fs-uid",
  [TagKey.ConsulRegister]: "true",
  [TagKey.ConsulName]: consulName,
});
const task = { AWS_INSTANCE_IPV4: "10.0.0.1", AWS_INSTANCE_PORT: "8080", ECS_SERVICE_NAME: "team-a-x" };

function entry(node: string, id: string, meta: Record<string, string> = {}): HealthServiceEntry {
  return {
    node: { name: node, id: "", address: "10.9.9.9", datacenter: "dc1", taggedAddresses: {}, meta: {} },
    service: { id, name: "x", tags: [], address: "", port: 1, meta, createIndex: 1, modifyIndex: 1 },
    checks: [],
    status: "passing",
  };
}

/** A Consul client whose health answers come from `catalog` (name → entries); counts reads. */
function consulWith(catalog: Record<string, HealthServiceEntry[] | Error>) {
  const reads: string[] = [];
  const consul = {
    healthService: async (name: string) => {
      reads.push(name);
      const answer = catalog[name] ?? [];
      if (answer instanceof Error) throw answer;
      return { value: answer, index: 1 };
    },
  } as unknown as SyncConsulClient;
  return { consul, reads };
}

const ownMeta = { "fargate-operator-sync": UID, "external-source": "fargate-operator" };
const otherEngineMeta = { "fargate-operator-sync": "uid-other", "external-source": "fargate-operator" };
const mineIn = (name: string): Map<string, OwnedRegistration> =>
  new Map([
    ["x:t1", { serviceId: "x:t1", name, tags: [], address: "10.0.0.1", port: 8080, meta: { ...ownMeta } }],
  ]);

describe("ConsulNameGuard", () => {
  const snapshot = cloudMapSnapshot([
    service("srv-a", "a", fargate("vault"), { t1: task }),
    service("srv-b", "b", fargate("free"), { t1: task }),
    service("srv-c", "c", fargate("shared"), { t1: task }),
    // Not a FargateService's: follows the toConsul filters, no check.
    service("srv-h", "hand-made", {}, { i1: task }),
  ]);

  it("refuses a name with instances nobody's engine registered, and a name another engine already mirrors into", async () => {
    const { consul, reads } = consulWith({
      vault: [
        entry("vault-1", "vault"),
        entry(NODE, "vault:squat", { ...ownMeta, "fargate-operator-sync": "x" }),
      ],
      free: [entry(NODE, "b:t1", ownMeta)],
      shared: [entry("fargate-operator-other", "c:t9", otherEngineMeta)],
    });
    const guard = new ConsulNameGuard({
      consul,
      clock: new ManualClock(0),
      node: NODE,
      uid: UID,
      resyncMs: 60_000,
    });
    const { verdicts, error } = await guard.check(snapshot, ALL, new Map(), new AbortController().signal);
    expect(error).toBeUndefined();
    expect(reads.sort()).toEqual(["free", "shared", "vault"]);
    expect(verdicts.unchecked).toEqual(new Set());
    expect([...verdicts.refused.keys()].sort()).toEqual(["shared", "vault"]);
    expect(verdicts.refused.get("vault")).toMatch(
      /vault has 1 instance\(s\) \(e\.g\. vault on node vault-1\)/,
    );
    expect(verdicts.refused.get("shared")).toMatch(/mirrored by another CatalogSync/);
    // First come, first served between engines: a name this engine already mirrors into stays its own.
    expect(guard.verdicts(new Set(["shared"]), mineIn("shared")).refused).toEqual(new Map());
  });

  it("reads a name once per resync, and leaves a name whose read failed unchecked", async () => {
    const clock = new ManualClock(0);
    const { consul, reads } = consulWith({ vault: new Error("connect ECONNREFUSED") });
    const guard = new ConsulNameGuard({ consul, clock, node: NODE, uid: UID, resyncMs: 60_000 });
    const signal = new AbortController().signal;
    const first = await guard.check(snapshot, ALL, new Map(), signal);
    expect(first.error).toMatch(/Consul service vault could not be read/);
    expect(first.verdicts.unchecked).toEqual(new Set(["vault"]));
    await guard.check(snapshot, ALL, new Map(), signal);
    expect(reads.filter((n) => n === "free")).toHaveLength(1);
    expect(reads.filter((n) => n === "vault")).toHaveLength(2);
    await clock.advance(60_000);
    await guard.check(snapshot, ALL, new Map(), signal);
    expect(reads.filter((n) => n === "free")).toHaveLength(2);
  });
});

describe("planToConsul with Consul name verdicts", () => {
  const a = service("srv-a", "a", fargate("vault"), { t1: task });
  const input = (
    registrations: Map<string, OwnedRegistration>,
    refused: Map<string, string>,
    unchecked: string[],
  ) => ({
    owner: OWNER,
    dnsName: "prod.internal",
    settings: ALL,
    node: NODE,
    cloudMap: cloudMapSnapshot([a]),
    registrations,
    consulNames: { refused, unchecked: new Set(unchecked) },
    grace: new Map(),
    now: 0,
    graceMs: 30_000,
  });
  const seen = (): Map<string, OwnedRegistration> =>
    new Map([
      [
        "a:t1",
        {
          serviceId: "a:t1",
          name: "vault",
          tags: [],
          address: "10.0.0.1",
          port: 8080,
          meta: { ...ownMeta, "cloudmap-service-id": "srv-a", "cloudmap-ecs-service": "team-a-x" },
        },
      ],
    ]);

  it("registers nothing under a refused name and takes back what it had put there", () => {
    const refused = new Map([["vault", "Consul service vault has 1 instance(s)"]]);
    expect(planToConsul(input(new Map(), refused, [])).writes).toEqual([]);
    expect(planToConsul(input(seen(), refused, [])).writes).toEqual([
      { kind: "deregister", serviceId: "a:t1", why: "deliberate" },
    ]);
    const report = mirroredToConsul(UID, ALL, cloudMapSnapshot([a]), new Map(), refused);
    expect(report).toEqual([expect.objectContaining({ consulName: "vault", refused: refused.get("vault") })]);
  });

  it("registers nothing new under a name not read yet, and keeps what is there", () => {
    expect(planToConsul(input(new Map(), new Map(), ["vault"])).writes).toEqual([]);
    expect(planToConsul(input(seen(), new Map(), ["vault"])).writes).toEqual([]);
  });
});
