/**
 * What a NamespacePolicy allows a CatalogSync (cross-namespace references, Consul addresses, token sources) and
 * the plain-http rule, as planConsulConnection applies them on every path that talks to Consul.
 */
import { describe, expect, it } from "vitest";
import type { CatalogSyncSpec } from "../../../../src/crds/catalog-sync.js";
import {
  type ConsulCredentialSettings,
  planConsulConnection,
} from "../../../../src/reconcilers/catalog-sync/credentials.js";
import {
  type Governing,
  syncPolicyViolations,
} from "../../../../src/reconcilers/catalog-sync/policy-rules.js";
import type { NamespacePolicySpec } from "../../../../src/reconcilers/policy/lookup.js";
import { PermanentError } from "../../../../src/runtime/errors.js";

const TEAM_SECRETS = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:consul/";
const SETTINGS: ConsulCredentialSettings = {
  defaultAddress: "http://consul.platform.internal:8500",
  hasDefaultToken: true,
  tokenEnvAllow: ["CONSUL_TOKEN_*"],
  tokenSecretPrefixes: [TEAM_SECRETS],
};

type Spec = Pick<CatalogSyncSpec, "cloudMapNamespaceRef" | "consul" | "placement">;

function spec(
  consul: CatalogSyncSpec["consul"],
  ref: CatalogSyncSpec["cloudMapNamespaceRef"] = { name: "own" },
): Spec {
  return { cloudMapNamespaceRef: ref, ...(consul === undefined ? {} : { consul }), placement: "controller" };
}

function governed(policy?: NamespacePolicySpec): Governing {
  return {
    namespace: "team-a",
    policy: policy === undefined ? undefined : { name: "fargate-system/default", spec: policy },
  };
}

function refusal(run: () => unknown): PermanentError {
  try {
    run();
  } catch (error) {
    if (error instanceof PermanentError) return error;
    throw error;
  }
  throw new Error("expected a PermanentError");
}

describe("cross-namespace cloudMapNamespaceRef", () => {
  const platform = { name: "apps-internal", namespace: "platform" };

  it("is allowed without a policy, and into the record's own namespace whatever the policy says", () => {
    expect(syncPolicyViolations(spec(undefined, platform), governed())).toEqual([]);
    expect(
      syncPolicyViolations(spec(undefined, { name: "mine" }), governed({ cloudMapNamespaces: [] })),
    ).toEqual([]);
    expect(
      syncPolicyViolations(
        spec(undefined, { name: "mine", namespace: "team-a" }),
        governed({ cloudMapNamespaces: [] }),
      ),
    ).toEqual([]);
  });

  it("needs the policy's cloudMapNamespaces to allow ns/name, {namespace} standing for the referrer's", () => {
    const refused = syncPolicyViolations(
      spec(undefined, platform),
      governed({ cloudMapNamespaces: ["{namespace}/*"] }),
    );
    expect(refused).toEqual([
      "spec.cloudMapNamespaceRef platform/apps-internal is not allowed (cloudMapNamespaces: [{namespace}/*])",
    ]);
    expect(
      syncPolicyViolations(spec(undefined, platform), governed({ cloudMapNamespaces: ["platform/apps-*"] })),
    ).toEqual([]);
  });
});

