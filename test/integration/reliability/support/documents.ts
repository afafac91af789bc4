/**
 * Hostile spec documents for the property tests: structurally random JSON, envelopes with random parts, and
 * single mutations (delete, replace, null, wrong type, unknown key) of the valid examples in `examples/`.
 */
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { parseAllDocuments } from "yaml";
import { API_VERSION, KINDS } from "../../../../src/crds/meta.js";

const EXAMPLES = new URL("../../../../examples/", import.meta.url);

/** A path into a document (keys and indexes). */
export type Path = (string | number)[];

/** Every document of `examples/` as parsed YAML (before defaults). */
export function exampleDocuments(): unknown[] {
  const files = [
    "namespaces.yaml",
    "catalog-sync.yaml",
    ...readdirSync(new URL("services/", EXAMPLES)).map((f) => `services/${f}`),
  ];
  return files.flatMap((f) =>
    parseAllDocuments(readFileSync(new URL(f, EXAMPLES), "utf8")).map((d) => d.toJSON() as unknown),
  );
}

/** Every path in a value, the root excluded. */
export function pathsOf(value: unknown, at: Path = []): Path[] {
  const out: Path[] = at.length === 0 ? [] : [at];
  if (Array.isArray(value)) for (const [i, v] of value.entries()) out.push(...pathsOf(v, [...at, i]));
  else if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...at, k]));
  return out;
}

/** True when every segment of `path` exists in `value`. */
export function resolves(value: unknown, path: Path): boolean {
  let current: unknown = value;
  for (const segment of path) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, segment)) return false;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return true;
}

/** One mutation of one document. */
export interface Mutation {
  action: "delete" | "replace" | "number" | "null" | "wrongType" | "unknownKey";
  path: Path;
  document: unknown;
}

/** Applies `action` at the `pick`-th path of a copy of `source`. */
function mutate(
  source: unknown,
  pick: number,
  action: Mutation["action"],
  value: unknown,
  number: number,
): Mutation {
  const document = structuredClone(source);
  const paths = pathsOf(document);
  const path = paths[pick % paths.length] ?? ["spec"];
  let parent = document as Record<string | number, unknown>;
  for (const segment of path.slice(0, -1)) parent = parent[segment] as Record<string | number, unknown>;
  const last = path[path.length - 1] ?? "spec";
  const current = parent[last];
  if (action === "delete") {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (action === "replace") parent[last] = value;
  else if (action === "number") parent[last] = number;
  else if (action === "null") parent[last] = null;
  else if (action === "wrongType")
    parent[last] = typeof current === "string" ? 42 : typeof current === "number" ? "forty two" : "a string";
  else if (current !== null && typeof current === "object" && !Array.isArray(current))
    (current as Record<string, unknown>).unexpectedField = value;
  else parent[last] = { unexpectedField: value };
  return { action, path, document };
}

/**
 * JSON that DynamoDB can store: numbers within its range and precision (no 1e300, no 5e-324), non-empty map
 * keys. Everything else is as random as `fc.jsonValue`.
 */
export function storableJson(maxDepth = 2): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.integer({ min: -1_000_000, max: 1_000_000 }),
    fc.integer({ min: -1_000_000, max: 1_000_000 }).map((n) => n / 100),
    fc.boolean(),
    fc.constant(null),
  );
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", maxDepth },
      leaf,
      fc.array(tie("value"), { maxLength: 4 }),
      fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), tie("value"), { maxKeys: 4 }),
    ),
  }));
  return value;
}

/** Single mutations of the valid examples; `storable` keeps the new values within what DynamoDB can hold. */
export function mutatedExamples(options: { storable?: boolean } = {}): fc.Arbitrary<Mutation> {
  const examples = exampleDocuments();
  return fc
    .tuple(
      fc.nat(examples.length - 1),
      fc.nat(),
      fc.constantFrom<Mutation["action"]>("delete", "replace", "number", "null", "wrongType", "unknownKey"),
      options.storable === true ? storableJson() : fc.jsonValue({ maxDepth: 2 }),
      // YAML reads .inf and -.inf too.
      options.storable === true
        ? fc.integer({ min: -100_000, max: 100_000 })
        : fc.oneof(fc.integer({ min: -100_000, max: 100_000 }), fc.double()),
    )
    .map(([doc, pick, action, value, number]) => mutate(examples[doc], pick, action, value, number));
}

/** Anything at all, JSON of any shape, and envelopes whose kind is known but whose parts are random. */
export function randomDocuments(): fc.Arbitrary<unknown> {
  const envelope = fc.record(
    {
      apiVersion: fc.oneof(fc.constant(API_VERSION), fc.jsonValue()),
      kind: fc.oneof(fc.constantFrom(...KINDS), fc.jsonValue()),
      metadata: fc.oneof(
        fc.record({ name: fc.string(), namespace: fc.string() }, { requiredKeys: [] }),
        fc.jsonValue(),
      ),
      spec: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), fc.jsonValue()),
      status: fc.jsonValue({ maxDepth: 2 }),
    },
    { requiredKeys: [] },
  );
  return fc.oneof(fc.anything(), fc.jsonValue(), envelope);
}
