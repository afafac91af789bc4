/**
 * The spec-document properties (fast-check, pure): validateDocument never throws on anything; an invalid document
 * gets issues, each with a message and a hint and naming a path that leads into the document (its parent exists,
 * or the message names the missing field); a wrong type, a null or an unknown key put into a valid example is
 * reported at (or around) the path it broke.
 */
import fc from "fast-check";
import { expect } from "vitest";
import { formatPath, validateDocument } from "../../../../src/crds/index.js";
import type { ValidationIssue } from "../../../../src/crds/issues.js";
import { mutatedExamples, type Path, randomDocuments, resolves } from "../support/documents.js";

function isMapping(value: unknown): boolean {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Problems with the issues of an invalid document (empty when every issue is well formed and placed). */
export function misplacedIssues(document: unknown, issues: readonly ValidationIssue[]): string[] {
  if (issues.length === 0) return ["invalid without any issue"];
  const out: string[] = [];
  for (const i of issues) {
    const where = formatPath(i.path);
    if (i.message.trim() === "" || i.hint.trim() === "") out.push(`${where}: empty message or hint`);
    if (!isMapping(document)) {
      if (i.path.length !== 0) out.push(`${where}: a non-mapping document's issue must name the document`);
      continue;
    }
    const field = formatPath(i.path.slice(i.path[0] === "spec" ? 1 : 0));
    if (i.path.length === 0) out.push(`(document): ${i.message}`);
    else if (!resolves(document, i.path.slice(0, -1)) && !i.message.includes(field))
      out.push(`${where} leads nowhere in the document: ${i.message}`);
  }
  return out;
}

function related(a: Path, b: Path): boolean {
  const n = Math.min(a.length, b.length);
  return n > 0 && a.slice(0, n).every((s, k) => String(s) === String(b[k]));
}

/** Random JSON, random envelopes, anything: never a throw, every issue placed. */
export function checkRandomDocuments(numRuns: number, seed: number): void {
  fc.assert(
    fc.property(randomDocuments(), (document) => {
      const result = validateDocument(document);
      if (result.ok) return;
      expect(misplacedIssues(document, result.issues)).toEqual([]);
    }),
    { numRuns, seed },
  );
}

/** One mutation of a valid example: never a throw, every issue placed, type errors at the broken path. */
export function checkMutatedExamples(numRuns: number, seed: number): void {
  fc.assert(
    fc.property(mutatedExamples(), ({ action, path, document }) => {
      const result = validateDocument(document);
      if (result.ok) return;
      expect(misplacedIssues(document, result.issues)).toEqual([]);
      // A deletion or a new value may break a cross-field rule elsewhere instead (logging needs
      // iam.executionRoleArn, cloudMap.port must be a container's port); a type error may not.
      if (action === "wrongType" || action === "null" || action === "unknownKey")
        expect(
          result.issues.some((i) => related(i.path, path)),
          `${action} at ${formatPath(path)}: ${result.issues.map((i) => formatPath(i.path)).join(", ")}`,
        ).toBe(true);
    }),
    { numRuns, seed },
  );
}
