/**
 * Pure half of `npm run schemas:ecs`: converts botocore's ECS service model into one JSON Schema (draft 2020-12)
 * of the shapes reachable from the roots below, and prints it the way Biome formats JSON so the committed file,
 * the generator and `biome check` all agree byte for byte.
 */

/**
 * The requests whose shapes (and everything they reach) the schema covers: the two the spec's ECS fields come
 * from first, then the request of every other ECS operation the controller sends or the simulator answers, so
 * the strict simulator can check each request it receives against AWS's model.
 */
export const ECS_SCHEMA_ROOTS = [
  "RegisterTaskDefinitionRequest",
  "CreateServiceRequest",
  "CreateClusterRequest",
  "DeleteClusterRequest",
  "DeleteServiceRequest",
  "DeregisterTaskDefinitionRequest",
  "DescribeClustersRequest",
  "DescribeServiceDeploymentsRequest",
  "DescribeServicesRequest",
  "DescribeTaskDefinitionRequest",
  "DescribeTasksRequest",
  "ListClustersRequest",
  "ListServiceDeploymentsRequest",
  "ListServicesRequest",
  "ListTagsForResourceRequest",
  "ListTaskDefinitionFamiliesRequest",
  "ListTaskDefinitionsRequest",
  "ListTasksRequest",
  "TagResourceRequest",
  "UntagResourceRequest",
  "UpdateServiceRequest",
] as const;

/** Where the generated schema lives, relative to the package root. */
export const ECS_SCHEMA_FILE = "schemas/ecs-shapes.schema.json";

/** A member of a botocore structure. */
interface BotocoreMember {
  shape: string;
  documentation?: string;
  deprecated?: boolean;
}

/** One botocore shape: only the fields the conversion reads. */
interface BotocoreShape {
  type: string;
  documentation?: string;
  members?: Record<string, BotocoreMember>;
  required?: string[];
  member?: BotocoreMember;
  key?: BotocoreMember;
  value?: BotocoreMember;
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  deprecated?: boolean;
  document?: boolean;
}

/** The parts of a botocore service-2.json the conversion reads. */
export interface BotocoreModel {
  metadata: { apiVersion: string };
  shapes: Record<string, BotocoreShape>;
}

type Schema = Record<string, unknown>;

