/** The controller command's options as commander needs them: light, so `fargatectl --help` loads no controller. */
import { controllerSettings } from "../config/controller.js";
import { camelCaseFlag, defaultTextOf, describeSettings } from "../config/settings.js";

/** The `--help` block: every controller setting, its variables and default (durations in ms). */
export function controllerSettingsHelp(): string {
  return describeSettings(controllerSettings);
}

/** One commander option per controller setting: `{ flags: "--concurrency <value>", description }`. */
export function controllerOptionSpecs(): Array<{ flags: string; description: string }> {
  return Object.values(controllerSettings).map((d) => ({
    flags: `--${d.flag} <value>`,
    description: `${d.description} Default: ${defaultTextOf(d)}. Env: ${d.env.join(", ")}.`,
  }));
}

/**
 * Turns commander's camelCase options (`resyncPeriod`, `endpointUrl`) into the flag-named map the settings
 * resolver reads (`resync-period`, `endpoint-url`). Non-string values are ignored.
 */
export function flagsFromOptions(
  options: Readonly<Record<string, unknown>>,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  const flags = [
    ...Object.values(controllerSettings).map((d) => d.flag),
    "region",
    "table",
    "endpoint-url",
    "dynamodb-endpoint-url",
    "dynamodb-streams-endpoint-url",
    "ecs-endpoint-url",
    "servicediscovery-endpoint-url",
    "application-autoscaling-endpoint-url",
    "consul-address",
  ];
  for (const flag of flags) {
    const value = options[camelCaseFlag(flag)] ?? options[flag];
    if (typeof value === "string") out[flag] = value;
    else if (typeof value === "number") out[flag] = String(value);
  }
  return out;
}
