/** Errors of the pure renderers. */

/** A spec cannot be rendered (something the schema or the controller should have caught first). */
export class RenderError extends Error {
  override readonly name = "RenderError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
