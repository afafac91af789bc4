/** docs/resources.md is the reference generated from schemas/: it must be current and cover every spec field. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resourcesReference } from "../../../src/crds/reference.js";
import { SCHEMA_FILES, SCHEMAS_DIR } from "../../../src/crds/schemas.js";

const schemas = Object.values(SCHEMA_FILES).map((file) =>
  JSON.parse(readFileSync(join(SCHEMAS_DIR, file), "utf8")),
);

describe("docs/resources.md", () => {
  it("is what `npm run docs:resources` generates from the schemas", () => {
    const committed = readFileSync(new URL("../../../docs/resources.md", import.meta.url), "utf8");
    expect(committed).toBe(resourcesReference(schemas));
  });

  it("lists nested fields with their defaults and required marks", () => {
    const page = resourcesReference(schemas);
    expect(page).toContain("| `spec.deployment.timeoutSeconds` | integer");
    expect(page).toMatch(/\| `spec\.containers\[\]\.image` \| string \| yes \|/);
    expect(page).toMatch(/\| `spec\.discovery\.cloudMap\.dnsTtl` \| [^|]+ \| {2}\| `10` \|/);
    expect(page).toContain("## CatalogSync");
  });
});
