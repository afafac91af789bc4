/** Typed errors of the crds module. */

/** Base class of every error this module throws. */
export class CrdsError extends Error {
  override name = "CrdsError";
}

/** A kind name the CLI does not know. */
export class UnknownKindError extends CrdsError {
  override name = "UnknownKindError";
  /** The name as given. */
  readonly input: string;
  constructor(input: string, message: string) {
    super(message);
    this.input = input;
  }
}

/** The JSON Schemas could not be found or read (a broken installation). */
export class SchemaLoadError extends CrdsError {
  override name = "SchemaLoadError";
}
