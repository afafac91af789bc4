/**
 * The CatalogSync reconciler under NamespacePolicies and the token rules: a refused record starts nothing and
 * calls nothing; a running owner refused by a policy change stops, removes what it mirrored and frees the
 * namespace; a token never reaches an address its policy does not allow, in either placement.
 */
import { describe, expect, it } from "vitest";
import type { NamespacePolicySpec, PolicyLookup } from "../../../../src/reconcilers/policy/lookup.js";
import { SyncKey } from "../../../../src/sync/names.js";
import { catalogSync, condition, SETTINGS, setup } from "./reconciler-harness.js";

const PLATFORM_REF = { name: "apps-internal", namespace: "platform" };
const SECRETS = "arn:aws:secretsmanager:us-east-1:123456789012:secret:consul/";
const TASK = {
  cluster: "team-x",
  subnets: ["subnet-1"],
  securityGroups: ["sg-1"],
  taskRoleArn: "arn:aws:iam::123456789012:role/sync",
  executionRoleArn: "arn:aws:iam::123456789012:role/exec",
};

/** Policies by governed namespace, changeable during a test. */
function policies(initial: Record<string, NamespacePolicySpec> = {}) {
  const byNamespace = new Map(Object.entries(initial));
  const lookup: PolicyLookup = {
    policyFor: (namespace) => {
      const spec = byNamespace.get(namespace);
      return spec === undefined ? undefined : { name: `fargate-system/${namespace}`, spec };
    },
  };
  return { lookup, byNamespace };
}

describe("CatalogSync and NamespacePolicy", () => {
  it("a cross-namespace reference the policy does not allow is PolicyViolation, before any call", async () => {
    const p = policies({ "team-x": { cloudMapNamespaces: ["{namespace}/*"] } });
    const t = await setup({ policies: p.lookup });
    await t.store.create(catalogSync("squat", { cloudMapNamespaceRef: PLATFORM_REF }, "team-x"));
    t.cloudMap.resetCalls();
    expect(await t.pass("squat", "team-x")).toEqual({ type: "done" });
    const squat = await t.read("CatalogSync", "squat", "team-x");
    expect(condition(squat, "Ready")).toMatchObject({ status: "False", reason: "PolicyViolation" });
    expect(condition(squat, "Stalled")).toMatchObject({ status: "True" });
    expect((condition(squat, "Ready") as { message?: string }).message).toBe(
      "NamespacePolicy fargate-system/team-x governs team-x: spec.cloudMapNamespaceRef platform/apps-internal is not allowed (cloudMapNamespaces: [{namespace}/*])",
    );
    expect(squat.metadata.finalizers).toEqual([]);
    expect(t.engines).toHaveLength(0);
    expect(t.consulOptions).toEqual([]);
    expect(t.cloudMap.calls).toEqual([]);
  });

  it("a policy change that refuses the running owner stops it, removes its mirror and frees the namespace", async () => {
    const p = policies();
    const t = await setup({ policies: p.lookup });
    await t.store.create(catalogSync("squat", { cloudMapNamespaceRef: PLATFORM_REF }, "team-x"));
    await t.pass("squat", "team-x");
    const squat = await t.read("CatalogSync", "squat", "team-x");
    expect(t.engines[0]?.running).toBe(true);
    // What its engine mirrored into Cloud Map (an instance carrying its uid).
    const evil = t.cloudMap.putService(t.ns.id, "evil");
    await t.cloudMap.registerInstance(evil.id, "i-1", { [SyncKey.Owner]: squat.metadata.uid });
    await t.store.create(catalogSync("apps"));
    await t.pass("apps");
    expect(condition(await t.read("CatalogSync", "apps"), "Ready")).toMatchObject({
      reason: "NamespaceAlreadySynced",
    });

    p.byNamespace.set("team-x", { cloudMapNamespaces: ["{namespace}/*"] });
    expect(await t.pass("squat", "team-x")).toEqual({ type: "done" });
    const refused = await t.read("CatalogSync", "squat", "team-x");
    expect(condition(refused, "Ready")).toMatchObject({ reason: "PolicyViolation" });
    expect(refused.status).not.toHaveProperty("namespaceId");
    expect(refused.status).not.toHaveProperty("sync");
    expect(t.engines[0]?.running).toBe(false);
    expect(await t.cloudMap.listInstances(evil.id)).toEqual([]);

    await t.pass("apps");
    expect(t.engines.map((e) => [e.config.owner.name, e.running])).toEqual([
      ["squat", false],
      ["apps", true],
    ]);
    await t.reconciler.stop?.();
  });
});