describe("Consul addresses and token sources under a policy", () => {
  const policy: NamespacePolicySpec = {
    consulAddresses: ["https://consul-{namespace}.internal:8501"],
    consulTokenSources: ["env:CONSUL_TOKEN_{namespace}", `${TEAM_SECRETS}{namespace}-*`],
  };

  it("sends a token only to an allowed address, from an allowed source", () => {
    const plan = planConsulConnection(
      spec({
        address: "https://Consul-Team-A.internal:8501/",
        tokenFrom: { secretArn: `${TEAM_SECRETS}team-a-x` },
      }),
      SETTINGS,
      governed(policy),
    );
    expect(plan.token).toEqual({ source: "secret", arn: `${TEAM_SECRETS}team-a-x` });
  });

  it("refuses an address the policy does not list, naming the field, the value and the patterns", () => {
    const refused = refusal(() =>
      planConsulConnection(
        spec({ address: "https://attacker.example:8501", tokenFrom: { env: "CONSUL_TOKEN_team-a" } }),
        SETTINGS,
        governed(policy),
      ),
    );
    expect(refused.reason).toBe("PolicyViolation");
    expect(refused.message).toBe(
      "NamespacePolicy fargate-system/default governs team-a: spec.consul.address https://attacker.example:8501 is not allowed (consulAddresses: [https://consul-{namespace}.internal:8501])",
    );
  });

  it("refuses a token source outside consulTokenSources even when the controller's allow-lists admit it", () => {
    const env = refusal(() =>
      planConsulConnection(spec({ tokenFrom: { env: "CONSUL_TOKEN_SHARED" } }), SETTINGS, governed(policy)),
    );
    expect(env.message).toMatch(/spec\.consul\.tokenFrom\.env env:CONSUL_TOKEN_SHARED is not allowed/);
    const secret = refusal(() =>
      planConsulConnection(
        spec({ tokenFrom: { secretArn: `${TEAM_SECRETS}team-b-x` } }),
        SETTINGS,
        governed(policy),
      ),
    );
    expect(secret.message).toMatch(/tokenFrom\.secretArn .*team-b-x is not allowed \(consulTokenSources: /);
  });

  it("lists every broken rule at once", () => {
    const violations = syncPolicyViolations(
      spec(
        { address: "https://attacker.example:8501", tokenFrom: { env: "CONSUL_TOKEN_SHARED" } },
        { name: "apps-internal", namespace: "platform" },
      ),
      governed({ ...policy, cloudMapNamespaces: [] }),
    );
    expect(violations.map((v) => v.split(" ")[0])).toEqual([
      "spec.cloudMapNamespaceRef",
      "spec.consul.address",
      "spec.consul.tokenFrom.env",
    ]);
  });

  it("the controller's global allow-lists still apply on top of the policy", () => {
    const refused = refusal(() =>
      planConsulConnection(
        spec({ tokenFrom: { env: "HOME" } }),
        SETTINGS,
        governed({ consulTokenSources: ["env:*"] }),
      ),
    );
    expect(refused.reason).toBe("TokenSourceNotAllowed");
  });
});

describe("plain http", () => {
  const withToken = { address: "http://10.0.0.9:8500", tokenFrom: { env: "CONSUL_TOKEN_DC1" } };

  it("without a policy: no token to a spec's http:// address; https, or no token, is fine", () => {
    const refused = refusal(() => planConsulConnection(spec(withToken), SETTINGS, governed()));
    expect(refused.reason).toBe("InsecureConsulAddress");
    expect(refused.message).toMatch(/spec\.consul\.address http:\/\/10\.0\.0\.9:8500 is plain http/);
    expect(
      planConsulConnection(spec({ ...withToken, address: "https://10.0.0.9:8501" }), SETTINGS, governed())
        .token,
    ).toEqual({ source: "env", name: "CONSUL_TOKEN_DC1" });
    expect(
      planConsulConnection(spec({ address: "http://10.0.0.9:8500" }), SETTINGS, governed()).token,
    ).toEqual({
      source: "none",
    });
  });

  it("the controller's own http address keeps its tokens (the operator chose it)", () => {
    expect(planConsulConnection(spec(undefined), SETTINGS, governed()).token).toEqual({
      source: "controller",
    });
    expect(
      planConsulConnection(spec({ tokenFrom: { env: "CONSUL_TOKEN_DC1" } }), SETTINGS, governed()).token,
    ).toEqual({ source: "env", name: "CONSUL_TOKEN_DC1" });
  });

  it("with a policy: only a matching http:// pattern allows a token over http, never a bare *", () => {
    const star = refusal(() =>
      planConsulConnection(spec(withToken), SETTINGS, governed({ consulAddresses: ["*"] })),
    );
    expect(star.reason).toBe("PolicyViolation");
    expect(star.message).toMatch(
      /plain http: a token goes there only when consulAddresses lists a matching http:\/\//,
    );
    const absent = refusal(() => planConsulConnection(spec(withToken), SETTINGS, governed({})));
    expect(absent.reason).toBe("PolicyViolation");
    expect(
      planConsulConnection(spec(withToken), SETTINGS, governed({ consulAddresses: ["http://10.0.0.*:8500"] }))
        .token,
    ).toEqual({ source: "env", name: "CONSUL_TOKEN_DC1" });
  });
});
