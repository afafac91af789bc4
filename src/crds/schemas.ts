/**
 * Loads the kinds' JSON Schemas from `schemas/` at the package root. The root is found by walking up from this
 * file to the nearest package.json, so it works from `src/crds` (vitest, tsx) and from `dist/crds` alike.
 * Reads files once, at module load; everything else in this room is pure.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SchemaLoadError } from "./errors.js";
import type { Kind } from "./meta.js";

/** A JSON Schema document, as parsed JSON. */
export type JsonSchema = Record<string, unknown>;

/** Schema file name of each kind, relative to `schemas/`. */
export const SCHEMA_FILES: Readonly<Record<Kind, string>> = {
  FargateService: "fargateservice.schema.json",
  CloudMapNamespace: "cloudmapnamespace.schema.json",
  CatalogSync: "catalogsync.schema.json",
  NamespacePolicy: "namespacepolicy.schema.json",
};

/** The directory holding the nearest package.json above `start`. */
export function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, "package.json"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new SchemaLoadError(`no package.json found above ${start}`);
    dir = parent;
  }
}

/** Absolute path of the `schemas/` directory. */
export const SCHEMAS_DIR = join(findPackageRoot(dirname(fileURLToPath(import.meta.url))), "schemas");

function loadSchema(file: string): JsonSchema {
  const path = join(SCHEMAS_DIR, file);
  try {
    return JSON.parse(readFileSync(path, "utf8")) as JsonSchema;
  } catch (error) {
    throw new SchemaLoadError(`cannot load JSON Schema ${path}`, { cause: error });
  }
}

/** Every kind's JSON Schema, loaded once. */
export const SCHEMAS: Readonly<Record<Kind, JsonSchema>> = {
  FargateService: loadSchema(SCHEMA_FILES.FargateService),
  CloudMapNamespace: loadSchema(SCHEMA_FILES.CloudMapNamespace),
  CatalogSync: loadSchema(SCHEMA_FILES.CatalogSync),
  NamespacePolicy: loadSchema(SCHEMA_FILES.NamespacePolicy),
};
