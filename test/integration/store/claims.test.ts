/** Name claims in the table (layout.ts `_claim` items), on DynamoDB Local and moto. */
import { afterEach, describe, expect, it } from "vitest";
import type { DynamoResourceStore } from "../../../src/store/dynamo-store.js";
import { InvalidError } from "../../../src/store/errors.js";
import type { ClaimOwner } from "../../../src/store/types.js";
import { doc, endpointOf, freshStore, STORE_BACKENDS } from "../../support/store-fixtures.js";

const owner = (name: string): ClaimOwner => ({
  kind: "FargateService",
  namespace: "team-a",
  name,
  uid: `uid-${name}`,
});
const SCOPE = "CloudMap/platform/apps-internal";

describe.each(STORE_BACKENDS)("name claims on %s", (_backend, endpointKey) => {
  let store: DynamoResourceStore;
  afterEach(() => store?.destroy());

  it("the first claimant holds a name; later ones get the holder back, concurrent ones too", async () => {
    store = await freshStore(endpointOf(endpointKey));
    expect(await store.getClaim(SCOPE, "web")).toBeUndefined();
    const results = await Promise.all(
      ["a", "b", "c", "d"].map((n) => store.claimName(SCOPE, "web", owner(n))),
    );
    const winner = results[0]?.owner.uid;
    expect(results.every((r) => r.owner.uid === winner)).toBe(true);
    const held = await store.getClaim(SCOPE, "web");
    expect(held).toEqual(results[0]);
    expect(held?.claimedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    // The same name in another scope is another claim.
    expect((await store.claimName("Consul", "web", owner("e"))).owner.name).toBe("e");
    // Claims are no records: they never show up in a list or a watch of any kind.
    expect(await store.list("FargateService")).toEqual([]);
  });

  it("a stale claim is taken over only while it is exactly what the taker saw", async () => {
    store = await freshStore(endpointOf(endpointKey));
    const stale = await store.claimName(SCOPE, "web", owner("gone"));
    const [first, second] = await Promise.all([
      store.takeOverClaim(stale, owner("x")),
      store.takeOverClaim(stale, owner("y")),
    ]);
    expect(first.owner.uid).toBe(second.owner.uid);
    expect((await store.getClaim(SCOPE, "web"))?.owner.uid).toBe(first.owner.uid);
    // A taker that saw an older claim changes nothing.
    expect((await store.takeOverClaim(stale, owner("z"))).owner.uid).toBe(first.owner.uid);
    // Released meanwhile: the taker simply claims it.
    await store.releaseClaim(SCOPE, "web", first.owner.uid);
    expect((await store.takeOverClaim(stale, owner("z"))).owner.name).toBe("z");
  });

  it("a release deletes only the owner's own claim", async () => {
    store = await freshStore(endpointOf(endpointKey));
    await store.claimName(SCOPE, "web", owner("a"));
    await store.releaseClaim(SCOPE, "web", "uid-b");
    await store.releaseClaim(SCOPE, "other", "uid-a");
    expect((await store.getClaim(SCOPE, "web"))?.owner.name).toBe("a");
    await store.releaseClaim(SCOPE, "web", "uid-a");
    expect(await store.getClaim(SCOPE, "web")).toBeUndefined();
  });

  it("refuses scopes and names that cannot be keys, and sits beside records without touching them", async () => {
    store = await freshStore(endpointOf(endpointKey));
    await expect(store.claimName("", "web", owner("a"))).rejects.toBeInstanceOf(InvalidError);
    await expect(store.claimName(SCOPE, "we#b", owner("a"))).rejects.toBeInstanceOf(InvalidError);
    await store.create(doc("FargateService", "web", {}, { namespace: "team-a" }));
    await store.claimName(SCOPE, "web", owner("web"));
    expect((await store.list("FargateService")).map((r) => r.metadata.name)).toEqual(["web"]);
    expect((await store.list("FargateService", { namespace: "team-a" })).map((r) => r.metadata.name)).toEqual(
      ["web"],
    );
  });
});
