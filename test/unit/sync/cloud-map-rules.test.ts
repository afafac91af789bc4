/**
 * Consul values checked against Cloud Map's RegisterInstance rules before any write: a bad entry is skipped and
 * named, the rest of its service (and of the round) is synced, and Cloud Map refusing one instance anyway does not
 * end the round either.
 */
import { describe, expect, it } from "vitest";
import { AwsInvalidRequestError } from "../../../src/aws/errors.js";
import { ManualClock } from "../../../src/clock.js";
import { silentLogger } from "../../../src/log.js";
import { applyToCloudMap } from "../../../src/sync/apply-cloud-map.js";
import { attributeProblems, brief, instanceIdProblems } from "../../../src/sync/cloud-map-rules.js";
import { CloudMapView } from "../../../src/sync/cloud-map-view.js";
import { cloudMapInstanceId } from "../../../src/sync/names.js";
import { WriteLimiter } from "../../../src/sync/pacing.js";
import { planToCloudMap } from "../../../src/sync/plan-to-cloud-map.js";
import { FakeCloudMap } from "../../support/fake-cloud-map.js";
import { ALL, cloudMapSnapshot, consulInstance, consulSnapshot, OWNER, ours } from "./fixtures.js";

describe("Cloud Map's attribute and instance id rules", () => {
  it("accepts what the engine writes for an ordinary Consul instance", () => {
    expect(
      attributeProblems({
        AWS_INSTANCE_IPV4: "10.0.0.1",
        AWS_INSTANCE_PORT: "8200",
        "consul-node": "ip-10-0-0-1.ec2.internal",
        "consul-service-id": "vault:10.0.0.1:8200",
        "with-inner-space": "a b\tc",
      }),
    ).toEqual([]);
    expect(instanceIdProblems(cloudMapInstanceId("n1", "vault-1"))).toEqual([]);
  });

  it("refuses long values, non-ASCII, leading whitespace, control characters, bad names and too many", () => {
    expect(attributeProblems({ "consul-service-id": "x".repeat(3_026) })).toEqual([
      "attribute consul-service-id value has 3026 characters (Cloud Map allows 1024)",
    ]);
    expect(attributeProblems({ "consul-node": "nöde-1" })).toEqual([
      'attribute consul-node value "nöde-1" is not printable ASCII',
    ]);
    expect(attributeProblems({ a: " lead" })).toHaveLength(1);
    expect(attributeProblems({ a: "bell\u0007" })).toHaveLength(1);
    expect(attributeProblems({ "has space": "v" })).toEqual([
      'attribute name "has space" is not printable ASCII',
    ]);
    expect(attributeProblems({ ["k".repeat(256)]: "v" })[0]).toMatch(
      /256 characters \(Cloud Map allows 255\)/,
    );
    const many = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, "v"]));
    expect(attributeProblems(many)).toEqual(["31 custom attributes (Cloud Map allows 30)"]);
    const big = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`k${i}`, "v".repeat(1_000)]));
    expect(attributeProblems(big)).toEqual(["attributes total 6012 characters (Cloud Map allows 5000)"]);
    expect(instanceIdProblems("a".repeat(65))).toHaveLength(1);
    expect(instanceIdProblems("a b")).toHaveLength(1);
  });

  it("shows Consul values briefly: plain when short ASCII, quoted and cut otherwise", () => {
    expect(brief("vault-1")).toBe("vault-1");
    expect(brief("nöde")).toBe('"nöde"');
    expect(brief("y".repeat(3_026))).toBe(`"${"y".repeat(48)}"… (3026 characters)`);
  });
});

describe("planToCloudMap with Consul values Cloud Map refuses", () => {
  it("skips and names each bad entry and still registers the good one of the same service", () => {
    const longId = `web-${"x".repeat(3_022)}`;
    const consul = consulSnapshot({
      web: [
        consulInstance("n1", longId, "10.0.0.1"),
        consulInstance("nöde-2", "web-2", "10.0.0.2"),
        consulInstance("n3", "web-3", "10.0.0.3"),
      ],
    });
    const p = planToCloudMap({
      owner: OWNER,
      namespaceId: "ns-1",
      settings: ALL,
      ttl: 10,
      cloudMap: cloudMapSnapshot([ours("srv-1", "web")]),
      consul,
      grace: new Map(),
      now: 0,
      graceMs: 30_000,
    });
    expect(p.writes.map((w) => (w.kind === "registerInstance" ? w.instanceId : w.kind))).toEqual([
      cloudMapInstanceId("n3", "web-3"),
    ]);
    expect(p.problems).toEqual([
      expect.stringMatching(
        /^Consul web instance "web-x{44}"… \(3026 characters\) on n1: attribute consul-service-id value has 3026 characters .*; not synced$/,
      ),
      'Consul web instance web-2 on "nöde-2": attribute consul-node value "nöde-2" is not printable ASCII; not synced',
    ]);
    // Never the whole value in a message.
    expect(p.problems.join("").length).toBeLessThan(400);
  });
});

describe("applyToCloudMap", () => {
  it("goes on past an instance Cloud Map refuses, naming it, and ends the round on other failures", async () => {
    const clock = new ManualClock();
    const cloudMap = new FakeCloudMap();
    const ns = cloudMap.putNamespace({ name: "prod.internal", vpc: "vpc-1" });
    const svc = cloudMap.putService(ns.id, "web");
    const view = new CloudMapView({
      cloudMap,
      clock,
      namespace: { id: ns.id, dnsName: "prod.internal" },
      uid: OWNER.uid,
      toConsul: ALL,
      followOwn: true,
      resyncMs: 60_000,
    });
    const ctx = {
      cloudMap,
      view,
      limiter: new WriteLimiter(clock, { perSecond: 1_000, burst: 1_000 }),
      uid: OWNER.uid,
      log: silentLogger(),
    };
    const register = (instanceId: string) => ({
      kind: "registerInstance" as const,
      serviceId: svc.id,
      instanceId,
      attributes: { AWS_INSTANCE_IPV4: "10.0.0.1" },
    });
    cloudMap.failNext(
      "registerInstance",
      new AwsInvalidRequestError("servicediscovery:RegisterInstance failed: InvalidInput: bad attribute", {
        service: "servicediscovery",
        operation: "RegisterInstance",
        code: "InvalidInput",
      }),
    );
    const health = {
      kind: "setHealth" as const,
      serviceId: svc.id,
      instanceId: "a",
      status: "UNHEALTHY" as const,
    };
    const round = await applyToCloudMap(
      [register("a"), health, register("b")],
      ctx,
      new AbortController().signal,
    );
    expect(round.error).toBeUndefined();
    expect(round.written).toBe(1);
    expect(round.problems).toEqual([
      `Cloud Map refused registerInstance of instance ${svc.id}/a: ${"servicediscovery:RegisterInstance failed: InvalidInput: bad attribute"}`,
    ]);
    expect((await cloudMap.listInstances(svc.id)).map((i) => i.id)).toEqual(["b"]);
    // The health update of the refused instance was not even tried.
    expect(cloudMap.count("updateInstanceCustomHealthStatus")).toBe(0);

    cloudMap.failNext("registerInstance", new Error("socket hang up"));
    const failed = await applyToCloudMap([register("c"), register("d")], ctx, new AbortController().signal);
    expect(failed.error).toBe("socket hang up");
    expect(failed.written).toBe(0);
  });
});
