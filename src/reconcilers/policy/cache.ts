/**
 * The controller's PolicyLookup: NamespacePolicy records read from the manager's informer cache (no store read
 * per pass). Only records in the policy namespace count; the one named like a tenant namespace governs it, the
 * one named `default` every namespace without its own; with none, everything is allowed (logged once).
 */
import { DEFAULT_POLICY_NAME, type NamespacePolicySpec, resourceKey } from "../../crds/index.js";
import type { Logger } from "../../log.js";
import { PermanentError, TemporaryError } from "../../runtime/errors.js";
import type { CacheReader } from "../../runtime/informer.js";
import type { StoredResource } from "../../store/types.js";
import { validatedSpec } from "../validated-spec.js";
import type { PolicyLookup } from "./lookup.js";

/** What the lookup reads: the NamespacePolicy informer (its cache and whether its first list completed). */
export type PolicySource = Pick<CacheReader, "get" | "list"> & { readonly hasSynced: boolean };

/** Policies are not known yet (the cache has not listed them): the pass retries, nothing reaches AWS. */
export class PoliciesNotLoadedError extends TemporaryError {
  constructor() {
    super("NamespacePolicy records are not loaded yet; retrying before anything reaches AWS", {
      delayMs: 500,
    });
  }
}

/**
 * The policy that governs the namespace fails validation (a hand-written item): its namespace's records are
 * refused until it is fixed, rather than falling back to a weaker policy. Temporary for the runtime (a fix of the
 * policy re-queues them; it is never a spec-change wait); the policy gate reports it as a PolicyViolation.
 */
export class InvalidPolicyError extends TemporaryError {
  /** `namespace/name` of the invalid policy. */
  readonly policy: string;
  constructor(policy: string, problem: string) {
    super(
      `NamespacePolicy ${policy} is invalid, so nothing it governs is allowed until it is fixed: ${problem}`,
    );
    this.policy = policy;
  }
}

type Validated = { specHash: string; spec: NamespacePolicySpec } | { specHash: string; problem: string };

/** A PolicyLookup over the NamespacePolicy informer; `attach` it once the manager has built its informers. */
export class CachedPolicyLookup implements PolicyLookup {
  private source: PolicySource | undefined;
  private readonly validated = new Map<string, Validated>();
  private loggedNoPolicies = false;
  private readonly loggedUngoverned = new Set<string>();

  constructor(
    readonly policyNamespace: string,
    private readonly log: Logger,
  ) {}

  /** Starts reading policies from `source` (the NamespacePolicy informer). */
  attach(source: PolicySource): void {
    this.source = source;
  }

  /**
   * The policy governing `namespace`, or undefined when none does. Throws PoliciesNotLoadedError before the cache
   * has listed the policies and InvalidPolicyError when the governing policy fails validation.
   */
  policyFor(namespace: string): { name: string; spec: NamespacePolicySpec } | undefined {
    const source = this.source;
    if (source === undefined || !source.hasSynced) throw new PoliciesNotLoadedError();
    const own = source.get(resourceKey("NamespacePolicy", this.policyNamespace, namespace));
    const record =
      own ?? source.get(resourceKey("NamespacePolicy", this.policyNamespace, DEFAULT_POLICY_NAME));
    if (record === undefined || record.metadata.deletionTimestamp !== undefined) {
      this.noteUngoverned(source, namespace);
      return undefined;
    }
    const name = `${this.policyNamespace}/${record.metadata.name}`;
    const checked = this.validate(record);
    if ("problem" in checked) throw new InvalidPolicyError(name, checked.problem);
    return { name, spec: checked.spec };
  }

  private validate(record: StoredResource): Validated {
    const key = record.metadata.name;
    const cached = this.validated.get(key);
    if (cached?.specHash === record.specHash) return cached;
    let result: Validated;
    try {
      result = { specHash: record.specHash, spec: validatedSpec<NamespacePolicySpec>(record) };
    } catch (error) {
      if (!(error instanceof PermanentError)) throw error;
      result = { specHash: record.specHash, problem: error.message };
    }
    this.validated.set(key, result);
    return result;
  }

  /** Logs, once per situation, that records are allowed everything for want of a policy. */
  private noteUngoverned(source: PolicySource, namespace: string): void {
    const any = source.list().some((r) => r.metadata.namespace === this.policyNamespace);
    if (!any) {
      if (!this.loggedNoPolicies) {
        this.loggedNoPolicies = true;
        this.log.info(
          { policyNamespace: this.policyNamespace },
          `no NamespacePolicy in ${this.policyNamespace}: every record is allowed`,
        );
      }
      return;
    }
    this.loggedNoPolicies = false;
    if (this.loggedUngoverned.has(namespace)) return;
    this.loggedUngoverned.add(namespace);
    this.log.info(
      { namespace, policyNamespace: this.policyNamespace },
      `namespace ${namespace} has no NamespacePolicy and there is no ${DEFAULT_POLICY_NAME} one: its records are allowed everything`,
    );
  }
}
