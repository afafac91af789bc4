import { describe, expect, it } from "vitest";
import { TagKey } from "../../../src/render/names.js";
import type { CloudMapSnapshot, OwnedRegistration } from "../../../src/sync/model.js";
import { planToConsul, type ToConsulInput } from "../../../src/sync/plan-to-consul.js";
import { ALL, cloudMapSnapshot, OWNER, ours, registration, service, UID } from "./fixtures.js";

const NODE = "fargate-operator-prod-internal";
const fargateTags = {
  [TagKey.Uid]: "fs-uid",
  [TagKey.ConsulRegister]: "true",
  [TagKey.ConsulTags]: "v1",
  [`${TagKey.ConsulMetaPrefix}team`]: "payments",
};
const task = (ip: string) => ({
  AWS_INSTANCE_IPV4: ip,
  AWS_INSTANCE_PORT: "8080",
  ECS_SERVICE_NAME: "default-web",
  ECS_CLUSTER_NAME: "apps",
});

function plan(
  cloudMap: CloudMapSnapshot,
  registrations: ReadonlyMap<string, OwnedRegistration> | undefined,
  extra: Partial<ToConsulInput> = {},
): ReturnType<typeof planToConsul> {
  return planToConsul({
    owner: OWNER,
    dnsName: "prod.internal",
    settings: ALL,
    node: NODE,
    cloudMap,
    registrations,
    grace: new Map(),
    now: 100_000,
    graceMs: 30_000,
    ...extra,
  });
}

/** The registration view the planner would write for a web task. */
const webView = (
  taskId: string,
  ip: string,
  status: "passing" | "critical" = "passing",
): OwnedRegistration => ({
  serviceId: `web:${taskId}`,
  name: "web",
  tags: ["v1"],
  address: ip,
  port: 8080,
  meta: {
    team: "payments",
    "fargate-operator-sync": UID,
    "external-source": "fargate-operator",
    "cloudmap-service-id": "srv-web",
    "cloudmap-namespace": "prod.internal",
    "cloudmap-instance-id": taskId,
    "cloudmap-ecs-service": "default-web",
  },
  checkStatus: status,
});

