/**
 * Parsers for the Consul credential settings, and the one place that picks the variables a CatalogSync's
 * `tokenFrom.env` may read (DESIGN 10, Consul credentials). Values are never echoed in an error message.
 */

/** A Consul token as given: any non-empty text, trimmed. Never throws, so a bad value is never printed. */
export function parseConsulTokenValue(raw: string): string {
  return raw.trim();
}

function commaList(raw: string): string[] {
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** `NAME,OTHER,PREFIX_*`: variable names, or a prefix followed by one `*`. */
export function parseEnvAllowList(raw: string): string[] {
  const entries = commaList(raw);
  for (const entry of entries) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*\*?$/.test(entry)) {
      throw new Error(`${JSON.stringify(entry)} is not a variable name or NAME_PREFIX*`);
    }
  }
  return entries;
}

/** `arn:aws:secretsmanager:<region>:<account>:secret:<prefix>,...`: each must be a Secrets Manager ARN prefix. */
export function parseSecretArnPrefixes(raw: string): string[] {
  const entries = commaList(raw);
  for (const entry of entries) {
    if (!/^arn:aws(-[a-z]+)*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:\S*$/.test(entry)) {
      throw new Error(
        `${JSON.stringify(entry)} is not a Secrets Manager ARN prefix (arn:aws:secretsmanager:<region>:<account>:secret:<name prefix>)`,
      );
    }
  }
  return entries;
}

/** True when `name` matches an allow-list entry (`NAME` exactly, or `PREFIX*`). */
export function isEnvAllowed(name: string, allow: readonly string[]): boolean {
  return allow.some((entry) => (entry.endsWith("*") ? name.startsWith(entry.slice(0, -1)) : name === entry));
}

/**
 * The values of the allowed variables present in `env` (read once at start; a `tokenFrom.env` naming anything
 * else is refused). Empty values are left out.
 */
export function allowedTokenVariables(
  env: Readonly<Record<string, string | undefined>>,
  allow: readonly string[],
): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  if (allow.length === 0) return out;
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== "" && isEnvAllowed(name, allow)) out.set(name, value.trim());
  }
  return out;
}
