/**
 * Where a CatalogSync's Consul address and token come from (DESIGN 10, Consul credentials). Pure rules:
 * `tokenFrom.env` only names variables the controller's allow-list admits (and only with placement: controller,
 * a task does not have the controller's environment); `tokenFrom.secretArn` only ARNs under an allowed prefix;
 * without `tokenFrom`, the controller's own token goes only to the controller's own address, never to an address
 * taken from the spec. On top of these, the governing NamespacePolicy's `consulAddresses` and `consulTokenSources`
 * and the plain-http rule (policy-rules.ts). Every refusal is a PermanentError that names the setting to change;
 * every path that talks to a CatalogSync's Consul (engine, sync task, cleanup) plans through here first.
 */
import { isEnvAllowed } from "../../config/consul-token.js";
import type { CatalogSyncSpec } from "../../crds/catalog-sync.js";
import { PermanentError } from "../../runtime/errors.js";
import {
  consulPolicyViolations,
  type Governing,
  PolicyReason,
  plainHttpRefusal,
  policyViolationMessage,
} from "./policy-rules.js";

/** The controller's Consul settings that the rules read. */
export interface ConsulCredentialSettings {
  /** The controller's `--consul-address` / CONSUL_HTTP_ADDR. */
  defaultAddress?: string | undefined;
  /** True when the controller has its own token (`--consul-token` / CONSUL_HTTP_TOKEN). */
  hasDefaultToken: boolean;
  /** `--consul-token-env-allow`: NAME or PREFIX* entries. */
  tokenEnvAllow: readonly string[];
  /** `--consul-token-secret-prefixes`: Secrets Manager ARN prefixes. */
  tokenSecretPrefixes: readonly string[];
}

/** Where the token comes from. */
export type ConsulTokenPlan =
  | { source: "none" }
  | { source: "controller" }
  | { source: "env"; name: string }
  | { source: "secret"; arn: string };

/** The TLS settings of an https connection (the client certificate by reference only). */
export interface ConsulTlsPlan {
  caPem?: string;
  serverName?: string;
  insecureSkipVerify: boolean;
  /** Secrets Manager ARN of the PEM key + certificate. */
  clientCertArn?: string;
}

/** How one sync reaches Consul. */
export interface ConsulConnectionPlan {
  address: string;
  /** True when the address came from the spec (the controller's own token never goes there). */
  addressFromSpec: boolean;
  datacenter?: string;
  token: ConsulTokenPlan;
  /** Set when spec.consul.tls is. */
  tls?: ConsulTlsPlan;
}

/** Reasons of the refusals. */
export const CredentialReason = {
  ConsulAddressMissing: "ConsulAddressMissing",
  TokenSourceNotAllowed: "TokenSourceNotAllowed",
  ClientCertSourceNotAllowed: "ClientCertSourceNotAllowed",
  TlsNeedsHttps: "TlsNeedsHttps",
} as const;

function tlsPlan(
  spec: Pick<CatalogSyncSpec, "consul">,
  settings: ConsulCredentialSettings,
): ConsulTlsPlan | undefined {
  const tls = spec.consul?.tls;
  if (tls === undefined) return undefined;
  const arn = tls.clientCertFrom?.secretArn;
  // The client key is a secret like the token: the same allowed prefixes decide where it may be read from.
  if (arn !== undefined && !settings.tokenSecretPrefixes.some((prefix) => arn.startsWith(prefix))) {
    throw new PermanentError(
      CredentialReason.ClientCertSourceNotAllowed,
      `spec.consul.tls.clientCertFrom.secretArn ${arn} is not under a prefix of the controller's --consul-token-secret-prefixes`,
    );
  }
  return {
    insecureSkipVerify: tls.insecureSkipVerify === true,
    ...(tls.caPem === undefined ? {} : { caPem: tls.caPem }),
    ...(tls.serverName === undefined ? {} : { serverName: tls.serverName }),
    ...(arn === undefined ? {} : { clientCertArn: arn }),
  };
}

/**
 * The connection plan of `spec` run with `placement` under its governing policy, or a PermanentError saying which
 * rule refused it (PolicyViolation, InsecureConsulAddress, TokenSourceNotAllowed, ClientCertSourceNotAllowed,
 * ConsulAddressMissing).
 */
export function planConsulConnection(
  spec: Pick<CatalogSyncSpec, "consul" | "placement">,
  settings: ConsulCredentialSettings,
  governing: Governing,
): ConsulConnectionPlan {
  const violations = consulPolicyViolations(spec, governing);
  if (violations.length > 0) {
    throw new PermanentError(PolicyReason.PolicyViolation, policyViolationMessage(governing, violations));
  }
  const insecure = plainHttpRefusal(spec, governing);
  if (insecure !== undefined) throw new PermanentError(PolicyReason.InsecureConsulAddress, insecure);
  const consul = spec.consul;
  const address = consul?.address ?? settings.defaultAddress;
  if (address === undefined) {
    throw new PermanentError(
      CredentialReason.ConsulAddressMissing,
      "spec.consul.address is not set and the controller has no default (--consul-address / CONSUL_HTTP_ADDR)",
    );
  }
  const addressFromSpec = consul?.address !== undefined;
  const tls = tlsPlan(spec, settings);
  // A spec's own http:// address with tls is a validation error; the controller's default may be http too.
  if (tls !== undefined && !/^https:\/\//i.test(address.trim())) {
    throw new PermanentError(
      CredentialReason.TlsNeedsHttps,
      `spec.consul.tls is set but the Consul address ${address} is not https:// (set spec.consul.address to the https address)`,
    );
  }
  const base = {
    address,
    addressFromSpec,
    ...(consul?.datacenter === undefined ? {} : { datacenter: consul.datacenter }),
    ...(tls === undefined ? {} : { tls }),
  };
  const tokenFrom = consul?.tokenFrom;
  if (tokenFrom?.env !== undefined) {
    if (spec.placement === "task") {
      throw new PermanentError(
        CredentialReason.TokenSourceNotAllowed,
        "spec.consul.tokenFrom.env cannot be used with placement: task (the sync task does not have the controller's environment); use tokenFrom.secretArn",
      );
    }
    if (!isEnvAllowed(tokenFrom.env, settings.tokenEnvAllow)) {
      throw new PermanentError(
        CredentialReason.TokenSourceNotAllowed,
        `spec.consul.tokenFrom.env ${tokenFrom.env} is not in the controller's --consul-token-env-allow list`,
      );
    }
    return { ...base, token: { source: "env", name: tokenFrom.env } };
  }
  if (tokenFrom?.secretArn !== undefined) {
    const arn = tokenFrom.secretArn;
    if (!settings.tokenSecretPrefixes.some((prefix) => arn.startsWith(prefix))) {
      throw new PermanentError(
        CredentialReason.TokenSourceNotAllowed,
        `spec.consul.tokenFrom.secretArn ${arn} is not under a prefix of the controller's --consul-token-secret-prefixes`,
      );
    }
    return { ...base, token: { source: "secret", arn } };
  }
  // The controller's own token stays with the controller's own address, inside the controller.
  if (spec.placement === "controller" && !addressFromSpec && settings.hasDefaultToken) {
    return { ...base, token: { source: "controller" } };
  }
  return { ...base, token: { source: "none" } };
}
