/**
 * CatalogSync between teams, on DynamoDB Local with the real engine and two Consul simulators (the platform's
 * and an attacker's, both on loopback): a tenant's hand-written CatalogSync on the platform's Cloud Map namespace
 * never displaces the platform's sync (not after a Terraform put-item and a controller restart either), a
 * NamespacePolicy refuses a cross-namespace reference, and a Consul token never reaches an address the policy
 * does not allow, nor plain http unless the policy says so.
 */
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, describe, expect, it } from "vitest";
import { API_VERSION } from "../../../src/crds/meta.js";
import { type ConsulSimulator, startConsulSimulator } from "../../../src/dev/consul-sim/index.js";
import type { NamespacePolicySpec, PolicyLookup } from "../../../src/reconcilers/policy/lookup.js";
import { syncLeaseName } from "../../../src/sync/index.js";
import {
  type BenchKind,
  type CatalogSyncBench,
  type CatalogSyncBenchOptions,
  catalogSyncDoc,
  conditionOf,
  namespaceDoc,
  startCatalogSyncBench,
} from "./catalog-sync-bench.js";

let bench: CatalogSyncBench | undefined;
let attacker: ConsulSimulator | undefined;
afterEach(async () => {
  await bench?.close();
  await attacker?.stop();
  bench = undefined;
  attacker = undefined;
});

const SHARED_TOKEN = "shared-platform-token";
const PLATFORM_REF = { name: "apps-internal", namespace: "platform" };
const realDelay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ready = (record: { status?: Record<string, unknown> } | undefined) =>
  conditionOf(record as never, "Ready")?.status === "True";

async function start(options: CatalogSyncBenchOptions = {}) {
  const b = await startCatalogSyncBench(options);
  bench = b;
  const evil = await startConsulSimulator({ clock: b.clock, random: () => 0 });
  attacker = evil;
  evil.control.registerService({ name: "evil", port: 443, address: "203.0.113.7", node: "evil-1" });
  return { b, evil };
}

/** Policies by governed namespace. */
function policies(byNamespace: Record<string, NamespacePolicySpec>): PolicyLookup {
  return {
    policyFor: (namespace) => {
      const spec = byNamespace[namespace];
      return spec === undefined ? undefined : { name: `fargate-system/${namespace}`, spec };
    },
  };
}

async function readyNamespace(b: CatalogSyncBench, namespace: string, name: string, dnsName: string) {
  await b.apply(namespaceDoc(name, namespace, dnsName));
  await b.converge([["CloudMapNamespace", namespace, name]], async () =>
    ready(await b.read("CloudMapNamespace", namespace, name)),
  );
  return String((await b.read("CloudMapNamespace", namespace, name))?.status?.namespaceId);
}

/** Runs passes of `keys` over `ms` of simulated time, engines working in between. */
async function settle(
  b: CatalogSyncBench,
  keys: ReadonlyArray<readonly [BenchKind, string, string]>,
  ms: number,
) {
  for (let elapsed = 0; elapsed < ms; elapsed += 500) {
    for (const key of keys) await b.pass(...key);
    await realDelay(20);
    await b.clock.advance(500);
  }
}

/** A raw item, as `aws dynamodb put-item` or Terraform writes it: no creationTimestamp, status or finalizers. */
async function putItem(b: CatalogSyncBench, namespace: string, name: string, spec: Record<string, unknown>) {
  await b.store.clients.documents.send(
    new PutCommand({
      TableName: b.store.tableName,
      Item: { pk: namespace, sk: `CatalogSync#${name}`, kind: "CatalogSync", apiVersion: API_VERSION, spec },
    }),
  );
}