describe("planToConsul", () => {
  it("registers each task on the synthetic node with tags, meta (ours last) and a check from Cloud Map health", () => {
    const web = service(
      "srv-web",
      "web",
      fargateTags,
      { t1: task("10.0.0.1"), t2: task("10.0.0.2") },
      {
        t1: "HEALTHY",
        t2: "UNHEALTHY",
      },
    );
    const p = plan(cloudMapSnapshot([web]), new Map());
    expect(p.writes).toHaveLength(2);
    expect(p.writes[0]).toEqual({
      kind: "register",
      view: webView("t1", "10.0.0.1"),
      registration: {
        node: NODE,
        address: "prod.internal",
        nodeMeta: { "external-source": "fargate-operator" },
        skipNodeUpdate: true,
        service: {
          id: "web:t1",
          name: "web",
          tags: ["v1"],
          address: "10.0.0.1",
          port: 8080,
          meta: webView("t1", "10.0.0.1").meta,
        },
        checks: [
          {
            checkId: "fargate-operator:web:t1",
            name: "Cloud Map health",
            status: "passing",
            serviceId: "web:t1",
            output: "Cloud Map: HEALTHY or UNKNOWN",
          },
        ],
      },
    });
    // UNHEALTHY is critical: the instance stays, visibly failing.
    expect(p.writes[1]).toMatchObject({ kind: "register", view: webView("t2", "10.0.0.2", "critical") });
  });

  it("uses the consul-port tag when ECS registered no port (A-only services), the instance's port otherwise", () => {
    const aOnly = {
      AWS_INSTANCE_IPV4: "10.0.0.7",
      ECS_SERVICE_NAME: "default-web",
      ECS_CLUSTER_NAME: "apps",
    };
    const tags = { ...fargateTags, [TagKey.ConsulPort]: "9090" };
    const p = plan(
      cloudMapSnapshot([service("srv-web", "web", tags, { t1: aOnly, t2: task("10.0.0.8") })]),
      new Map(),
    );
    const ports = p.writes.map((w) => (w.kind === "register" ? w.registration.service?.port : undefined));
    expect(ports).toEqual([9090, 8080]);
  });

  it("a user's meta cannot replace the ownership marker", () => {
    const tags = { ...fargateTags, [`${TagKey.ConsulMetaPrefix}fargate-operator-sync`]: "forged" };
    const p = plan(cloudMapSnapshot([service("srv-web", "web", tags, { t1: task("10.0.0.1") })]), new Map());
    expect(p.writes[0]).toMatchObject({ view: { meta: { "fargate-operator-sync": UID } } });
  });

  it("writes nothing when Consul already holds exactly that; re-registers on any difference", () => {
    const web = service("srv-web", "web", fargateTags, { t1: task("10.0.0.1") }, { t1: "HEALTHY" });
    const synced = new Map([["web:t1", webView("t1", "10.0.0.1")]]);
    expect(plan(cloudMapSnapshot([web]), synced).writes).toEqual([]);
    const critical = new Map([["web:t1", webView("t1", "10.0.0.1", "critical")]]);
    expect(plan(cloudMapSnapshot([web]), critical).writes.map((w) => w.kind)).toEqual(["register"]);
    const { checkStatus: _dropped, ...withoutCheck } = webView("t1", "10.0.0.1");
    const noCheck = new Map<string, OwnedRegistration>([["web:t1", withoutCheck]]);
    expect(plan(cloudMapSnapshot([web]), noCheck).writes).toHaveLength(1);
  });

  it("removes a stopped ECS task at once (no grace)", () => {
    const web = service("srv-web", "web", fargateTags, { t1: task("10.0.0.1") }, { t1: "HEALTHY" });
    const regs = new Map([
      ["web:t1", webView("t1", "10.0.0.1")],
      ["web:t0", webView("t0", "10.0.0.9")],
    ]);
    expect(plan(cloudMapSnapshot([web]), regs).writes).toEqual([
      { kind: "deregister", serviceId: "web:t0", why: "deliberate" },
    ]);
  });

  it("hand-made services: filters and prefix; a vanished instance only after the grace, cancelled on return", () => {
    const { healthCheck: _none, ...legacy } = service(
      "srv-l",
      "legacy-db",
      {},
      { i1: { AWS_INSTANCE_IPV4: "10.9.0.1" } },
    );
    const other = service("srv-o", "other", {}, { i1: { AWS_INSTANCE_IPV4: "10.9.0.2" } });
    const settings = { ...ALL, include: ["legacy-*"], prefix: "cm-" };
    const p = plan(cloudMapSnapshot([legacy, other]), new Map(), { settings });
    expect(p.writes.map((w) => (w.kind === "register" ? w.view.name : w.kind))).toEqual(["cm-legacy-db"]);

    const stale = registration("legacy-db:i0", "cm-legacy-db", "srv-l");
    const regs = new Map([["legacy-db:i0", stale]]);
    const waiting = plan(cloudMapSnapshot([legacy]), regs, { settings, now: 0 });
    expect(waiting.writes.filter((w) => w.kind === "deregister")).toEqual([]);
    expect(waiting.nextGraceAt).toBe(30_000);
    const before = plan(cloudMapSnapshot([legacy]), regs, { settings, now: 29_999, grace: waiting.grace });
    expect(before.writes.filter((w) => w.kind === "deregister")).toEqual([]);
    const after = plan(cloudMapSnapshot([legacy]), regs, { settings, now: 30_000, grace: before.grace });
    expect(after.writes.filter((w) => w.kind === "deregister")).toEqual([
      { kind: "deregister", serviceId: "legacy-db:i0", why: "vanished" },
    ]);
    const back = service("srv-l", "legacy-db", {}, { i0: { AWS_INSTANCE_IPV4: "10.9.0.3" } });
    expect(
      plan(cloudMapSnapshot([back]), regs, { settings, now: 20_000, grace: waiting.grace }).grace.size,
    ).toBe(0);
  });

  it("removes at once: a service confirmed deleted, a service no longer asked for", () => {
    const regs = new Map([["web:t1", webView("t1", "10.0.0.1")]]);
    expect(plan(cloudMapSnapshot([], ["srv-web"]), regs).writes).toEqual([
      { kind: "deregister", serviceId: "web:t1", why: "deliberate" },
    ]);
    const off = service("srv-web", "web", { [TagKey.Uid]: "fs-uid" }, { t1: task("10.0.0.1") });
    expect(plan(cloudMapSnapshot([off]), regs).writes).toEqual([
      { kind: "deregister", serviceId: "web:t1", why: "deliberate" },
    ]);
  });

  it("writes nothing that depends on a failed read", () => {
    const regs = new Map([["web:t1", webView("t1", "10.0.0.1")]]);
    // Consul could not be read.
    const web = service("srv-web", "web", fargateTags, { t2: task("10.0.0.2") });
    expect(plan(cloudMapSnapshot([web]), undefined).writes).toEqual([]);
    // The namespace was never listed.
    expect(plan({ known: false, services: [], gone: new Set() }, regs).writes).toEqual([]);
    // The service's last read failed, or its tags are not known yet: its registrations stay.
    const stale = service("srv-web", "web", fargateTags, {}, {}, { fresh: false });
    expect(plan(cloudMapSnapshot([stale]), regs, { grace: new Map([["web:t1", 0]]) }).writes).toEqual([]);
    const untagged = service("srv-web", "web", undefined, {});
    expect(plan(cloudMapSnapshot([untagged]), regs).writes).toEqual([]);
    // Left the list but not confirmed deleted.
    expect(plan(cloudMapSnapshot([]), regs).writes).toEqual([]);
  });

  it("never mirrors its own services back, and takes back its own ID from someone else's registration", () => {
    const mine = ours("srv-v", "vault", { "c-1": { AWS_INSTANCE_IPV4: "10.0.0.1" } });
    expect(plan(cloudMapSnapshot([mine]), new Map()).writes).toEqual([]);
    const web = service("srv-web", "web", fargateTags, { t1: task("10.0.0.1") });
    const p = plan(cloudMapSnapshot([web]), new Map(), { foreignIds: new Set(["web:t1", "web:other"]) });
    // Deregistered first (dropping the squatter's checks with it), then registered as ours.
    expect(p.writes).toEqual([
      { kind: "deregister", serviceId: "web:t1", why: "taken back" },
      expect.objectContaining({ kind: "register", view: webView("t1", "10.0.0.1") }),
    ]);
    expect(p.problems).toEqual([
      `Consul service ID web:t1 on ${NODE} was registered by someone else; taken back`,
    ]);
  });

  it("takes back its registration when someone hung a check of theirs on it, and reports foreign node checks", () => {
    const web = service("srv-web", "web", fargateTags, { t1: task("10.0.0.1") });
    const regs = new Map([["web:t1", webView("t1", "10.0.0.1")]]);
    const p = plan(cloudMapSnapshot([web]), regs, {
      tamperedIds: new Set(["web:t1"]),
      foreignNodeChecks: ["maintenance"],
    });
    expect(p.writes.map((w) => w.kind)).toEqual(["deregister", "register"]);
    expect(p.problems).toEqual([
      expect.stringMatching(/node check maintenance on .* is not this CatalogSync's/),
      expect.stringMatching(/web:t1 .* carries checks that are not ours; taken back/),
    ]);
    expect(plan(cloudMapSnapshot([web]), regs).writes).toEqual([]);
  });

  it("names instances without an address; takes a CNAME or IPv6 address when there is no IPv4", () => {
    const svc = service("srv-x", "x", {}, { a: {}, b: { AWS_INSTANCE_CNAME: "x.example.com" } });
    const p = plan(cloudMapSnapshot([svc]), new Map());
    expect(p.writes.map((w) => (w.kind === "register" ? w.view.address : ""))).toEqual(["x.example.com"]);
    expect(p.problems).toEqual([expect.stringMatching(/instance a of x has no address/)]);
  });
});
