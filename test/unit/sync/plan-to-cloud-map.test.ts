import { describe, expect, it } from "vitest";
import { TagKey } from "../../../src/render/names.js";
import type { GraceState } from "../../../src/sync/grace.js";
import type { CloudMapSnapshot, ConsulSnapshot } from "../../../src/sync/model.js";
import { cloudMapInstanceId, syncCreatorRequestId } from "../../../src/sync/names.js";
import { planToCloudMap, type ToCloudMapInput } from "../../../src/sync/plan-to-cloud-map.js";
import {
  ALL,
  cloudMapSnapshot,
  consulInstance,
  consulSnapshot,
  OWNER,
  ours,
  service,
  UID,
} from "./fixtures.js";

const ID1 = cloudMapInstanceId("n1", "vault-1");
const ID2 = cloudMapInstanceId("n2", "vault-2");

function plan(
  consul: ConsulSnapshot,
  cloudMap: CloudMapSnapshot,
  extra: Partial<ToCloudMapInput> = {},
): ReturnType<typeof planToCloudMap> {
  return planToCloudMap({
    owner: OWNER,
    namespaceId: "ns-1",
    settings: ALL,
    ttl: 10,
    cloudMap,
    consul,
    grace: new Map(),
    now: 100_000,
    graceMs: 30_000,
    ...extra,
  });
}

/** Attributes the engine writes for a Consul instance. */
const attrs = (node: string, serviceId: string, ip: string) => ({
  AWS_INSTANCE_IPV4: ip,
  AWS_INSTANCE_PORT: "8200",
  "fargate-operator-sync": UID,
  "consul-node": node,
  "consul-service-id": serviceId,
});

