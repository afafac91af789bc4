/** Escaping for the status page: every value that reaches HTML goes through one of these. Pure. */

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

/** Escapes text for element content and for quoted attribute values alike (quotes and backticks too). */
export function escapeHtml(value: unknown): string {
  const text = value === undefined || value === null ? "" : String(value);
  return text.replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * JSON that is safe inside a `<script>` element or an SSE `data:` line: no `<`, `>`, `&`, U+2028/U+2029 or
 * newline survives as itself, so a value can neither close the script nor split the event.
 */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** A path segment for a link: percent-encoded, so `/`, `?` and `#` in a value cannot change the route. */
export function pathSegment(value: string): string {
  return encodeURIComponent(value);
}