// Java regex constructs JS has no equivalent for (or means differently) even in `u` mode: possessive
// quantifiers, \A \Z \z \G \h \H \R \X, inline flags, \Q…\E quoting, class intersection and Java/POSIX
// property names. A pattern with any of them is dropped rather than translated into something subtly different.
const JAVA_ONLY =
  /[*+?}]\+|\\[AZzGhHRXQE]|\(\?[a-zA-Z-]+[:)]|&&|\\p\{(?:java|Is|In|Alpha|Alnum|Lower|Upper|ASCII|Punct|Graph|Print|Blank|Cntrl|XDigit|Space|Digit)/;

/** The pattern as JS (`u` mode) reads it, or undefined when it cannot be carried over safely. */
export function translatePattern(pattern: string): string | undefined {
  if (JAVA_ONLY.test(pattern)) return undefined;
  try {
    new RegExp(pattern, "u");
    return pattern;
  } catch {
    return undefined;
  }
}

const ENTITIES: Record<string, string> = {
  "&lt;": "<",
  "&gt;": ">",
  "&amp;": "&",
  "&quot;": '"',
  "&#39;": "'",
};

/** botocore's HTML documentation as plain text, cut to its first sentence (two when the first is short). */
export function summarize(html: string): string {
  // Inline tags (code, links, emphasis) vanish; block tags (paragraphs, list items) become spaces.
  const text = html
    .replace(/<\/?(?:code|a|b|i|em|strong|important)(?:\s[^>]*)?>/g, "")
    .replace(/<[^>]*>/g, " ")
    .replace(/&(?:lt|gt|amp|quot|#39);/g, (entity) => ENTITIES[entity] ?? entity)
    .replace(/\s+/g, " ")
    .trim();
  const sentences = text.split(/(?<=[.!?])\s+(?=[A-Z])/);
  const first = sentences[0] ?? "";
  const second = sentences[1];
  return first.length < 80 && second !== undefined ? `${first} ${second}` : first;
}

function ref(name: string): Schema {
  return { $ref: `#/$defs/${name}` };
}

/** A structure member: a $ref to its shape, with the member's own (more specific) documentation. */
function memberSchema(member: BotocoreMember): Schema {
  const schema = ref(member.shape);
  if (member.documentation) {
    const description = summarize(member.documentation);
    if (description) schema.description = description;
  }
  if (member.deprecated) schema.deprecated = true;
  return schema;
}

function setRange(schema: Schema, shape: BotocoreShape, minKey: string, maxKey: string): void {
  if (shape.min !== undefined) schema[minKey] = shape.min;
  if (shape.max !== undefined) schema[maxKey] = shape.max;
}

/** One shape's schema; patterns that cannot be carried over are added to `dropped`. */
function shapeSchema(name: string, shape: BotocoreShape, dropped: Record<string, string>): Schema {
  const schema: Schema = {};
  if (shape.documentation) {
    const description = summarize(shape.documentation);
    if (description) schema.description = description;
  }
  if (shape.deprecated) schema.deprecated = true;
  switch (shape.type) {
    case "structure": {
      // A "document" structure is free-form JSON (e.g. lifecycle hook details): any value goes.
      if (shape.document) break;
      schema.type = "object";
      schema.additionalProperties = false;
      if (shape.required?.length) schema.required = [...shape.required];
      schema.properties = Object.fromEntries(
        Object.entries(shape.members ?? {}).map(([key, member]) => [key, memberSchema(member)]),
      );
      break;
    }
    case "list":
      schema.type = "array";
      if (shape.member) schema.items = ref(shape.member.shape);
      setRange(schema, shape, "minItems", "maxItems");
      break;
    case "map":
      schema.type = "object";
      if (shape.value) schema.additionalProperties = ref(shape.value.shape);
      setRange(schema, shape, "minProperties", "maxProperties");
      break;
    case "string":
      schema.type = "string";
      if (shape.enum) schema.enum = [...shape.enum];
      setRange(schema, shape, "minLength", "maxLength");
      if (shape.pattern !== undefined) {
        const pattern = translatePattern(shape.pattern);
        if (pattern === undefined) dropped[name] = shape.pattern;
        else schema.pattern = pattern;
      }
      break;
    case "integer":
    case "long":
      schema.type = "integer";
      setRange(schema, shape, "minimum", "maximum");
      break;
    case "float":
    case "double":
      schema.type = "number";
      setRange(schema, shape, "minimum", "maximum");
      break;
    case "boolean":
      schema.type = "boolean";
      break;
    case "timestamp":
      // ECS's JSON protocol sends timestamps as epoch seconds; requests built from YAML/JSON carry strings.
      schema.type = "string";
      break;
    default:
      throw new Error(`botocore shape ${name} has unsupported type ${shape.type}`);
  }
  return schema;
}

/** Names of the shapes reachable from the roots, sorted. */
export function reachableShapes(model: BotocoreModel, roots: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    const shape = model.shapes[name];
    if (shape === undefined) throw new Error(`botocore model has no shape ${name}`);
    seen.add(name);
    for (const child of [shape.member, shape.key, shape.value, ...Object.values(shape.members ?? {})]) {
      if (child) visit(child.shape);
    }
  };
  for (const root of roots) visit(root);
  return [...seen].sort();
}

/** The JSON Schema for the ECS shapes, from the model of the given botocore version. */
export function ecsShapesSchema(model: BotocoreModel, botocoreVersion: string): Schema {
  const dropped: Record<string, string> = {};
  const defs: Schema = {};
  for (const name of reachableShapes(model, ECS_SCHEMA_ROOTS)) {
    defs[name] = shapeSchema(name, model.shapes[name] as BotocoreShape, dropped);
  }
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://fargate-operator.dev/schemas/ecs/ecs-shapes.schema.json",
    title: "ECS shapes",
    description:
      "ECS request shapes reachable from the requests in x-roots, generated from botocore's model by npm run schemas:ecs. Do not edit by hand.",
    "x-botocore-version": botocoreVersion,
    "x-ecs-api-version": model.metadata.apiVersion,
    "x-roots": [...ECS_SCHEMA_ROOTS],
    "x-dropped-patterns": dropped,
    $defs: defs,
  };
}

const LINE_WIDTH = 110;

/**
 * JSON as Biome prints it (2-space indent, width 110): objects always expanded, arrays of scalars on one line
 * when they fit and one element a line otherwise; a trailing newline.
 */
export function formatJson(value: unknown): string {
  return `${print(value, "", "", false)}\n`;
}

function print(value: unknown, indent: string, prefix: string, trailingComma: boolean): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const scalars = value.every((item) => item === null || typeof item !== "object");
    const inline = `[${value.map((item) => JSON.stringify(item)).join(", ")}]`;
    const width = indent.length + prefix.length + inline.length + (trailingComma ? 1 : 0);
    if (scalars && width <= LINE_WIDTH) return inline;
    const inner = `${indent}  `;
    const items = value.map((item, i) => `${inner}${print(item, inner, "", i < value.length - 1)}`);
    return `[\n${items.join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    const inner = `${indent}  `;
    const lines = entries.map(([key, item], i) => {
      const keyText = `${JSON.stringify(key)}: `;
      return `${inner}${keyText}${print(item, inner, keyText, i < entries.length - 1)}`;
    });
    return `{\n${lines.join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value);
}
