/**
 * What a CatalogSync may reach, decided before any AWS or Consul call (DESIGN 10 "Consul credentials", 11
 * "NamespacePolicy"): its governing policy's rules (policy-rules.ts) and the controller's credential rules
 * (credentials.ts), and the token a permitted plan names.
 */
import { SecretReadError } from "../../aws/secrets.js";
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
    case "secret": {
      if (deps.secrets === undefined) {
        throw new PermanentError("TokenSourceMissing", "this controller has no Secrets Manager reader");
      }
      try {
        return await deps.secrets.readSecretString(token.arn, signal);
      } catch (error) {
        if (!(error instanceof SecretReadError)) throw error;
        if (error.retryable) throw new TemporaryError(error.message, { cause: error });
        throw new PermanentError("TokenSourceUnreadable", error.message, { cause: error });
      }
    }
  }
}
