/** Typed errors of the catalog sync engine. */

/** The engine's configuration cannot work (e.g. a poll interval that is not positive). */
export class SyncConfigError extends Error {
  override readonly name = "SyncConfigError";
}
