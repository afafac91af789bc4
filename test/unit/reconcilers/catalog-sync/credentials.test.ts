/** The Consul credential rules (DESIGN 10): allow-lists, placement, and the controller's own token. */
import { describe, expect, it } from "vitest";
import {
  allowedTokenVariables,
  parseEnvAllowList,
  parseSecretArnPrefixes,
} from "../../../../src/config/consul-token.js";
import type { CatalogSyncSpec } from "../../../../src/crds/catalog-sync.js";
import {
  type ConsulCredentialSettings,
  planConsulConnection,
} from "../../../../src/reconcilers/catalog-sync/credentials.js";
import type { Governing } from "../../../../src/reconcilers/catalog-sync/policy-rules.js";
import { PermanentError } from "../../../../src/runtime/errors.js";

const PREFIX = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:consul/";
const SETTINGS: ConsulCredentialSettings = {
  defaultAddress: "127.0.0.1:8500",
  hasDefaultToken: true,
  tokenEnvAllow: ["CONSUL_TOKEN_DC1", "SYNC_TOKEN_*"],
  tokenSecretPrefixes: [PREFIX],
};

/** No NamespacePolicy governs the record's namespace. */
const NONE: Governing = { namespace: "team-a", policy: undefined };

function spec(consul: CatalogSyncSpec["consul"], placement: "controller" | "task" = "controller") {
  return { consul, placement } as Pick<CatalogSyncSpec, "consul" | "placement">;
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

describe("planConsulConnection", () => {
  it("uses the controller's address and its own token when the spec names neither", () => {
    expect(planConsulConnection(spec(undefined), SETTINGS, NONE)).toEqual({
      address: "127.0.0.1:8500",
      addressFromSpec: false,
      token: { source: "controller" },
    });
  });

  it("never sends the controller's own token to an address taken from the spec", () => {
    const plan = planConsulConnection(spec({ address: "http://127.0.0.1:8500" }), SETTINGS, NONE);
    expect(plan.token).toEqual({ source: "none" });
    expect(plan.addressFromSpec).toBe(true);
  });

  it("never hands the controller's own token to a sync task", () => {
    expect(planConsulConnection(spec(undefined, "task"), SETTINGS, NONE).token).toEqual({ source: "none" });
  });

  it("takes tokenFrom.env only when the allow-list names it (exactly or by prefix)", () => {
    expect(
      planConsulConnection(spec({ tokenFrom: { env: "CONSUL_TOKEN_DC1" } }), SETTINGS, NONE).token,
    ).toEqual({
      source: "env",
      name: "CONSUL_TOKEN_DC1",
    });
    expect(
      planConsulConnection(spec({ tokenFrom: { env: "SYNC_TOKEN_APPS" } }), SETTINGS, NONE).token,
    ).toEqual({
      source: "env",
      name: "SYNC_TOKEN_APPS",
    });
    const refused = refusal(() =>
      planConsulConnection(spec({ tokenFrom: { env: "AWS_SECRET_ACCESS_KEY" } }), SETTINGS, NONE),
    );
    expect(refused.reason).toBe("TokenSourceNotAllowed");
    expect(refused.message).toMatch(/--consul-token-env-allow/);
  });

  it("refuses tokenFrom.env with placement: task", () => {
    const refused = refusal(() =>
      planConsulConnection(spec({ tokenFrom: { env: "CONSUL_TOKEN_DC1" } }, "task"), SETTINGS, NONE),
    );
    expect(refused.reason).toBe("TokenSourceNotAllowed");
    expect(refused.message).toMatch(/placement: task/);
  });

  it("takes tokenFrom.secretArn only under an allowed prefix", () => {
    const arn = `${PREFIX}sync-AbCdEf`;
    expect(
      planConsulConnection(spec({ tokenFrom: { secretArn: arn } }, "task"), SETTINGS, NONE).token,
    ).toEqual({
      source: "secret",
      arn,
    });
    const other = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:payments/db-AbCdEf";
    expect(
      refusal(() => planConsulConnection(spec({ tokenFrom: { secretArn: other } }), SETTINGS, NONE)).reason,
    ).toBe("TokenSourceNotAllowed");
  });

  it("needs an address from somewhere", () => {
    const refused = refusal(() =>
      planConsulConnection(spec(undefined), { ...SETTINGS, defaultAddress: undefined }, NONE),
    );
    expect(refused.reason).toBe("ConsulAddressMissing");
  });

  it("carries the TLS settings, and reads a client certificate only from under an allowed prefix", () => {
    const tls = {
      caPem: "-----BEGIN CERTIFICATE-----\n...",
      serverName: "consul.internal",
      insecureSkipVerify: false,
      clientCertFrom: { secretArn: `${PREFIX}client-cert` },
    };
    const plan = planConsulConnection(spec({ address: "https://10.0.0.9:8501", tls }), SETTINGS, NONE);
    expect(plan.tls).toEqual({
      caPem: tls.caPem,
      serverName: "consul.internal",
      insecureSkipVerify: false,
      clientCertArn: `${PREFIX}client-cert`,
    });
    const elsewhere = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:other/client-cert";
    const refused = refusal(() =>
      planConsulConnection(
        spec({ address: "https://10.0.0.9:8501", tls: { ...tls, clientCertFrom: { secretArn: elsewhere } } }),
        SETTINGS,
        NONE,
      ),
    );
    expect(refused.reason).toBe("ClientCertSourceNotAllowed");
    expect(refused.message).toContain("spec.consul.tls.clientCertFrom.secretArn");
    // TLS settings are never silently dropped: the controller's plain default address cannot take them.
    const plain = refusal(() =>
      planConsulConnection(spec({ tls: { insecureSkipVerify: false } }), SETTINGS, NONE),
    );
    expect(plain.reason).toBe("TlsNeedsHttps");
  });

  it("judges the client certificate's secret by the policy's secretArns", () => {
    const governing: Governing = {
      namespace: "team-a",
      policy: { name: "team-a", spec: { secretArns: [`${PREFIX}team-a/*`] } },
    };
    const withCert = (arn: string) =>
      spec({
        address: "https://10.0.0.9:8501",
        tls: { insecureSkipVerify: false, clientCertFrom: { secretArn: arn } },
      });
    expect(
      planConsulConnection(withCert(`${PREFIX}team-a/cert`), SETTINGS, governing).tls?.clientCertArn,
    ).toBe(`${PREFIX}team-a/cert`);
    const refused = refusal(() =>
      planConsulConnection(withCert(`${PREFIX}team-b/cert`), SETTINGS, governing),
    );
    expect(refused.reason).toBe("PolicyViolation");
    expect(refused.message).toContain("secretArns");
  });
});

describe("the credential settings", () => {
  it("reads only the allowed variables, once", () => {
    const env = { CONSUL_TOKEN_DC1: " t1 ", SYNC_TOKEN_A: "t2", SYNC_TOKEN_EMPTY: "", PATH: "/bin" };
    const allowed = allowedTokenVariables(env, parseEnvAllowList("CONSUL_TOKEN_DC1, SYNC_TOKEN_*"));
    expect([...allowed.entries()]).toEqual([
      ["CONSUL_TOKEN_DC1", "t1"],
      ["SYNC_TOKEN_A", "t2"],
    ]);
    expect(allowedTokenVariables(env, []).size).toBe(0);
  });

  it("validates the allow-list and the ARN prefixes", () => {
    expect(() => parseEnvAllowList("GOOD,bad-name")).toThrow(/bad-name/);
    expect(parseSecretArnPrefixes(`${PREFIX}, ${PREFIX}x`)).toEqual([PREFIX, `${PREFIX}x`]);
    expect(() => parseSecretArnPrefixes("arn:aws:ssm:eu-west-1:123456789012:parameter/x")).toThrow();
  });
});
