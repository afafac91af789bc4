/** Every reconciler's first step: the stored record validated like a written document, or InvalidSpec. */
import { formatPath } from "../crds/index.js";
import { validateDocumentForAws } from "../render/index.js";
import { PermanentError } from "../runtime/errors.js";
import type { StoredResource } from "../store/types.js";

/** Condition reason of a record whose spec fails validation. */
export const INVALID_SPEC_REASON = "InvalidSpec";

/**
 * The record's spec with defaults applied, or PermanentError(InvalidSpec) naming every issue's path and message
 * (a hand-written item is checked here exactly as `apply` checks a file). `Spec` is the caller's kind's spec type.
 */
export function validatedSpec<Spec>(stored: StoredResource): Spec {
  const result = validateDocumentForAws({
    apiVersion: stored.apiVersion,
    kind: stored.kind,
    metadata: stored.metadata,
    spec: stored.spec,
  });
  if (!result.ok) {
    const message = result.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join("; ");
    throw new PermanentError(INVALID_SPEC_REASON, message);
  }
  if (result.document.kind !== stored.kind) {
    throw new PermanentError(INVALID_SPEC_REASON, `kind is ${result.document.kind}, expected ${stored.kind}`);
  }
  return result.document.spec as Spec;
}
