/** The catalog sync engine (DESIGN 6): `createSyncEngine` and what its callers need. */
export type { SyncConsulClient, SyncEngineDeps, SyncLease, SyncTuning } from "./deps.js";
export { DEFAULT_DNS_TTL_SECONDS, DEFAULT_MIN_REPORT_INTERVAL_MS, DEFAULT_TUNING } from "./deps.js";
export { createSyncEngine } from "./engine.js";
export { SyncConfigError } from "./errors.js";
export { syncLeaseName, syncNodeName } from "./names.js";
export type * from "./types.js";
