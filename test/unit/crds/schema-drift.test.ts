import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { type JsonSchema, KINDS, type Kind, SCHEMAS } from "../../../src/crds/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
const indexFile = join(root, "src/crds/index.ts");
const fixtureFile = join(here, "drift-fixture.ts");

/** The TypeScript type of each kind's validated document (what the schema describes, minus status). */
const DOCUMENT_TYPES: Record<Kind, string> = {
  FargateService: "FargateServiceDocument",
  CloudMapNamespace: "CloudMapNamespaceDocument",
  CatalogSync: "CatalogSyncDocument",
  NamespacePolicy: "NamespacePolicyDocument",
};

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function createChecker(): { checker: ts.TypeChecker; exported: (file: string, name: string) => ts.Type } {
  const config = ts.readConfigFile(join(root, "tsconfig.json"), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const program = ts.createProgram([indexFile, fixtureFile], { ...parsed.options, noEmit: true });
  const checker = program.getTypeChecker();
  return {
    checker,
    exported(file, name) {
      const source = program.getSourceFile(file);
      const module = source && checker.getSymbolAtLocation(source);
      const symbol = module && checker.getExportsOfModule(module).find((s) => s.name === name);
      if (!symbol) throw new Error(`${name} is not exported from ${file}`);
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      return checker.getDeclaredTypeOfSymbol(target);
    },
  };
}

/**
 * Walks a schema and a type together. Object keys must match both ways; a key is optional in the type exactly
 * when the schema neither requires it nor gives it a default (validated documents have defaults applied).
 */
function drift(
  checker: ts.TypeChecker,
  schema: Json,
  type: ts.Type,
  path: string,
  ignore: string[] = [],
): string[] {
  const problems: string[] = [];
  if (schema.type === "array" && isObject(schema.items)) {
    const element = checker.isArrayType(type)
      ? checker.getTypeArguments(type as ts.TypeReference)[0]
      : undefined;
    if (!element) return [`${path}: schema has a list, type has ${checker.typeToString(type)}`];
    return drift(checker, schema.items, checker.getNonNullableType(element), `${path}[]`);
  }
  if (schema.type !== "object" || !isObject(schema.properties)) return problems;
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const typeProps = new Map(checker.getPropertiesOfType(type).map((p) => [p.name, p]));
  for (const [key, child] of Object.entries(schema.properties)) {
    if (ignore.includes(key) || !isObject(child)) continue;
    const prop = typeProps.get(key);
    if (!prop) {
      problems.push(`${path}.${key}: in the schema, missing from the type`);
      continue;
    }
    const optional = (prop.flags & ts.SymbolFlags.Optional) !== 0;
    const shouldBeOptional = !required.has(key) && child.default === undefined;
    if (optional !== shouldBeOptional) {
      problems.push(`${path}.${key}: optional in the ${optional ? "type" : "schema"} only`);
    }
    problems.push(
      ...drift(checker, child, checker.getNonNullableType(checker.getTypeOfSymbol(prop)), `${path}.${key}`),
    );
  }
  for (const key of typeProps.keys()) {
    if (!(key in schema.properties)) problems.push(`${path}.${key}: in the type, missing from the schema`);
  }
  return problems;
}

describe("schemas and TypeScript types", () => {
  const { checker, exported } = createChecker();

  for (const kind of KINDS) {
    it(`${kind}: every object of the schema matches its type`, () => {
      const type = exported(indexFile, DOCUMENT_TYPES[kind]);
      // status is accepted by the schema but stripped by validateDocument, so the document type has none
      expect(drift(checker, SCHEMAS[kind], type, kind, ["status"])).toEqual([]);
    });
  }

  it("detects drift both ways (self-test on a drifted type)", () => {
    const schema: JsonSchema = {
      type: "object",
      required: ["a", "c", "nested"],
      properties: {
        a: { type: "string" },
        b: { type: "string" },
        c: { type: "integer" },
        nested: {
          type: "array",
          items: { type: "object", properties: { inner: { type: "string" }, more: { type: "string" } } },
        },
      },
    };
    expect(drift(checker, schema, exported(fixtureFile, "DriftedObject"), "x")).toEqual([
      "x.b: in the schema, missing from the type",
      "x.c: optional in the type only",
      "x.nested[].inner: optional in the schema only",
      "x.nested[].more: in the schema, missing from the type",
      "x.extra: in the type, missing from the schema",
    ]);
  });
}, 60_000);

describe("schema hygiene", () => {
  /** Visits every subschema with its location. */
  function walk(schema: unknown, at: string, visit: (node: Json, at: string) => void): void {
    if (!isObject(schema)) return;
    visit(schema, at);
    if (isObject(schema.properties)) {
      for (const [key, child] of Object.entries(schema.properties)) walk(child, `${at}.${key}`, visit);
    }
    if (isObject(schema.items)) walk(schema.items, `${at}[]`, visit);
    if (isObject(schema.additionalProperties)) walk(schema.additionalProperties, `${at}{}`, visit);
  }

  for (const kind of KINDS) {
    const schema = SCHEMAS[kind];

    it(`${kind}: has $id, draft 2020-12, a description on every property, and examples`, () => {
      expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
      expect(schema.$id).toBe(
        `https://fargate-operator.dev/schemas/v1alpha1/${kind.toLowerCase()}.schema.json`,
      );
      expect(Array.isArray(schema.examples) && schema.examples.length > 0).toBe(true);
      const undocumented: string[] = [];
      walk(schema, kind, (node, at) => {
        if (!isObject(node.properties)) return;
        for (const [key, child] of Object.entries(node.properties)) {
          if (!isObject(child) || typeof child.description !== "string" || child.description.length < 10) {
            undocumented.push(`${at}.${key}`);
          }
        }
      });
      expect(undocumented).toEqual([]);
    });

    it(`${kind}: closes every object (additionalProperties false, or a typed map)`, () => {
      const open: string[] = [];
      walk(schema, kind, (node, at) => {
        if (node.type !== "object" || at === `${kind}.status`) return;
        const closed = isObject(node.properties)
          ? node.additionalProperties === false
          : isObject(node.additionalProperties);
        if (!closed) open.push(at);
      });
      expect(open).toEqual([]);
    });

    it(`${kind}: states each default in its description`, () => {
      const unstated: string[] = [];
      walk(schema, kind, (node, at) => {
        if (node.default !== undefined && !String(node.description).includes("Default")) unstated.push(at);
      });
      expect(unstated).toEqual([]);
    });
  }
});
