/**
 * Hostile spec documents (fast-check): structurally random JSON and single mutations of the valid examples go
 * through validateDocument, which never throws; every invalid one gets issues, each naming a path that leads
 * into the document with a message and a hint; a wrong type, a null or an unknown key is reported at (or
 * around) the path it broke. (It found spec.vault.cpu reported for a service without vault when cpu ≤ 0.)
 * `npm run soak` runs 50,000 of each.
 */
import { describe, it } from "vitest";
import { checkMutatedExamples, checkRandomDocuments } from "./scenarios/hostile-documents.js";

describe("hostile spec documents", () => {
  it("random JSON never throws and every invalid document's issues name a path in it", () => {
    checkRandomDocuments(2_000, 4);
  });

  it("mutations of the valid examples never throw and are reported at the field they broke", () => {
    checkMutatedExamples(2_000, 5);
  });
});
