/** Explains why a value fails its schema pattern, for error messages. Pure. */

/** Named fixes to try on a value that fails its pattern, with what to say when one makes it valid. */
const PATTERN_FIXES: ReadonlyArray<{
  applies: (v: string) => boolean;
  fix: (v: string) => string;
  reason: string;
}> = [
  { applies: (v) => /\s/.test(v), fix: (v) => v.replace(/\s/g, ""), reason: "whitespace is not allowed" },
  { applies: (v) => v.includes(".."), fix: (v) => v.replace(/\.{2,}/g, "."), reason: "'..' is not allowed" },
  { applies: (v) => /[{}]/.test(v), fix: (v) => v.replace(/[{}]/g, ""), reason: "braces are not allowed" },
  { applies: (v) => /["'`]/.test(v), fix: (v) => v.replace(/["'`]/g, ""), reason: "quotes are not allowed" },
  {
    applies: (v) => /[A-Z]/.test(v),
    fix: (v) => v.toLowerCase(),
    reason: "uppercase letters are not allowed",
  },
  {
    applies: (v) => v.startsWith("/"),
    fix: (v) => v.replace(/^\/+/, ""),
    reason: "it must not start with '/'",
  },
  {
    applies: (v) => !v.startsWith("/"),
    fix: (v) => `/${v}`,
    reason: "it must be an absolute path (start with '/')",
  },
];

/**
 * Why `value` fails `pattern`, found by trying fixes: when one named fix (or removing one character) makes the
 * value valid, that is the reason. Undefined when no single change explains it.
 */
export function patternReason(pattern: string, value: string): string | undefined {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, "u");
  } catch {
    return undefined;
  }
  const present = PATTERN_FIXES.filter((f) => f.applies(value));
  const single = present.find((f) => regex.test(f.fix(value)));
  if (single) return single.reason;
  const applyAll = (fixes: typeof present): string => fixes.reduce((v, f) => f.fix(v), value);
  let combined = present.filter((f) => !f.reason.startsWith("it must"));
  if (combined.length > 1 && regex.test(applyAll(combined))) {
    // keep only the fixes that are needed, so an allowed feature (say uppercase) is not blamed
    for (const fix of [...combined]) {
      const without = combined.filter((f) => f !== fix);
      if (regex.test(applyAll(without))) combined = without;
    }
    return combined.map((f) => f.reason).join("; ");
  }
  for (const char of new Set(value.slice(0, 256))) {
    if (regex.test(value.split(char).join(""))) return `${JSON.stringify(char)} is not allowed`;
  }
  return undefined;
}