describe("planToCloudMap", () => {
  it("creates an owned MULTIVALUE A+SRV service with custom health and a deterministic CreatorRequestId", () => {
    const p = plan(
      consulSnapshot({ vault: [consulInstance("n1", "vault-1", "10.0.0.1")] }),
      cloudMapSnapshot([]),
    );
    expect(p.writes).toEqual([
      {
        kind: "createService",
        consulName: "vault",
        input: {
          Name: "vault",
          NamespaceId: "ns-1",
          CreatorRequestId: syncCreatorRequestId(UID, "vault"),
          Description: "Consul service vault, mirrored by CatalogSync default/sync",
          DnsConfig: {
            RoutingPolicy: "MULTIVALUE",
            DnsRecords: [
              { Type: "A", TTL: 10 },
              { Type: "SRV", TTL: 10 },
            ],
          },
          HealthCheckCustomConfig: {},
          Tags: [{ Key: TagKey.SyncOwner, Value: UID }],
        },
      },
    ]);
  });

  it("adds the prefix, and never exports the consul service or services the filters leave out", () => {
    const consul = consulSnapshot({
      consul: [consulInstance("n0", "consul", "10.0.0.9")],
      vault: [consulInstance("n1", "vault-1", "10.0.0.1")],
      "vault-dev": [consulInstance("n1", "vault-dev", "10.0.0.2")],
    });
    const p = plan(consul, cloudMapSnapshot([]), { settings: { ...ALL, exclude: ["*-dev"], prefix: "c-" } });
    expect(p.writes.map((w) => (w.kind === "createService" ? w.input.Name : w.kind))).toEqual(["c-vault"]);
  });

  it("registers instances with address, port, ownership and initial health; pushes health changes", () => {
    const consul = consulSnapshot({
      vault: [
        consulInstance("n1", "vault-1", "10.0.0.1", "passing"),
        consulInstance("n2", "vault-2", "", "critical"),
      ],
    });
    const p = plan(consul, cloudMapSnapshot([ours("srv-1", "vault")]));
    expect(p.writes).toEqual([
      {
        kind: "registerInstance",
        serviceId: "srv-1",
        instanceId: ID1,
        attributes: { ...attrs("n1", "vault-1", "10.0.0.1"), AWS_INIT_HEALTH_STATUS: "HEALTHY" },
      },
      {
        kind: "registerInstance",
        serviceId: "srv-1",
        instanceId: ID2,
        // No service address: the node's.
        attributes: { ...attrs("n2", "vault-2", "10.255.0.1"), AWS_INIT_HEALTH_STATUS: "UNHEALTHY" },
      },
    ]);

    const synced = cloudMapSnapshot([
      ours(
        "srv-1",
        "vault",
        {
          [ID1]: { ...attrs("n1", "vault-1", "10.0.0.1"), AWS_INIT_HEALTH_STATUS: "HEALTHY" },
          [ID2]: attrs("n2", "vault-2", "10.255.0.1"),
        },
        { [ID1]: "HEALTHY", [ID2]: "HEALTHY" },
      ),
    ]);
    expect(plan(consul, synced).writes).toEqual([
      { kind: "setHealth", serviceId: "srv-1", instanceId: ID2, status: "UNHEALTHY" },
    ]);
  });

  it("writes nothing when everything matches (warning counts as healthy)", () => {
    const consul = consulSnapshot({ vault: [consulInstance("n1", "vault-1", "10.0.0.1", "warning")] });
    const synced = cloudMapSnapshot([
      ours("srv-1", "vault", { [ID1]: attrs("n1", "vault-1", "10.0.0.1") }, { [ID1]: "HEALTHY" }),
    ]);
    const p = plan(consul, synced);
    expect(p.writes).toEqual([]);
    expect(p.problems).toEqual([]);
  });

  it("re-registers a changed address (and re-pushes health the re-registration keeps)", () => {
    const consul = consulSnapshot({ vault: [consulInstance("n1", "vault-1", "10.0.0.7", "critical")] });
    const synced = cloudMapSnapshot([
      ours("srv-1", "vault", { [ID1]: attrs("n1", "vault-1", "10.0.0.1") }, { [ID1]: "HEALTHY" }),
    ]);
    expect(plan(consul, synced).writes.map((w) => w.kind)).toEqual(["registerInstance", "setHealth"]);
  });

  it("fixes the DNS records of its own service", () => {
    const consul = consulSnapshot({ vault: [consulInstance("n1", "vault-1", "10.0.0.1")] });
    const p = plan(
      consul,
      cloudMapSnapshot([ours("srv-1", "vault", {}, {}, { dnsRecords: [{ Type: "A", TTL: 60 }] })]),
    );
    expect(p.writes[0]).toEqual({
      kind: "updateDnsRecords",
      serviceId: "srv-1",
      records: [
        { Type: "A", TTL: 10 },
        { Type: "SRV", TTL: 10 },
      ],
    });
  });

  it("never exports instances it imported itself (meta with our uid), and then reports no clash", () => {
    const imported = {
      ...consulInstance("fargate-operator-x", "web:t1", "10.0.0.5"),
      meta: { "fargate-operator-sync": UID },
    };
    const foreign = service("srv-9", "web", { [TagKey.Uid]: "fs-uid" });
    const p = plan(consulSnapshot({ web: [imported] }), cloudMapSnapshot([foreign]));
    expect(p.writes).toEqual([]);
    expect(p.problems).toEqual([]);
  });

  it("never touches a same-named service that is not ours (look-alike tag of another uid): reports the clash", () => {
    const impostor = service(
      "srv-9",
      "vault",
      { [TagKey.SyncOwner]: "another-uid" },
      { "i-1": { AWS_INSTANCE_IPV4: "1.1.1.1" } },
    );
    const p = plan(
      consulSnapshot({ vault: [consulInstance("n1", "vault-1", "10.0.0.1")] }),
      cloudMapSnapshot([impostor]),
    );
    expect(p.writes).toEqual([]);
    expect(p.problems).toEqual([expect.stringMatching(/vault exists and is not this CatalogSync's/)]);
  });

  it("never deregisters an instance in our service that is not ours, nor overwrites one with our id", () => {
    const consul = consulSnapshot({ vault: [consulInstance("n1", "vault-1", "10.0.0.1")] });
    const mine = ours("srv-1", "vault", {
      "user-1": { AWS_INSTANCE_IPV4: "10.9.9.9", "fargate-operator-sync": "someone" },
      [ID1]: { AWS_INSTANCE_IPV4: "10.0.0.1" },
    });
    const p = plan(consul, cloudMapSnapshot([mine]), {
      now: 10_000_000,
      grace: new Map([["srv-1/user-1", 0]]),
    });
    expect(p.writes).toEqual([]);
    expect(p.problems).toEqual([expect.stringMatching(/not this CatalogSync's; left alone/)]);
  });

  it("removes an instance that left Consul only after the grace; its return cancels the wait", () => {
    const consul = consulSnapshot({ vault: [consulInstance("n1", "vault-1", "10.0.0.1")] });
    const both = cloudMapSnapshot([
      ours(
        "srv-1",
        "vault",
        { [ID1]: attrs("n1", "vault-1", "10.0.0.1"), [ID2]: attrs("n2", "vault-2", "10.0.0.2") },
        { [ID1]: "HEALTHY", [ID2]: "HEALTHY" },
      ),
    ]);
    const first = plan(consul, both, { now: 0 });
    expect(first.writes).toEqual([]);
    expect(first.nextGraceAt).toBe(30_000);
    const before = plan(consul, both, { now: 29_999, grace: first.grace });
    expect(before.writes).toEqual([]);
    const after = plan(consul, both, { now: 30_000, grace: before.grace });
    expect(after.writes).toEqual([
      { kind: "deregisterInstance", serviceId: "srv-1", instanceId: ID2, why: "vanished" },
    ]);

    const back = consulSnapshot({
      vault: [consulInstance("n1", "vault-1", "10.0.0.1"), consulInstance("n2", "vault-2", "10.0.0.2")],
    });
    const returned = plan(back, both, { now: 20_000, grace: first.grace });
    expect(returned.grace.size).toBe(0);
    expect(returned.writes).toEqual([]);
  });

  it("writes nothing that depends on a failed read (Consul or Cloud Map), and keeps the grace waiting", () => {
    const grace: GraceState = new Map([[`srv-1/${ID2}`, 0]]);
    const cm = cloudMapSnapshot([ours("srv-1", "vault", { [ID2]: attrs("n2", "vault-2", "10.0.0.2") })]);
    const staleService = consulSnapshot({ vault: [] }, {}, { fresh: false });
    const a = plan(staleService, cm, { grace, now: 1_000_000 });
    expect(a.writes).toEqual([]);
    expect(a.grace).toEqual(grace);

    const staleList = consulSnapshot({}, { listFresh: false, names: new Set() });
    const b = plan(staleList, cm, { grace, now: 1_000_000 });
    expect(b.writes).toEqual([]);
    expect(b.grace).toEqual(grace);

    const staleCloudMap = cloudMapSnapshot([
      ours("srv-1", "vault", { [ID2]: attrs("n2", "vault-2", "10.0.0.2") }, {}, { fresh: false }),
    ]);
    expect(plan(consulSnapshot({ vault: [] }), staleCloudMap, { grace, now: 1_000_000 }).writes).toEqual([]);

    expect(
      plan(consulSnapshot({ vault: [] }), { known: false, services: [], gone: new Set() }).writes,
    ).toEqual([]);
    expect(plan({ ...consulSnapshot({}), listKnown: false }, cm).writes).toEqual([]);
  });

  it("a Consul service gone from the catalog: instances after the grace, then the empty service", () => {
    const cm = cloudMapSnapshot([ours("srv-1", "vault", { [ID1]: attrs("n1", "vault-1", "10.0.0.1") })]);
    const gone = consulSnapshot({});
    expect(plan(gone, cm, { now: 0 }).writes).toEqual([]);
    const due = plan(gone, cm, { now: 30_000, grace: new Map([[`srv-1/${ID1}`, 0]]) });
    expect(due.writes).toEqual([
      { kind: "deregisterInstance", serviceId: "srv-1", instanceId: ID1, why: "vanished" },
    ]);
    expect(plan(gone, cloudMapSnapshot([ours("srv-1", "vault")])).writes).toEqual([
      { kind: "deleteService", serviceId: "srv-1", name: "vault" },
    ]);
    // Still listed in Consul but with no instance left: the same.
    expect(plan(consulSnapshot({ vault: [] }), cloudMapSnapshot([ours("srv-1", "vault")])).writes).toEqual([
      { kind: "deleteService", serviceId: "srv-1", name: "vault" },
    ]);
  });

  it("removes at once what the configuration excludes now (our service, our instances)", () => {
    const cm = cloudMapSnapshot([ours("srv-1", "vault-dev", { [ID1]: attrs("n1", "v", "10.0.0.1") })]);
    const consul = consulSnapshot({}, { names: new Set(["vault-dev"]) });
    const p = plan(consul, cm, { settings: { ...ALL, exclude: ["*-dev"] } });
    expect(p.writes).toEqual([
      { kind: "deregisterInstance", serviceId: "srv-1", instanceId: ID1, why: "deliberate" },
    ]);
  });

  it("skips (and names) instances whose address is not IPv4, and invalid Cloud Map names", () => {
    const consul = consulSnapshot({
      vault: [consulInstance("n1", "vault-1", "vault.example.com")],
      "bad name": [consulInstance("n1", "x", "10.0.0.1")],
    });
    const p = plan(consul, cloudMapSnapshot([ours("srv-1", "vault")]));
    expect(p.writes).toEqual([]);
    expect(p.problems).toEqual([
      expect.stringMatching(/vault-1 on n1: address vault.example.com is not IPv4/),
      expect.stringMatching(/"bad name" is not a valid Cloud Map service name/),
    ]);
  });

  it("orders additions before removals", () => {
    const consul = consulSnapshot({
      db: [consulInstance("n3", "db-1", "10.0.0.3")],
      vault: [consulInstance("n1", "vault-1", "10.0.0.1")],
    });
    const cm = cloudMapSnapshot([ours("srv-1", "vault", { [ID2]: attrs("n2", "vault-2", "10.0.0.2") })]);
    const kinds = plan(consul, cm, { graceMs: 0 }).writes.map((w) => w.kind);
    expect(kinds).toEqual(["createService", "registerInstance", "deregisterInstance"]);
  });
});
