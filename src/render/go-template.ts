/**
 * Safe building blocks for the Vault agent's (consul-template) Go templates. User values never become template
 * syntax: they appear only inside Go string literals in which every character outside a small safe set is a
 * `\u`/`\U` escape, so quotes, braces and newlines cannot end the literal or the action. Pure.
 */

const SAFE_CHAR = /^[A-Za-z0-9_./-]$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A Go interpreted string literal whose text holds only `[A-Za-z0-9_./-]`, `\u` and `\U` escapes. */
export function goStringLiteral(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0xfffd;
    if (SAFE_CHAR.test(char)) out += char;
    // A lone surrogate is not a Unicode code point, and Go rejects it in an escape.
    else if (code >= 0xd800 && code <= 0xdfff) out += "\\ufffd";
    else if (code > 0xffff) out += `\\U${code.toString(16).padStart(8, "0")}`;
    else out += `\\u${code.toString(16).padStart(4, "0")}`;
  }
  return `${out}"`;
}

/** True when `key` can be read as a field (`.Data.key`), which makes `error_on_missing_key` apply to it. */
export function isIdentifier(key: string): boolean {
  return IDENTIFIER.test(key);
}

/**
 * A pipeline reading `key` of `data`: a field access for identifiers (the schema allows only these), else an
 * `index` with a quoted literal (defence in depth for values that skipped validation).
 */
export function fieldOf(data: string, key: string): string {
  return isIdentifier(key) ? `${data}.${key}` : `(index ${data} ${goStringLiteral(key)})`;
}

/** Template text that prints `key` literally: raw for identifiers, else an action printing a quoted literal. */
export function textOf(key: string): string {
  return isIdentifier(key) ? key : `{{ ${goStringLiteral(key)} }}`;
}