describe("a tenant's CatalogSync on the platform's Cloud Map namespace", () => {
  it("never displaces the platform's sync, not after a put-item of the platform's record and a restart", async () => {
    const { b, evil } = await start();
    b.consulSim.control.registerService({ name: "vault", port: 8200, address: "10.0.10.5", node: "vault-1" });
    const namespaceId = await readyNamespace(b, "platform", "apps-internal", "apps.internal");
    const platform = ["CatalogSync", "platform", "apps-internal"] as const;
    const tenant = ["CatalogSync", "team-x", "squat"] as const;
    const platformSpec = { cloudMapNamespaceRef: { name: "apps-internal" }, pollIntervalSeconds: 1 };
    await b.apply(catalogSyncDoc("apps-internal", "platform", "apps-internal"));
    await b.converge([platform], async () => ready(await b.read(...platform)));

    await putItem(b, "team-x", "squat", {
      cloudMapNamespaceRef: PLATFORM_REF,
      consul: { address: evil.url },
      pollIntervalSeconds: 1,
    });
    await b.pass(...tenant);
    await b.clock.advance(1_000);
    // Terraform rewrites the platform's record (no creationTimestamp), and the controller restarts.
    await putItem(b, "platform", "apps-internal", platformSpec);
    await b.restartController();
    await settle(b, [tenant, platform], 6_000);

    const squat = await b.read(...tenant);
    expect(conditionOf(squat, "Ready")).toMatchObject({ status: "False", reason: "NamespaceAlreadySynced" });
    expect(conditionOf(squat, "Ready")?.message).toMatch(
      /platform\/apps-internal already syncs apps\.internal/,
    );
    const owner = await b.read(...platform);
    expect(conditionOf(owner, "Ready")).toMatchObject({ status: "True", reason: "Syncing" });
    expect(await b.store.leases.readLease(syncLeaseName(namespaceId))).toMatchObject({
      holder: `bench/${owner?.metadata.uid}`,
    });
    expect(await b.store.syncOwners.readOwner(namespaceId)).toMatchObject({
      uid: owner?.metadata.uid,
      namespace: "platform",
      name: "apps-internal",
    });
    // Nothing reached the attacker's Consul, and nothing of it reached Cloud Map.
    expect(evil.control.requestCounts()).toEqual({});
    const names = (await b.aws.cloudMap.listServices(namespaceId)).map((s) => s.name);
    expect(names).toContain("vault");
    expect(names).not.toContain("evil");
  });

  it("with a policy that keeps team-x to its own namespaces, the reference is PolicyViolation, even once free", async () => {
    const { b, evil } = await start({
      policies: policies({ "team-x": { cloudMapNamespaces: ["{namespace}/*"] } }),
    });
    const namespaceId = await readyNamespace(b, "platform", "apps-internal", "apps.internal");
    const tenant = ["CatalogSync", "team-x", "squat"] as const;
    await putItem(b, "team-x", "squat", {
      cloudMapNamespaceRef: PLATFORM_REF,
      consul: { address: evil.url },
      pollIntervalSeconds: 1,
    });
    await settle(b, [tenant], 3_000);
    const squat = await b.read(...tenant);
    expect(conditionOf(squat, "Ready")).toMatchObject({ status: "False", reason: "PolicyViolation" });
    expect(conditionOf(squat, "Stalled")?.status).toBe("True");
    expect(conditionOf(squat, "Ready")?.message).toMatch(
      /spec\.cloudMapNamespaceRef platform\/apps-internal is not allowed \(cloudMapNamespaces: \[\{namespace\}\/\*\]\)/,
    );
    expect(await b.store.syncOwners.readOwner(namespaceId)).toBeUndefined();
    expect(evil.control.requestCounts()).toEqual({});
  });
});

