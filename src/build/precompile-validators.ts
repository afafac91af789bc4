/**
 * Build step (`npm run build`, after tsc; kept out of the pure crds room because it writes files): writes each kind's validator as standalone ajv code into
 * dist/crds/compiled/, stamped with the fingerprint of the schemas it was compiled from (validators.ts checks it).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import standaloneCode from "ajv/dist/standalone/index.js";
import { KINDS } from "../crds/meta.js";
import { SCHEMAS } from "../crds/schemas.js";
import { COMPILED_DIR, compiledFileOf, createAjv, schemaFingerprint } from "../crds/validators.js";

/** Writes every kind's precompiled validator; returns the files written. */
export function precompileValidators(dir: string = COMPILED_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  const ajv = createAjv(true);
  const written: string[] = [];
  for (const kind of KINDS) {
    const code = standaloneCode.default(ajv, ajv.compile(SCHEMAS[kind]));
    const path = join(dir, compiledFileOf(kind));
    writeFileSync(
      path,
      `${code}\nmodule.exports.fingerprint = ${JSON.stringify(schemaFingerprint(kind))};\n`,
    );
    written.push(path);
  }
  return written;
}

// Run as a script (`node dist/build/precompile-validators.js`): write them.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const path of precompileValidators()) process.stdout.write(`wrote ${path}\n`);
}
