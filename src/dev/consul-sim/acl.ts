/**
 * The simulator's ACL model: one configured management token and a deny-all anonymous token, which is what a
 * Consul with `acl.enabled = true` and `default_policy = "deny"` does with them:
 * - an unknown token gets 403 `ACL not found` on every endpoint that resolves tokens;
 * - no token means the anonymous token: reads are filtered to nothing (200 with an empty result, not 403),
 *   writes and `/v1/agent/self` get 403 `Permission denied: anonymous token lacks permission ...`.
 * Pure.
 */

import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { aclNotFound } from "./errors.js";

/** Who a request acts as. `open` when the simulator has no token configured (ACLs disabled). */
export type Authority = "open" | "management" | "anonymous";

/** The token a request presents, by Consul's precedence: `?token=`, `X-Consul-Token`, `Authorization: Bearer`. */
export function presentedToken(query: URLSearchParams, headers: IncomingHttpHeaders): string {
  const fromQuery = query.get("token");
  if (fromQuery) return fromQuery;
  const fromHeader = headers["x-consul-token"];
  if (typeof fromHeader === "string" && fromHeader !== "") return fromHeader;
  const authorization = headers.authorization;
  if (typeof authorization === "string") {
    const parts = authorization.split(" ");
    if (parts.length === 2 && parts[0]?.toLowerCase() === "bearer") return parts[1]?.trim() ?? "";
  }
  return "";
}

// Hash first so the comparison takes the same time whatever the lengths.
const digest = (text: string): Buffer => createHash("sha256").update(text).digest();

/** Resolves a presented token; throws Consul's 403 `ACL not found` for an unknown one. */
export function resolveAuthority(presented: string, configured: string | undefined): Authority {
  if (configured === undefined) return "open";
  if (presented === "" || presented === "anonymous") return "anonymous";
  if (timingSafeEqual(digest(presented), digest(configured))) return "management";
  throw aclNotFound();
}
