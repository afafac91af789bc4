/**
 * What a NamespacePolicy says about a CatalogSync (DESIGN 11, "NamespacePolicy"), and the plain-http rule that
 * holds with or without one. Pure. The rules, for the CatalogSync's metadata.namespace and its governing policy:
 * - a `cloudMapNamespaceRef` into another metadata.namespace needs `cloudMapNamespaces` to allow `ns/name`;
 * - `consul.address` (as written in the spec, lowercased, without a trailing slash) must match `consulAddresses`;
 * - `consul.tokenFrom` must match `consulTokenSources` (`env:NAME`, or the secret's ARN);
 * - `consul.tls.clientCertFrom.secretArn` must match `secretArns`;
 * - a token goes to a spec's `http://` address only when `consulAddresses` lists a matching `http://` pattern;
 *   without any policy, never (InsecureConsulAddress). The controller's own address (`--consul-address`, used
 *   when the spec names none) is the operator's choice and is not governed here.
 */
import type { CatalogSyncSpec } from "../../crds/catalog-sync.js";
import { allows, type NamespacePolicySpec } from "../policy/lookup.js";

/** The policy that governs a record's metadata.namespace (undefined: none, everything allowed). */
export interface Governing {
  namespace: string;
  policy: { name: string; spec: NamespacePolicySpec } | undefined;
}

/** Reasons of the refusals of this module. */
export const PolicyReason = {
  PolicyViolation: "PolicyViolation",
  InsecureConsulAddress: "InsecureConsulAddress",
} as const;

/** A Consul address as the rules compare it: lowercased (host names are), no trailing slash. */
export function normalizeConsulAddress(address: string): string {
  return address.trim().toLowerCase().replace(/\/+$/, "");
}

/** `env:NAME` or the secret's ARN: how `consulTokenSources` names a `tokenFrom`. */
export function tokenSourceOf(
  tokenFrom: { env?: string; secretArn?: string } | undefined,
): string | undefined {
  if (tokenFrom?.env !== undefined) return `env:${tokenFrom.env}`;
  return tokenFrom?.secretArn;
}

function tokenField(tokenFrom: { env?: string; secretArn?: string }): string {
  return tokenFrom.env !== undefined ? "spec.consul.tokenFrom.env" : "spec.consul.tokenFrom.secretArn";
}

function listed(patterns: readonly string[] | undefined): string {
  return patterns === undefined ? "any" : `[${patterns.join(", ")}]`;
}

function isPlainHttp(address: string): boolean {
  return normalizeConsulAddress(address).startsWith("http://");
}

/** True when a token would travel to the spec's own address (the controller's token never does). */
function sendsTokenToSpecAddress(spec: Pick<CatalogSyncSpec, "consul">): boolean {
  return spec.consul?.address !== undefined && tokenSourceOf(spec.consul.tokenFrom) !== undefined;
}

/** The broken Consul rules (address, token source, plain http) of `spec` under `policy`; [] when none. */
export function consulPolicyViolations(
  spec: Pick<CatalogSyncSpec, "consul">,
  governing: Governing,
): string[] {
  const policy = governing.policy?.spec;
  if (policy === undefined) return [];
  const out: string[] = [];
  const address = spec.consul?.address;
  const patterns = policy.consulAddresses;
  if (address !== undefined) {
    const normalized = normalizeConsulAddress(address);
    if (!allows(patterns, normalized, governing.namespace)) {
      out.push(`spec.consul.address ${normalized} is not allowed (consulAddresses: ${listed(patterns)})`);
    } else if (sendsTokenToSpecAddress(spec) && isPlainHttp(normalized)) {
      const httpPatterns = (patterns ?? []).filter((p) => p.toLowerCase().startsWith("http://"));
      if (!allows(httpPatterns, normalized, governing.namespace)) {
        out.push(
          `spec.consul.address ${normalized} is plain http: a token goes there only when consulAddresses lists a matching http:// pattern (consulAddresses: ${listed(patterns)})`,
        );
      }
    }
  }
  const certArn = spec.consul?.tls?.clientCertFrom?.secretArn;
  if (certArn !== undefined && !allows(policy.secretArns, certArn, governing.namespace)) {
    out.push(
      `spec.consul.tls.clientCertFrom.secretArn ${certArn} is not allowed (secretArns: ${listed(policy.secretArns)})`,
    );
  }
  const tokenFrom = spec.consul?.tokenFrom;
  const source = tokenSourceOf(tokenFrom);
  if (tokenFrom !== undefined && source !== undefined) {
    if (!allows(policy.consulTokenSources, source, governing.namespace)) {
      out.push(
        `${tokenField(tokenFrom)} ${source} is not allowed (consulTokenSources: ${listed(policy.consulTokenSources)})`,
      );
    }
  }
  return out;
}

/** The broken rules of a cross-namespace `cloudMapNamespaceRef`; [] for a reference into its own namespace. */
export function namespaceRefViolations(
  spec: Pick<CatalogSyncSpec, "cloudMapNamespaceRef">,
  governing: Governing,
): string[] {
  const ref = spec.cloudMapNamespaceRef;
  const target = ref.namespace ?? governing.namespace;
  if (target === governing.namespace) return [];
  const value = `${target}/${ref.name}`;
  const patterns = governing.policy?.spec.cloudMapNamespaces;
  if (allows(patterns, value, governing.namespace)) return [];
  return [`spec.cloudMapNamespaceRef ${value} is not allowed (cloudMapNamespaces: ${listed(patterns)})`];
}

/** Every broken rule of `spec` under its governing policy; [] when it complies (or no policy governs it). */
export function syncPolicyViolations(
  spec: Pick<CatalogSyncSpec, "cloudMapNamespaceRef" | "consul">,
  governing: Governing,
): string[] {
  return [...namespaceRefViolations(spec, governing), ...consulPolicyViolations(spec, governing)];
}

/** The status message of a PolicyViolation. */
export function policyViolationMessage(governing: Governing, violations: readonly string[]): string {
  return `NamespacePolicy ${governing.policy?.name ?? "?"} governs ${governing.namespace}: ${violations.join("; ")}`;
}

/** Without a policy: why a token may not go to the spec's address (plain http), or undefined when it may. */
export function plainHttpRefusal(
  spec: Pick<CatalogSyncSpec, "consul">,
  governing: Governing,
): string | undefined {
  if (governing.policy !== undefined || !sendsTokenToSpecAddress(spec)) return undefined;
  const address = spec.consul?.address;
  if (address === undefined || !isPlainHttp(address)) return undefined;
  return `spec.consul.address ${normalizeConsulAddress(address)} is plain http: a Consul token (spec.consul.tokenFrom) is never sent over http to an address from a spec unless a NamespacePolicy lists a matching http:// pattern in consulAddresses; use https:// or drop tokenFrom`;
}
