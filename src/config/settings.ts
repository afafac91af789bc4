/**
 * Declarative settings: each has a flag, an environment variable and a default, resolved as
 * flag > env > default and validated once. The only place that reads the environment is `readEnvironment`.
 */
import { ConfigError } from "./errors.js";

/** A parser turns the raw text of a flag or variable into a value, or throws an Error saying what is wrong. */
export type SettingParser<T> = (raw: string) => T;

/** One setting: where it comes from, its default and what it means (shown by `--help`). */
export interface SettingDefinition<T> {
  /** Long flag without dashes, e.g. `table`. */
  flag: string;
  /** Environment variables, first found wins. */
  env: readonly string[];
  /** Default when neither flag nor env is set; `undefined` means the setting is optional. */
  default: T | undefined;
  /** What the setting is for, one line. */
  description: string;
  /** How `--help` shows the default when JSON would not read well (durations: `10m`, not 600000). */
  defaultText?: string;
  parse: SettingParser<T>;
}

/** A map of setting name to definition. */
export type SettingDefinitions = Record<string, SettingDefinition<unknown>>;

/** The resolved value type of a definitions map. */
export type ResolvedSettings<D extends SettingDefinitions> = {
  [K in keyof D]: D[K] extends SettingDefinition<infer T>
    ? D[K]["default"] extends undefined
      ? T | undefined
      : T
    : never;
};

/** Where a resolved value came from, for diagnostics. */
export type SettingSource = "flag" | "env" | "default";

/** Helper that keeps a definition's value type. */
export function setting<T>(definition: SettingDefinition<T>): SettingDefinition<T> {
  return definition;
}

/** Resolves every setting (flag > env > default); collects every problem and throws one ConfigError. */
export function resolveSettings<D extends SettingDefinitions>(
  definitions: D,
  flags: Readonly<Record<string, string | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
): ResolvedSettings<D> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, def] of Object.entries(definitions)) {
    const fromFlag = flags[def.flag];
    const envName = def.env.find((e) => env[e] !== undefined && env[e] !== "");
    const raw = fromFlag ?? (envName === undefined ? undefined : env[envName]);
    if (raw === undefined) {
      out[name] = def.default;
      continue;
    }
    try {
      out[name] = def.parse(raw);
    } catch (error) {
      const where = fromFlag !== undefined ? `--${def.flag}` : `$${envName}`;
      problems.push(
        `${where}=${JSON.stringify(raw)}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as ResolvedSettings<D>;
}

/** Renders a help block listing every setting, its flag, variables and default. */
export function describeSettings(definitions: SettingDefinitions): string {
  return Object.values(definitions)
    .map((d) => {
      const def = defaultTextOf(d);
      const env = d.env.length > 0 ? ` (env ${d.env.join(", ")})` : "";
      return `  --${d.flag}${env}\n      ${d.description} Default: ${def}.`;
    })
    .join("\n");
}

/** The default as `--help` shows it. */
export function defaultTextOf(definition: SettingDefinition<unknown>): string {
  if (definition.defaultText !== undefined) return definition.defaultText;
  return definition.default === undefined ? "none" : JSON.stringify(definition.default);
}

/** The process environment, read in exactly one place. */
export function readEnvironment(): Readonly<Record<string, string | undefined>> {
  return process.env;
}

/** Parses a positive integer. */
export function parsePositiveInt(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error("must be a positive integer");
  return n;
}

/** Parses a non-negative integer. */
export function parseNonNegativeInt(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error("must be a non-negative integer");
  return n;
}

/** Parses an http(s) URL and returns it without a trailing slash. */
export function parseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw new Error("must be a URL such as http://127.0.0.1:8000", { cause });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("must be an http or https URL");
  return raw.replace(/\/+$/, "");
}

/** Parses a non-empty string without whitespace. */
export function parseToken(raw: string): string {
  if (raw.trim() === "" || /\s/.test(raw)) throw new Error("must be non-empty and contain no whitespace");
  return raw;
}

/** Parses a duration like `300s`, `10m`, `1h`, `500ms` or plain seconds, returning milliseconds. */
export function parseDuration(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
  if (!m?.[1]) throw new Error("must be a duration such as 300s, 10m or 1h");
  const value = Number(m[1]);
  const unit = m[2] ?? "s";
  const factor = unit === "ms" ? 1 : unit === "s" ? 1000 : unit === "m" ? 60_000 : 3_600_000;
  return Math.round(value * factor);
}

/** Parses a boolean flag value. */
export function parseBoolean(raw: string): boolean {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new Error("must be true or false");
}

/** A flag name as commander keys its option: `resync-period` → `resyncPeriod`. */
export function camelCaseFlag(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
