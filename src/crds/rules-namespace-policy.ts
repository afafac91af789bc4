/**
 * Cross-field rules of NamespacePolicy: patterns that could never match what they are compared with are
 * mistakes worth reporting (a policy that silently allows nothing is found only when a team's records stop).
 */
import { issue, type ValidationIssue } from "./issues.js";
import type { JsonRecord } from "./values.js";

function stringsOf(value: unknown): Array<[number, string]> {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v, i): Array<[number, string]> => (typeof v === "string" ? [[i, v]] : []));
}

/** Every cross-field issue of a NamespacePolicy spec. */
export function namespacePolicyRules(spec: JsonRecord): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const [i, pattern] of stringsOf(spec.cloudMapNamespaces)) {
    if (!pattern.includes("/") && !pattern.includes("*")) {
      out.push(
        issue(
          ["spec", "cloudMapNamespaces", i],
          `pattern ${JSON.stringify(pattern)} has no "/" and can never match a namespace/name reference`,
          `write it as namespace/name, for example platform/${pattern} or {namespace}/*`,
        ),
      );
    }
  }
  for (const [i, pattern] of stringsOf(spec.consulTokenSources)) {
    if (!/^(env:|arn:|\*)/.test(pattern)) {
      out.push(
        issue(
          ["spec", "consulTokenSources", i],
          `pattern ${JSON.stringify(pattern)} can never match a token source`,
          "start it with env: (consul.tokenFrom.env) or arn: (consul.tokenFrom.secretArn)",
        ),
      );
    }
  }
  for (const [i, pattern] of stringsOf(spec.consulAddresses)) {
    if (!/^(https?:\/\/|\*)/.test(pattern)) {
      out.push(
        issue(
          ["spec", "consulAddresses", i],
          `pattern ${JSON.stringify(pattern)} has no scheme and can never match a Consul address`,
          `start it with https:// (or http:// to allow plain http), for example https://${pattern}`,
        ),
      );
    }
  }
  return out;
}
