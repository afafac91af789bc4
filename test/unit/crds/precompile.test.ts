import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { precompileValidators } from "../../../src/build/precompile-validators.js";
import { SCHEMAS, SCHEMAS_DIR } from "../../../src/crds/schemas.js";
import { compiledFileOf, createAjv, schemaFingerprint } from "../../../src/crds/validators.js";

// Inside the repository: the generated code requires ajv's runtime helpers from node_modules.
const cache = join(SCHEMAS_DIR, "..", "node_modules", ".cache");
mkdirSync(cache, { recursive: true });
const dir = mkdtempSync(join(cache, "fo-precompile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const load = createRequire(import.meta.url);

describe("precompiled validators (the build's standalone ajv code)", () => {
  const written = precompileValidators(dir);

  it("writes one validator per kind, stamped with the fingerprint of the schemas it came from", () => {
    expect(written).toHaveLength(4);
    const mod = load(join(dir, compiledFileOf("FargateService"))) as { fingerprint: string };
    expect(mod.fingerprint).toBe(schemaFingerprint("FargateService"));
  });

  it("judges a document exactly as the validator compiled at run time does (errors, paths, schemas)", () => {
    const compiled = (
      load(join(dir, compiledFileOf("FargateService"))) as { default: (d: unknown) => boolean }
    ).default as ((d: unknown) => boolean) & { errors?: unknown };
    const runtime = createAjv().compile(SCHEMAS.FargateService);
    const bad = {
      apiVersion: "fargate-operator/v1alpha1",
      kind: "FargateService",
      metadata: { name: "x" },
      spec: {
        cpu: "256",
        containers: [{ name: "a", image: "i", ulimits: [{ name: "bogus", softLimit: 1 }] }],
      },
    };
    expect(compiled(bad)).toBe(false);
    expect(runtime(bad)).toBe(false);
    const shape = (errors: unknown) =>
      (errors as Array<{ instancePath: string; keyword: string; message: string }>).map(
        (e) => `${e.instancePath} ${e.keyword} ${e.message}`,
      );
    expect(shape(compiled.errors)).toEqual(shape(runtime.errors));
    expect(shape(compiled.errors).some((e) => e.startsWith("/spec/containers/0/ulimits/0/name enum"))).toBe(
      true,
    );
  });

  it("changes the fingerprint when a schema changes, so a stale build is compiled afresh", () => {
    const before = schemaFingerprint("CatalogSync");
    const schema = SCHEMAS.CatalogSync as Record<string, unknown>;
    const title = schema.title;
    schema.title = "edited";
    try {
      expect(schemaFingerprint("CatalogSync")).not.toBe(before);
    } finally {
      schema.title = title;
    }
  });
});
