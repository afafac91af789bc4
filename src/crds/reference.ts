/**
 * The resource reference (docs/resources.md), generated from the JSON Schemas so it can never drift from them:
 * one table per kind with every field's path, type, whether it is required, its default and its description.
 * Pure: schemas in, Markdown out. `npm run docs:resources` writes the file; a test checks it is current.
 */

/** The part of a JSON Schema node the reference reads. */
interface SchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  required?: string[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: boolean | SchemaNode;
  minimum?: number;
  maximum?: number;
  title?: string;
  $ref?: string;
  "x-max-bytes"?: number;
}

/** One row of a kind's table. */
interface Row {
  path: string;
  type: string;
  required: boolean;
  default: string;
  description: string;
}

function typeOf(node: SchemaNode): string {
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  if (node.enum !== undefined) return node.enum.map((v) => `\`${String(v)}\``).join(" \\| ");
  // An ECS field passed through: named by its ECS shape (schemas/ecs-shapes.schema.json).
  if (node.$ref !== undefined) return `ECS \`${node.$ref.split("/").pop() ?? node.$ref}\``;
  const type = Array.isArray(node.type) ? node.type.join(" \\| ") : (node.type ?? "any");
  if (type === "array" && node.items !== undefined) return `${typeOf(node.items)}[]`;
  if (type === "object" && node.properties === undefined && typeof node.additionalProperties === "object") {
    return `map of ${typeOf(node.additionalProperties)}`;
  }
  if (type === "integer" && (node.minimum !== undefined || node.maximum !== undefined)) {
    return `integer (${node.minimum ?? "…"}–${node.maximum ?? "…"})`;
  }
  return type;
}

function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

function walk(node: SchemaNode, path: string, required: boolean, rows: Row[]): void {
  rows.push({
    path,
    type: typeOf(node),
    required,
    default: node.default === undefined ? "" : `\`${JSON.stringify(node.default)}\``,
    description: node.description ?? "",
  });
  const children =
    node.properties ?? (node.items?.properties === undefined ? undefined : node.items.properties);
  const requiredChildren = node.properties !== undefined ? node.required : node.items?.required;
  if (children === undefined) return;
  const prefix = node.properties !== undefined ? path : `${path}[]`;
  for (const [name, child] of Object.entries(children)) {
    walk(child, `${prefix}.${name}`, (requiredChildren ?? []).includes(name), rows);
  }
}

/** The Markdown section of one kind's schema (fields under `spec`; metadata is shared and listed once). */
export function kindReference(schema: SchemaNode): string {
  const spec = schema.properties?.spec;
  if (spec === undefined) throw new Error(`schema ${schema.title ?? "?"} has no spec`);
  const rows: Row[] = [];
  for (const [name, child] of Object.entries(spec.properties ?? {})) {
    walk(child, `spec.${name}`, (spec.required ?? []).includes(name), rows);
  }
  const cap = spec["x-max-bytes"];
  const limits =
    cap === undefined
      ? []
      : [
          `The spec is at most ${cap / 1024} KiB as JSON; strings, lists and maps have the limits of the schema.`,
          "",
        ];
  const lines = [
    `## ${schema.title ?? "?"}`,
    "",
    escapeCell(schema.description ?? ""),
    "",
    ...limits,
    "| field | type | required | default | description |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| \`${r.path}\` | ${r.type} | ${r.required ? "yes" : ""} | ${r.default} | ${escapeCell(r.description)} |`,
    ),
  ];
  return lines.join("\n");
}

/** The whole reference page. */
export function resourcesReference(schemas: readonly SchemaNode[]): string {
  const metadata = schemas[0]?.properties?.metadata;
  const metaRows: Row[] = [];
  if (metadata !== undefined) {
    for (const [name, child] of Object.entries(metadata.properties ?? {})) {
      walk(child, `metadata.${name}`, (metadata.required ?? []).includes(name), metaRows);
    }
  }
  return [
    "# Resource reference",
    "",
    "<!-- Generated from schemas/ by `npm run docs:resources`; do not edit by hand (a test checks it). -->",
    "",
    "Every record has `apiVersion: fargate-operator/v1alpha1`, a `kind`, `metadata` and a `spec`; the controller",
    "writes `status` (conditions `Ready`, `Reconciling`, `Stalled` and the kind's own). Put",
    "`# yaml-language-server: $schema=<path to schemas/…>` at the top of a file for completion in editors.",
    "",
    "## metadata (every kind)",
    "",
    "| field | type | required | default | description |",
    "| --- | --- | --- | --- | --- |",
    ...metaRows.map(
      (r) =>
        `| \`${r.path}\` | ${r.type} | ${r.required ? "yes" : ""} | ${r.default} | ${escapeCell(r.description)} |`,
    ),
    "",
    ...schemas.flatMap((s) => [kindReference(s), ""]),
  ].join("\n");
}
