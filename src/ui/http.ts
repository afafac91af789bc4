/** The page's routes and response headers. Pure. */
import { KINDS, type Kind, type ResourceKey, resourceKey } from "../crds/meta.js";
import { CONTENT_SECURITY_POLICY } from "./layout.js";

/** Headers of every answer: the strict policy, no sniffing, no framing, no caching, no referrer. */
export const SECURITY_HEADERS = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "cache-control": "no-store",
} as const;

/** Host names a loopback-bound page answers to. */
export const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** A page or stream: the fleet, or one record. */
export interface Route {
  stream: boolean;
  key?: ResourceKey;
  parts?: [string, string, string];
}

/** Parses `/`, `/stream`, `/r/KIND/NS/NAME` and `/stream/r/KIND/NS/NAME`; undefined for anything else. */
export function route(pathname: string): Route | undefined {
  const stream = pathname === "/stream" || pathname.startsWith("/stream/");
  const rest = stream ? pathname.slice("/stream".length) || "/" : pathname;
  if (rest === "/") return { stream };
  const m = /^\/r\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(rest);
  if (m === null) return undefined;
  const [kind, namespace, name] = [m[1], m[2], m[3]].map((s) => decodeURIComponent(s ?? ""));
  if (!(KINDS as readonly string[]).includes(kind ?? "") || !namespace || !name) return undefined;
  return { stream, key: resourceKey(kind as Kind, namespace, name), parts: [kind ?? "", namespace, name] };
}