describe("Consul tokens go only where the policy allows", () => {
  const teamX: NamespacePolicySpec = {
    consulAddresses: ["https://consul.{namespace}.internal:8501"],
    consulTokenSources: ["env:CONSUL_TOKEN_DC1"],
  };

  it("an address outside consulAddresses is PolicyViolation and gets no token (no connection at all)", async () => {
    const t = await setup({ policies: policies({ "team-x": teamX }).lookup });
    const consul = { address: "https://attacker.example:8501", tokenFrom: { env: "CONSUL_TOKEN_DC1" } };
    await t.store.create(catalogSync("sync", { cloudMapNamespaceRef: PLATFORM_REF, consul }, "team-x"));
    await t.pass("sync", "team-x");
    expect(condition(await t.read("CatalogSync", "sync", "team-x"), "Ready")).toMatchObject({
      reason: "PolicyViolation",
    });
    expect(t.consulOptions).toEqual([]);
    expect(t.engines).toHaveLength(0);

    await t.store.apply(
      catalogSync(
        "sync",
        {
          cloudMapNamespaceRef: PLATFORM_REF,
          consul: { ...consul, address: "https://consul.team-x.internal:8501" },
        },
        "team-x",
      ),
    );
    await t.pass("sync", "team-x");
    expect(t.consulOptions).toEqual([{ address: "https://consul.team-x.internal:8501", token: "dc1-token" }]);
    await t.reconciler.stop?.();
  });

  it("without a policy, a token never goes to a spec's plain http address", async () => {
    const t = await setup();
    const consul = { address: "http://10.9.9.9:8500", tokenFrom: { env: "CONSUL_TOKEN_DC1" } };
    await t.store.create(catalogSync("sync", { consul }));
    await t.pass("sync");
    const refused = await t.read("CatalogSync", "sync");
    expect(condition(refused, "Ready")).toMatchObject({ status: "False", reason: "InsecureConsulAddress" });
    expect(t.consulOptions).toEqual([]);
    expect(t.engines).toHaveLength(0);
  });

  it("placement task: the sync task is not created with a token for a disallowed address", async () => {
    const settings = { ...SETTINGS, consul: { ...SETTINGS.consul, tokenSecretPrefixes: [SECRETS] } };
    const t = await setup({ settings });
    const consul = { address: "http://10.9.9.9:8500", tokenFrom: { secretArn: `${SECRETS}team-x` } };
    await t.store.create(catalogSync("sync", { consul, placement: "task", task: TASK }));
    await t.pass("sync");
    expect(condition(await t.read("CatalogSync", "sync"), "Ready")).toMatchObject({
      reason: "InsecureConsulAddress",
    });
    await expect(t.read("FargateService", "sync-sync")).rejects.toThrow(/not found/);

    await t.store.apply(
      catalogSync("sync", {
        consul: { ...consul, address: "https://10.9.9.9:8501" },
        placement: "task",
        task: TASK,
      }),
    );
    await t.pass("sync");
    const child = await t.read("FargateService", "sync-sync");
    const [container] = child.spec.containers as Array<{ secrets?: Record<string, string> }>;
    expect(container?.secrets).toEqual({ CONSUL_HTTP_TOKEN: `${SECRETS}team-x` });
  });
});
