/** Writes docs/resources.md from the JSON Schemas (`npm run docs:resources`). */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { resourcesReference } from "../src/crds/reference.js";
import { SCHEMA_FILES, SCHEMAS_DIR } from "../src/crds/schemas.js";

const schemas = Object.values(SCHEMA_FILES).map((file) =>
  JSON.parse(readFileSync(join(SCHEMAS_DIR, file), "utf8")),
);
const target = new URL("../docs/resources.md", import.meta.url);
writeFileSync(target, resourcesReference(schemas));
console.log(`wrote ${target.pathname}`);
