/** Ownership markers: only what carries this CatalogSync's uid is ever changed; look-alikes never are. */
import { describe, expect, it } from "vitest";
import { TagKey } from "../../../src/render/names.js";
import { isOwnEntry, isOwnService } from "../../../src/sync/names.js";
import { planToCloudMap } from "../../../src/sync/plan-to-cloud-map.js";
import { planToConsul } from "../../../src/sync/plan-to-consul.js";
import { ALL, cloudMapSnapshot, consulSnapshot, OWNER, service, UID } from "./fixtures.js";

describe("ownership markers", () => {
  it("a Cloud Map service is ours only with our uid in the sync-owner tag", () => {
    expect(isOwnService({ [TagKey.SyncOwner]: UID }, UID)).toBe(true);
    expect(isOwnService({ [TagKey.SyncOwner]: "another-uid" }, UID)).toBe(false);
    expect(isOwnService({ [TagKey.Uid]: UID }, UID)).toBe(false);
    expect(isOwnService({ "fargate-operator-sync": UID }, UID)).toBe(false);
    expect(isOwnService(undefined, UID)).toBe(false);
  });

  it("a Consul registration or Cloud Map instance is ours only with our uid in fargate-operator-sync", () => {
    expect(isOwnEntry({ "fargate-operator-sync": UID, "external-source": "fargate-operator" }, UID)).toBe(
      true,
    );
    expect(isOwnEntry({ "external-source": "fargate-operator" }, UID)).toBe(false);
    expect(isOwnEntry({ "fargate-operator-sync": "another-uid" }, UID)).toBe(false);
    expect(isOwnEntry({ [TagKey.SyncOwner]: UID }, UID)).toBe(false);
  });

  it("a look-alike Cloud Map service (another uid) with our instance-like attributes is never written to", () => {
    const lookAlike = service(
      "srv-9",
      "vault",
      { [TagKey.SyncOwner]: "another-uid" },
      { "c-1": { AWS_INSTANCE_IPV4: "10.0.0.1", "fargate-operator-sync": UID } },
    );
    const plan = planToCloudMap({
      owner: OWNER,
      namespaceId: "ns-1",
      settings: ALL,
      ttl: 10,
      cloudMap: cloudMapSnapshot([lookAlike]),
      consul: consulSnapshot({}),
      grace: new Map([["srv-9/c-1", 0]]),
      now: 10_000_000,
      graceMs: 0,
    });
    expect(plan.writes).toEqual([]);
  });

  it("Consul registrations without our uid are never deregistered, unless they squat an ID the engine derives", () => {
    // The Consul side hands the planner only isOwnEntry registrations; everything else is foreign. An ID the
    // engine derives for one of its instances on its own node is the engine's, so a squatter there is taken back.
    const plan = planToConsul({
      owner: OWNER,
      dnsName: "prod.internal",
      settings: ALL,
      node: "fargate-operator-prod-internal",
      cloudMap: cloudMapSnapshot([service("srv-1", "db", {}, { i1: { AWS_INSTANCE_IPV4: "10.0.0.1" } })]),
      registrations: new Map(),
      foreignIds: new Set(["db:i1", "db:hand-made", "other"]),
      grace: new Map(),
      now: 0,
      graceMs: 0,
    });
    expect(plan.writes.map((w) => [w.kind, w.kind === "register" ? w.view.serviceId : w.serviceId])).toEqual([
      ["deregister", "db:i1"],
      ["register", "db:i1"],
    ]);
    expect(plan.problems).toEqual([
      expect.stringMatching(/db:i1 .* was registered by someone else; taken back/),
    ]);
  });
});
