/**
 * NamespacePolicy as the reconcilers see it (DESIGN 11, "NamespacePolicy"): the policy that governs a namespace,
 * and the glob rule every list in it follows. Pure. The NamespacePolicy kind (schema, validation, informer) fills
 * a PolicyLookup; every reconciler asks it before any AWS call.
 */

/** A NamespacePolicy's spec: lists of glob patterns (`{namespace}` = the governed namespace) and limits. */
export interface NamespacePolicySpec {
  roleArns?: string[];
  secretArns?: string[];
  clusters?: string[];
  subnets?: string[];
  securityGroups?: string[];
  imageRepositories?: string[];
  /** `ns/name` of CloudMapNamespace records. */
  cloudMapNamespaces?: string[];
  /** Cloud Map and Consul service names the namespace's records may claim. */
  serviceNames?: string[];
  vaultRoles?: string[];
  /** Consul addresses (`https://host:port`; an `http://` pattern must be listed to allow plain http). */
  consulAddresses?: string[];
  /** Token sources: `env:NAME` or a Secrets Manager ARN pattern. */
  consulTokenSources?: string[];
  limits?: { maxCpu?: number; maxMemory?: number; maxDesiredCount?: number; maxServices?: number };
}

/** The policy that governs a namespace; `undefined` when no policy governs it (everything is allowed). */
export interface PolicyLookup {
  policyFor(namespace: string): { name: string; spec: NamespacePolicySpec } | undefined;
}

/**
 * True when `value` matches one of `patterns` for the governed `namespace`: `{namespace}` is replaced first, then
 * `*` matches any run of characters (slashes and colons included, as in IAM) and `?` one character; everything
 * else is literal and case-sensitive. An absent list allows anything; `[]` allows nothing.
 */
export function allows(patterns: readonly string[] | undefined, value: string, namespace: string): boolean {
  if (patterns === undefined) return true;
  return patterns.some((pattern) => globMatches(pattern.replaceAll("{namespace}", namespace), value));
}

function globMatches(pattern: string, value: string): boolean {
  let source = "^";
  for (const ch of pattern) {
    if (ch === "*") source += ".*";
    else if (ch === "?") source += ".";
    else source += ch.replace(/[.+^${}()|[\]\\/-]/g, "\\$&");
  }
  return new RegExp(`${source}$`, "s").test(value);
}
