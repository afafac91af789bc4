/**
 * What a CatalogSync may reach, decided before any AWS or Consul call (DESIGN 10 "Consul credentials", 11
 * "NamespacePolicy"): its governing policy's rules (policy-rules.ts) and the controller's credential rules
 * (credentials.ts), and the token a permitted plan names.
 */
import { SecretReadError } from "../../aws/secrets.js";
import type { ConsulTlsOptions } from "../../consul/client.js";
import { splitClientCertPem } from "../../consul/pem.js";
import { type ConsulTokenSource, RereadableToken } from "../../consul/token.js";
import { PermanentError, TemporaryError } from "../../runtime/errors.js";
import type { AccessCheck, CatalogSyncRecord } from "./context.js";
import { type ConsulConnectionPlan, planConsulConnection } from "./credentials.js";
import {
  type Governing,
  PolicyReason,
  policyViolationMessage,
  syncPolicyViolations,
} from "./policy-rules.js";
import type { CatalogSyncStepDeps } from "./steps.js";

/** The policy that governs the record's metadata.namespace. */
export function governingOf(
  deps: Pick<CatalogSyncStepDeps, "policies">,
  record: CatalogSyncRecord,
): Governing {
  const namespace = record.metadata.namespace;
  return { namespace, policy: deps.policies.policyFor(namespace) };
}

/**
 * Allowed, or the refusal: every broken policy rule at once (PolicyViolation), else the first credential rule
 * that refuses the Consul connection (InsecureConsulAddress, TokenSourceNotAllowed, ConsulAddressMissing).
 */
export function checkAccess(
  deps: Pick<CatalogSyncStepDeps, "policies" | "settings">,
  record: CatalogSyncRecord,
): AccessCheck {
  const governing = governingOf(deps, record);
  const violations = syncPolicyViolations(record.spec, governing);
  if (violations.length > 0) {
    return {
      allowed: false,
      reason: PolicyReason.PolicyViolation,
      message: policyViolationMessage(governing, violations),
    };
  }
  try {
    planConsulConnection(record.spec, deps.settings.consul, governing);
  } catch (error) {
    if (!(error instanceof PermanentError)) throw error;
    return { allowed: false, reason: error.reason, message: error.message };
  }
  return { allowed: true };
}

/** The token a permitted plan names (never logged). */
export async function resolveToken(
  deps: Pick<CatalogSyncStepDeps, "settings" | "secrets">,
  plan: ConsulConnectionPlan,
  signal: AbortSignal,
): Promise<string | undefined> {
  const token = plan.token;
  switch (token.source) {
    case "none":
      return undefined;
    case "controller":
      return deps.settings.consul.defaultToken;
    case "env": {
      const value = deps.settings.consul.tokenVariables.get(token.name);
      if (value === undefined) {
        throw new PermanentError(
          "TokenSourceMissing",
          `spec.consul.tokenFrom.env ${token.name} is allowed but not set in the controller's environment`,
        );
      }
      return value;
    }
    case "secret":
      return readSecret(deps, token.arn, "TokenSourceMissing", "TokenSourceUnreadable", signal);
  }
}

async function readSecret(
  deps: Pick<CatalogSyncStepDeps, "secrets">,
  arn: string,
  missing: string,
  unreadable: string,
  signal: AbortSignal,
): Promise<string> {
  if (deps.secrets === undefined) {
    throw new PermanentError(missing, "this controller has no Secrets Manager reader");
  }
  try {
    return await deps.secrets.readSecretString(arn, signal);
  } catch (error) {
    if (!(error instanceof SecretReadError)) throw error;
    if (error.retryable) throw new TemporaryError(error.message, { cause: error });
    throw new PermanentError(unreadable, error.message, { cause: error });
  }
}

/**
 * The token as the engine's client holds it: a Secrets Manager token is re-read (at most every 30 s) when Consul
 * answers 403, so a rotated secret is picked up without a restart; any other source is fixed.
 */
export async function resolveTokenSource(
  deps: Pick<CatalogSyncStepDeps, "settings" | "secrets" | "clock" | "log">,
  plan: ConsulConnectionPlan,
  signal: AbortSignal,
): Promise<string | ConsulTokenSource | undefined> {
  const initial = await resolveToken(deps, plan, signal);
  const token = plan.token;
  const secrets = deps.secrets;
  if (token.source !== "secret" || secrets === undefined) return initial;
  return new RereadableToken({
    initial,
    read: (readSignal) => secrets.readSecretString(token.arn, readSignal),
    clock: deps.clock,
    log: deps.log,
  });
}

/**
 * The client's TLS options of a plan: the CA and server name as given, the client key and certificate read from
 * their one Secrets Manager secret (never logged, never in a status). Undefined without `tls`.
 */
export async function resolveTls(
  deps: Pick<CatalogSyncStepDeps, "secrets">,
  plan: ConsulConnectionPlan,
  signal: AbortSignal,
): Promise<ConsulTlsOptions | undefined> {
  const tls = plan.tls;
  if (tls === undefined) return undefined;
  const options: ConsulTlsOptions = {
    insecureSkipVerify: tls.insecureSkipVerify,
    ...(tls.caPem === undefined ? {} : { ca: tls.caPem }),
    ...(tls.serverName === undefined ? {} : { serverName: tls.serverName }),
  };
  if (tls.clientCertArn === undefined) return options;
  const pem = await readSecret(
    deps,
    tls.clientCertArn,
    "ClientCertSourceMissing",
    "ClientCertUnreadable",
    signal,
  );
  try {
    return { ...options, ...splitClientCertPem(pem) };
  } catch (error) {
    throw new PermanentError(
      "ClientCertUnreadable",
      `spec.consul.tls.clientCertFrom.secretArn ${tls.clientCertArn}: ${(error as Error).message}`,
    );
  }
}
