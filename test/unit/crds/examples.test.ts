import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatIssue, parseDocuments, SCHEMA_FILES, validateDocument } from "../../../src/crds/index.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const examplesDir = join(root, "examples");
const exampleFiles = readdirSync(examplesDir, { recursive: true, encoding: "utf8" })
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => join(examplesDir, f))
  .sort();
// The operator's own spec in deploy/ is held to the same standard.
const files = [...exampleFiles, join(root, "deploy", "controller.yaml")];

describe("examples", () => {
  it("has the namespaces, catalog syncs and four services", () => {
    expect(exampleFiles.map((f) => relative(examplesDir, f))).toEqual(
      expect.arrayContaining(["namespaces.yaml", "catalog-sync.yaml", expect.stringMatching(/^services\//)]),
    );
    expect(exampleFiles.filter((f) => f.includes(`${examplesDir}/services/`))).toHaveLength(4);
  });

  it.each(files.map((f) => [relative(root, f), f]))("%s validates with zero issues", (_name, file) => {
    const text = readFileSync(file, "utf8");
    const source = relative(root, file);
    const { documents, syntaxErrors } = parseDocuments(text, source);
    expect(syntaxErrors).toEqual([]);
    expect(documents.length).toBeGreaterThan(0);
    const lines = documents.flatMap((d) => {
      const result = validateDocument(d.value);
      return result.ok ? [] : result.issues.map((i) => formatIssue(source, d.positionOf(i.path), i));
    });
    expect(lines).toEqual([]);

    // the editor hint names the schema of the file's (single) kind
    const kinds = new Set(documents.map((d) => (d.value as { kind: keyof typeof SCHEMA_FILES }).kind));
    const hint = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text.split("\n")[0] ?? "");
    if (kinds.size === 1) {
      expect(hint).not.toBeNull();
      const schemaPath = resolve(dirname(file), hint?.[1] ?? "");
      expect(existsSync(schemaPath)).toBe(true);
      const [kind] = [...kinds];
      expect(schemaPath).toBe(join(root, "schemas", SCHEMA_FILES[kind as keyof typeof SCHEMA_FILES]));
    }
  });

  it("covers placement controller and task, Vault with Consul, and SRV", () => {
    const all = files.flatMap((f) =>
      parseDocuments(readFileSync(f, "utf8"), f).documents.map((d) => validateDocument(d.value)),
    );
    const documents = all.flatMap((r) => (r.ok ? [r.document] : []));
    const syncs = documents.flatMap((d) => (d.kind === "CatalogSync" ? [d.spec.placement] : []));
    expect(syncs.sort()).toEqual(["controller", "task"]);
    expect(documents.filter((d) => d.kind === "CloudMapNamespace")).toHaveLength(2);
    const services = documents.flatMap((d) => (d.kind === "FargateService" ? [d.spec] : []));
    expect(services.some((s) => s.vault && s.discovery?.consul?.register)).toBe(true);
    expect(services.some((s) => s.discovery?.cloudMap?.records.includes("SRV"))).toBe(true);
  });
});
