/** The catalog-sync command's options as commander needs them: light, so `--help` loads no sync engine. */
import { catalogSyncCommandSettings, catalogSyncSettings } from "../../config/catalog-sync.js";
import { camelCaseFlag, defaultTextOf, describeSettings } from "../../config/settings.js";

/** Flags of the common settings this command offers besides the global ones (--region, --table, --endpoint-url). */
const COMMON_FLAGS = [
  "consul-address",
  "servicediscovery-endpoint-url",
  "dynamodb-endpoint-url",
  "dynamodb-streams-endpoint-url",
] as const;

/** The `--help` block: every setting of the command, its variables and default. */
export function catalogSyncSettingsHelp(): string {
  return describeSettings(catalogSyncCommandSettings);
}

/** One commander option per setting of the command (the global ones excepted). */
export function catalogSyncOptionSpecs(): Array<{ flags: string; description: string }> {
  const common = Object.values(catalogSyncCommandSettings).filter((d) =>
    (COMMON_FLAGS as readonly string[]).includes(d.flag),
  );
  const own = Object.values(catalogSyncSettings).filter((d) => d.flag !== "table");
  return [...own, ...common].map((d) => ({
    flags: `--${d.flag} <value>`,
    description: `${d.description} Default: ${defaultTextOf(d)}.${d.env.length > 0 ? ` Env: ${d.env.join(", ")}.` : ""}`,
  }));
}

/** Commander's camelCase options as the flag-named map the settings resolver reads. */
export function catalogSyncFlagsFromOptions(
  options: Readonly<Record<string, unknown>>,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const d of Object.values(catalogSyncCommandSettings)) {
    const value = options[camelCaseFlag(d.flag)] ?? options[d.flag];
    if (typeof value === "string") out[d.flag] = value;
  }
  return out;
}
