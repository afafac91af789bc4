/**
 * include/exclude/prefix semantics of both directions (docs/catalog-sync.md): patterns are exact names or globs
 * (`*` any run of characters, `?` exactly one), matched case-sensitively against the whole source name; exclude
 * wins over include; an empty include means every name; the prefix is prepended to form the target name. Pure.
 */
import type { SyncDirectionSettings } from "./types.js";

const cache = new Map<string, RegExp>();

/** The anchored regular expression of one pattern. */
export function globToRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re === undefined) {
    const body = [...pattern]
      .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
      .join("");
    re = new RegExp(`^${body}$`, "s");
    cache.set(pattern, re);
  }
  return re;
}

/** True when `name` matches one of `patterns`. */
export function matchesAny(name: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => globToRegExp(p).test(name));
}

/** What the filters decide for one source name. */
export interface FilterDecision {
  synced: boolean;
  /** The target name (prefix + name) when synced. */
  target?: string;
}

/** Whether `name` is synced under `settings` (include/exclude only), and as what. */
export function decideName(
  name: string,
  settings: Pick<SyncDirectionSettings, "include" | "exclude" | "prefix">,
): FilterDecision {
  if (matchesAny(name, settings.exclude)) return { synced: false };
  if (settings.include.length > 0 && !matchesAny(name, settings.include)) return { synced: false };
  return { synced: true, target: `${settings.prefix}${name}` };
}

/** The source name a target name stands for, or undefined when it does not carry the prefix. */
export function sourceNameOf(target: string, prefix: string): string | undefined {
  return target.startsWith(prefix) && target.length > prefix.length ? target.slice(prefix.length) : undefined;
}
