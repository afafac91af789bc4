/**
 * NamespacePolicy as the reconcilers see it (DESIGN 11, "NamespacePolicy"): the policy that governs a namespace,
 * and the glob rule every list in it follows. Pure. The NamespacePolicy kind (schema, validation, informer) fills
 * a PolicyLookup; every reconciler asks it before any AWS call.
 */

import type { NamespacePolicySpec } from "../../crds/namespace-policy.js";

/** A NamespacePolicy's spec: lists of glob patterns (`{namespace}` = the governed namespace) and limits. */
export type { NamespacePolicySpec };

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