describe("a running owner that a new policy refuses", () => {
  it("stops, removes what it mirrored, and the platform's CatalogSync takes the namespace", async () => {
    const byNamespace: Record<string, NamespacePolicySpec> = {};
    const { b, evil } = await start({ policies: policies(byNamespace) });
    b.consulSim.control.registerService({ name: "vault", port: 8200, address: "10.0.10.5", node: "vault-1" });
    const namespaceId = await readyNamespace(b, "platform", "apps-internal", "apps.internal");
    const tenant = ["CatalogSync", "team-x", "squat"] as const;
    const platform = ["CatalogSync", "platform", "apps-internal"] as const;
    const cloudMapNames = async () => (await b.aws.cloudMap.listServices(namespaceId)).map((s) => s.name);
    // No policy yet: the tenant came first and owns the namespace; its Consul's services reach Cloud Map.
    await b.apply(
      catalogSyncDoc("squat", "team-x", "apps-internal", {
        cloudMapNamespaceRef: PLATFORM_REF,
        consul: { address: evil.url },
      }),
    );
    await b.converge([tenant], async () => (await cloudMapNames()).includes("evil"));
    await b.apply(catalogSyncDoc("apps-internal", "platform", "apps-internal"));
    await b.pass(...platform);
    expect(conditionOf(await b.read(...platform), "Ready")?.reason).toBe("NamespaceAlreadySynced");

    byNamespace["team-x"] = { cloudMapNamespaces: ["{namespace}/*"] };
    await b.converge([tenant, platform], async () => {
      const names = await cloudMapNames();
      return ready(await b.read(...platform)) && names.includes("vault") && !names.includes("evil");
    });
    const refused = await b.read(...tenant);
    expect(conditionOf(refused, "Ready")).toMatchObject({ status: "False", reason: "PolicyViolation" });
    expect(refused?.status?.namespaceId).toBeUndefined();
    const owner = await b.read(...platform);
    expect(await b.store.syncOwners.readOwner(namespaceId)).toMatchObject({ uid: owner?.metadata.uid });
    expect(await b.store.leases.readLease(syncLeaseName(namespaceId))).toMatchObject({
      holder: `bench/${owner?.metadata.uid}`,
    });
  });
});

describe("Consul tokens and the attacker's address", () => {
  async function tenantSync(b: CatalogSyncBench, evil: ConsulSimulator) {
    await readyNamespace(b, "team-x", "team-ns", "team-x.internal");
    await b.apply(
      catalogSyncDoc("sync", "team-x", "team-ns", {
        consul: { address: evil.url, tokenFrom: { env: "CONSUL_TOKEN_SHARED" } },
      }),
    );
    return ["CatalogSync", "team-x", "sync"] as const;
  }

  it("without a policy: no token over plain http to a spec's address, and no request at all", async () => {
    const { b, evil } = await start({ tokenVariables: { CONSUL_TOKEN_SHARED: SHARED_TOKEN } });
    const key = await tenantSync(b, evil);
    await settle(b, [key], 3_000);
    expect(conditionOf(await b.read(...key), "Ready")).toMatchObject({
      status: "False",
      reason: "InsecureConsulAddress",
    });
    expect(evil.control.presentedTokens()).toEqual([]);
    expect(evil.control.requestCounts()).toEqual({});
  });

  it("with a policy: an address outside consulAddresses is PolicyViolation and receives nothing", async () => {
    const { b, evil } = await start({
      tokenVariables: { CONSUL_TOKEN_SHARED: SHARED_TOKEN },
      policies: policies({
        "team-x": {
          consulAddresses: ["https://consul.{namespace}.internal:8501"],
          consulTokenSources: ["env:CONSUL_TOKEN_SHARED"],
        },
      }),
    });
    const key = await tenantSync(b, evil);
    await settle(b, [key], 3_000);
    const refused = await b.read(...key);
    expect(conditionOf(refused, "Ready")).toMatchObject({ status: "False", reason: "PolicyViolation" });
    expect(conditionOf(refused, "Ready")?.message).toContain(
      `spec.consul.address ${evil.url} is not allowed (consulAddresses: [https://consul.{namespace}.internal:8501])`,
    );
    expect(evil.control.presentedTokens()).toEqual([]);
    expect(evil.control.requestCounts()).toEqual({});
  });

  it("plain http gets the token only when the policy lists a matching http:// pattern", async () => {
    const { b, evil } = await start({
      tokenVariables: { CONSUL_TOKEN_SHARED: SHARED_TOKEN },
      policies: policies({
        "team-x": {
          consulAddresses: ["http://127.0.0.1:*"],
          consulTokenSources: ["env:CONSUL_TOKEN_SHARED"],
        },
      }),
    });
    const key = await tenantSync(b, evil);
    await b.converge([key], async () => ready(await b.read(...key)));
    expect(evil.control.presentedTokens()).toEqual([SHARED_TOKEN]);
  });
});
