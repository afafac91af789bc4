/**
 * The kinds' schema validators (ajv). A build (`npm run build`) writes each kind's validator as standalone code
 * into dist/crds/compiled/ (src/build/precompile-validators.ts); this module uses that code when its fingerprint matches the
 * schemas loaded now and compiles at first use otherwise (tests from src, a hand-edited schema). Compiling the
 * FargateService schema with ECS's shapes costs ~100 ms, which a one-shot CLI command such as `import` or
 * `validate` would otherwise pay on every run.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import type { Kind } from "./meta.js";
import { ECS_SHAPES, SCHEMAS } from "./schemas.js";

// Annotation-only keywords in our schemas: hints for error messages and the spec's size cap (`x-max-bytes`,
// which JSON Schema cannot express; specSizeIssues enforces it), ignored by editors. `x-refused` maps fields
// the operator refuses to the fix issues.ts reports; the `x-botocore-*`/`x-roots`/... ones annotate ECS_SHAPES.
const ANNOTATION_KEYWORDS = [
  "x-hint",
  "x-max-hint",
  "x-max-bytes",
  "x-refused",
  "x-botocore-version",
  "x-ecs-api-version",
  "x-roots",
  "x-dropped-patterns",
];

/** The ajv instance every kind is compiled with; `source` keeps the generated code for the build's precompile step. */
export function createAjv(source = false): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    verbose: true,
    keywords: ANNOTATION_KEYWORDS,
    ...(source ? { code: { source: true } } : {}),
  });
  // ECS fields passed through unchanged are validated by ECS's own shapes (`$ref` into its `$defs`).
  ajv.addSchema(ECS_SHAPES);
  return ajv;
}

/** Fingerprint of what a kind's validator is compiled from: its schema and ECS's shapes. */
export function schemaFingerprint(kind: Kind): string {
  return createHash("sha256")
    .update(JSON.stringify(SCHEMAS[kind]))
    .update(JSON.stringify(ECS_SHAPES))
    .digest("hex")
    .slice(0, 32);
}

/** Where the build writes precompiled validators: `compiled/` beside this module (in dist/crds). */
export const COMPILED_DIR = join(dirname(fileURLToPath(import.meta.url)), "compiled");

/** File name of a kind's precompiled validator. */
export function compiledFileOf(kind: Kind): string {
  return `${kind.toLowerCase()}.cjs`;
}

const requireCompiled = createRequire(import.meta.url);

function loadCompiled(kind: Kind): ValidateFunction | undefined {
  const path = join(COMPILED_DIR, compiledFileOf(kind));
  if (!existsSync(path)) return undefined;
  const mod = requireCompiled(path) as { fingerprint?: unknown; default?: unknown };
  // A validator built from other schemas than those loaded now would judge by stale rules: compile instead.
  if (mod.fingerprint !== schemaFingerprint(kind) || typeof mod.default !== "function") return undefined;
  return mod.default as ValidateFunction;
}

let ajv: Ajv2020 | undefined;
const validators: Partial<Record<Kind, ValidateFunction>> = {};

/** The validator of `kind`: precompiled when it matches the schemas, else compiled once at first use. */
export function validatorOf(kind: Kind): ValidateFunction {
  let validate = validators[kind];
  if (validate === undefined) {
    validate = loadCompiled(kind);
    if (validate === undefined) {
      ajv ??= createAjv();
      validate = ajv.compile(SCHEMAS[kind]);
    }
    validators[kind] = validate;
  }
  return validate;
}
