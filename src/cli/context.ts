/** Per-invocation context: settings resolved once (flag > env > default) and the store built from them. */
import { type CommonSettings, commonSettings, resolveEndpoints } from "../config/common.js";
import { readEnvironment, resolveSettings } from "../config/settings.js";
import type { ResourceStore } from "../store/types.js";

/** What every command receives. */
export interface CliContext {
  settings: CommonSettings;
  /** Builds the store on first use, so offline commands (validate) never need AWS settings. */
  store(): ResourceStore;
  /** Output streams, replaceable in tests. */
  out: (text: string) => void;
  err: (text: string) => void;
  now: () => number;
}

/** Global flags as commander hands them over (camelCase keys). */
export interface GlobalFlags {
  region?: string;
  table?: string;
  endpointUrl?: string;
}

/** Builds the DynamoDB store; handed in so commands that work offline never load the AWS SDK. */
export type StoreFactory = (options: {
  tableName: string;
  region: string;
  endpoints: ReturnType<typeof resolveEndpoints>;
}) => ResourceStore;

const offlineOnly: StoreFactory = () => {
  throw new Error("internal: this command works offline and has no store");
};

/** Resolves settings from global flags and the environment and returns the command context. */
export function createCliContext(flags: GlobalFlags, createStore: StoreFactory = offlineOnly): CliContext {
  const settings = resolveSettings(
    commonSettings,
    { region: flags.region, table: flags.table, "endpoint-url": flags.endpointUrl },
    readEnvironment(),
  );
  let store: ResourceStore | undefined;
  return {
    settings,
    store: () => {
      store ??= createStore({
        tableName: settings.table,
        region: settings.region,
        endpoints: resolveEndpoints(settings),
      });
      return store;
    },
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    now: () => Date.now(),
  };
}
