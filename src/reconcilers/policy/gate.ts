/**
 * The policy gate every reconciler runs right after validation and before any AWS call (DESIGN 11,
 * "NamespacePolicy"): a live record its policy refuses gets `Ready=False, Stalled=True, reason=PolicyViolation`
 * naming every broken rule, and its pass ends there, so nothing of it reaches AWS and what already runs is left
 * as it runs. Deleting records never come here: their cleanup of what they own goes on. A spec naming one of the
 * controller's own roles (`--own-role-arns`) is refused here too, with or without a policy (reason OwnRoleNotAllowed).
 */
import type { Clock } from "../../clock.js";
import type { ReconcileContext } from "../../runtime/reconciler.js";
import { done, type ReconcileResult, requeueAfter } from "../../runtime/result.js";
import type { ResourceStore, StoredResource } from "../../store/types.js";
import { stalledConditions } from "../conditions.js";
import { ownRoleViolations } from "../own-role.js";
import { writeStatus } from "../status.js";
import { InvalidPolicyError } from "./cache.js";
import { evaluatePolicy, formatViolations, type PolicySubject, type ServiceSlot } from "./evaluate.js";
import type { PolicyLookup } from "./lookup.js";

/** Condition reason of a record its NamespacePolicy refuses. */
export const POLICY_VIOLATION_REASON = "PolicyViolation";

/**
 * How soon a record over `limits.maxServices` looks again: a slot frees when another record goes, which is no
 * policy change (one cached read per minute per such record, no AWS call).
 */
export const MAX_SERVICES_RECHECK_MS = 60_000;

/** What the gate needs; without `policies` every record is allowed (tests that build reconcilers bare). */
export interface PolicyGateDeps {
  store: ResourceStore;
  clock: Clock;
  policies?: PolicyLookup | undefined;
  /** The controller's own roles: a spec naming one is refused with or without a policy. */
  ownRoleArns?: readonly string[];
}

/** Condition reason of a record that names one of the controller's own roles. */
export const OWN_ROLE_REASON = "OwnRoleNotAllowed";

/** The FargateServices of `namespace` in the pass's cache, for `limits.maxServices` (the fresh record wins). */
export function serviceSlots(context: ReconcileContext, stored: StoredResource): ServiceSlot[] {
  const { namespace, name } = stored.metadata;
  const slot = (r: StoredResource): ServiceSlot => ({
    name: r.metadata.name,
    deleting: r.metadata.deletionTimestamp !== undefined,
    ...(r.metadata.creationTimestamp === undefined
      ? {}
      : { creationTimestamp: r.metadata.creationTimestamp }),
  });
  const others = context.cache
    .list()
    .filter(
      (r) => r.kind === "FargateService" && r.metadata.namespace === namespace && r.metadata.name !== name,
    );
  return [...others.map(slot), slot(stored)];
}

/**
 * Judges a live record against the policy that governs its namespace. Undefined when it may go on; otherwise
 * the PolicyViolation status is written (skipped when unchanged) and the pass's result is returned. An invalid
 * governing policy refuses everything it governs. Throws the lookup's TemporaryError before policies are loaded.
 */
export async function enforcePolicy(
  deps: PolicyGateDeps,
  stored: StoredResource,
  subject: PolicySubject,
  context: ReconcileContext,
  peers: readonly ServiceSlot[] = [],
): Promise<ReconcileResult | undefined> {
  const own = ownRoleViolations(subject.spec, deps.ownRoleArns ?? []);
  if (own.length > 0) {
    const message = own
      .map(
        (v) =>
          `${v.path} ${JSON.stringify(v.value)} is one of the controller's own roles, which it never passes to a ` +
          "task (name a role your team owns)",
      )
      .join("; ");
    context.log.warn({ reason: OWN_ROLE_REASON, fields: own.map((v) => v.path) }, message);
    return await refuse(deps, stored, OWN_ROLE_REASON, message, false);
  }
  if (deps.policies === undefined) return undefined;
  let message: string;
  let recheck = false;
  try {
    const policy = deps.policies.policyFor(subject.namespace);
    if (policy === undefined) return undefined;
    const violations = evaluatePolicy(policy.spec, subject, peers);
    if (violations.length === 0) return undefined;
    message = formatViolations(policy.name, violations);
    recheck = violations.some((v) => v.rule === "limits.maxServices");
    context.log.warn(
      { reason: POLICY_VIOLATION_REASON, policy: policy.name, rules: violations.map((v) => v.rule) },
      message,
    );
  } catch (error) {
    if (!(error instanceof InvalidPolicyError)) throw error;
    message = error.message;
    context.log.warn({ reason: POLICY_VIOLATION_REASON, policy: error.policy }, message);
  }
  return await refuse(deps, stored, POLICY_VIOLATION_REASON, message, recheck);
}

/** Writes the refusal (skipped when unchanged) and ends the pass. */
async function refuse(
  deps: PolicyGateDeps,
  stored: StoredResource,
  reason: string,
  message: string,
  recheck: boolean,
): Promise<ReconcileResult> {
  const generation = stored.metadata.generation;
  await writeStatus(
    deps.store,
    stored,
    {
      conditions: stalledConditions(generation, reason, message),
      observedGeneration: generation,
      observedSpecHash: stored.specHash,
    },
    new Date(deps.clock.now()),
  );
  return recheck ? requeueAfter(MAX_SERVICES_RECHECK_MS) : done();
}
