/** Validation issues, and the translation of ajv's errors into them (what is wrong + how to fix it). Pure. */
import type { ErrorObject } from "ajv";
import { patternReason } from "./pattern-reason.js";
import { suggest } from "./suggest.js";
import { isRecord } from "./values.js";

/** A path into a document: object keys and array indexes, e.g. `["spec", "containers", 0, "image"]`. */
export type DocumentPath = (string | number)[];

/** One problem in a document: where, what is wrong, and how to fix it. */
export interface ValidationIssue {
  path: DocumentPath;
  message: string;
  hint: string;
}

/** Builds an issue. */
export function issue(path: DocumentPath, message: string, hint: string): ValidationIssue {
  return { path, message, hint };
}

/** Renders a path as `spec.containers[0].image`; the whole document is `(document)`. */
export function formatPath(path: DocumentPath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === "" ? "(document)" : out;
}

/** Short rendering of a value for messages. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "nothing (null)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  const text = JSON.stringify(value);
  const short = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return typeof value === "string" ? `the string ${short}` : short;
}

const TYPE_NAMES: Record<string, string> = {
  integer: "a whole number",
  number: "a number",
  string: "a string",
  boolean: "true or false",
  object: "a mapping",
  array: "a list",
  null: "null",
};

/** First sentence of a schema description, without its final period and with a lowercase start, for hints. */
function firstSentence(description: unknown): string | undefined {
  if (typeof description !== "string" || description === "") return undefined;
  const sentence = (description.split(/(?<=\.)\s/)[0] ?? description).replace(/\.$/, "");
  // "Container image ..." → "container image ...", but keep acronyms such as "ECS cluster ...".
  return /^[A-Z][a-z]/.test(sentence) ? sentence[0]?.toLowerCase() + sentence.slice(1) : sentence;
}

/** Decodes a JSON pointer into a path, with numbers for array indexes (found by walking the document). */
export function pointerToPath(pointer: string, document: unknown): DocumentPath {
  if (pointer === "") return [];
  const path: DocumentPath = [];
  let node: unknown = document;
  for (const raw of pointer.slice(1).split("/")) {
    const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(node) && /^\d+$/.test(segment)) {
      const index = Number(segment);
      path.push(index);
      node = node[index];
    } else {
      path.push(segment);
      node = isRecord(node) ? node[segment] : undefined;
    }
  }
  return path;
}

function schemaOf(error: ErrorObject): Record<string, unknown> {
  return isRecord(error.parentSchema) ? error.parentSchema : {};
}

function propertyNames(schema: Record<string, unknown>): string[] {
  return isRecord(schema.properties) ? Object.keys(schema.properties) : [];
}

function rangeHint(schema: Record<string, unknown>): string {
  const min = typeof schema.minimum === "number" ? schema.minimum : undefined;
  const max = typeof schema.maximum === "number" ? schema.maximum : undefined;
  if (min !== undefined && max !== undefined) return `use a value from ${min} to ${max}`;
  if (min !== undefined) return `use ${min} or more`;
  return `use ${max} or less`;
}

function typeIssue(path: DocumentPath, error: ErrorObject, schema: Record<string, unknown>): ValidationIssue {
  const expected = String(error.params.type);
  const wanted = expected
    .split(",")
    .map((t) => TYPE_NAMES[t] ?? t)
    .join(" or ");
  const data: unknown = error.data;
  const message = `must be ${wanted}, got ${describeValue(data)}`;
  let hint = firstSentence(schema.description) ?? `write ${wanted}`;
  if (
    (expected === "integer" || expected === "number") &&
    typeof data === "string" &&
    /^-?\d+(\.\d+)?$/.test(data)
  ) {
    hint = `write ${data} without quotes`;
  } else if (expected === "integer" && typeof data === "number") {
    hint = "use a whole number";
  } else if (expected === "boolean" && typeof data === "string" && /^(true|false)$/i.test(data)) {
    hint = `write ${data.toLowerCase()} without quotes`;
  } else if (expected === "boolean") {
    hint = "write true or false";
  } else if (data === null) {
    hint = `give it a value: ${hint}`;
  }
  return issue(path, message, hint);
}

function patternIssue(
  path: DocumentPath,
  error: ErrorObject,
  schema: Record<string, unknown>,
): ValidationIssue {
  const pattern = String(error.params.pattern);
  const hint = typeof schema["x-hint"] === "string" ? schema["x-hint"] : `match ${pattern}`;
  const named = error.propertyName !== undefined;
  const value = named ? String(error.propertyName) : String(error.data);
  const label = named
    ? "name"
    : typeof path[path.length - 1] === "string"
      ? String(path[path.length - 1])
      : "value";
  const reason = patternReason(pattern, value);
  const message = `invalid ${label} ${JSON.stringify(value)}${reason ? `: ${reason}` : ""}`;
  return issue(named ? [...path, value] : path, message, hint);
}

/** Translates one ajv error; undefined for errors another error already explains. */
function translate(error: ErrorObject, document: unknown): ValidationIssue | undefined {
  const path = pointerToPath(error.instancePath, document);
  const schema = schemaOf(error);
  const data: unknown = error.data;
  switch (error.keyword) {
    case "additionalProperties": {
      const field = String(error.params.additionalProperty);
      const refused = isRecord(schema["x-refused"]) ? schema["x-refused"][field] : undefined;
      if (typeof refused === "string") {
        return issue([...path, field], `${JSON.stringify(field)} is not accepted here`, refused);
      }
      const known = propertyNames(schema);
      const close = suggest(field, known);
      const hint = close
        ? `did you mean ${JSON.stringify(close)}?`
        : `remove it; fields here: ${known.join(", ")}`;
      return issue([...path, field], `unknown field ${JSON.stringify(field)}`, hint);
    }
    case "required": {
      const field = String(error.params.missingProperty);
      const properties = isRecord(schema.properties) ? schema.properties : {};
      const about = firstSentence(isRecord(properties[field]) ? properties[field].description : undefined);
      return issue(
        [...path, field],
        `missing required field ${JSON.stringify(field)}`,
        about ? `add ${field}: ${about}` : `add ${field}`,
      );
    }
    case "type":
      return typeIssue(path, error, schema);
    case "const": {
      const wanted = JSON.stringify(error.params.allowedValue);
      const field = String(path[path.length - 1] ?? "value");
      return issue(
        path,
        `must be ${wanted}, got ${describeValue(data)}`,
        `write ${field}: ${String(error.params.allowedValue)}`,
      );
    }
    case "enum": {
      const allowed = (error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v));
      const close =
        typeof data === "string"
          ? suggest(
              data,
              (error.params.allowedValues as unknown[]).filter((v): v is string => typeof v === "string"),
            )
          : undefined;
      return issue(
        path,
        `must be one of ${allowed.join(", ")}, got ${describeValue(data)}`,
        close ? `did you mean ${JSON.stringify(close)}?` : `use one of ${allowed.join(", ")}`,
      );
    }
    case "pattern":
      return patternIssue(path, error, schema);
    case "propertyNames":
      return undefined; // the inner error (with propertyName) says what is wrong
    case "minLength":
      if (typeof data === "string" && data.length === 0) {
        return issue(path, "must not be empty", firstSentence(schema.description) ?? "give it a value");
      }
      return issue(path, `must be at least ${String(error.params.limit)} characters`, "use a longer value");
    case "maxLength": {
      const length = typeof data === "string" ? data.length : 0;
      const limit = String(error.params.limit);
      const hint =
        typeof schema["x-max-hint"] === "string" ? schema["x-max-hint"] : `shorten it to ${limit} characters`;
      return issue(path, `is ${length} characters long, more than the ${limit} allowed`, hint);
    }
    case "minimum":
      return issue(
        path,
        `${String(data)} is below the minimum ${String(error.params.limit)}`,
        rangeHint(schema),
      );
    case "maximum":
      return issue(
        path,
        `${String(data)} is above the maximum ${String(error.params.limit)}`,
        rangeHint(schema),
      );
    case "minItems":
      if (Array.isArray(data) && data.length === 0) {
        const about = firstSentence(schema.description);
        return issue(
          path,
          "must not be empty",
          about ? `add at least one item: ${about}` : "add at least one item",
        );
      }
      return issue(path, `must have at least ${String(error.params.limit)} items`, "add items");
    case "maxItems":
      return issue(path, `must have at most ${String(error.params.limit)} items`, "remove items");
    case "maxProperties": {
      const count = isRecord(data) ? Object.keys(data).length : 0;
      const limit = String(error.params.limit);
      return issue(path, `has ${count} entries, more than the ${limit} allowed`, "remove entries");
    }
    case "uniqueItems": {
      const j = Number(error.params.j);
      const i = Number(error.params.i);
      // ajv scans from the end: j is the later copy, i the earlier one.
      const item = Array.isArray(data) ? data[j] : undefined;
      return issue(
        [...path, j],
        `duplicate item ${JSON.stringify(item)} (also at index ${i})`,
        "remove the duplicate",
      );
    }
    default:
      return issue(
        path,
        error.message ?? `fails ${error.keyword}`,
        firstSentence(schema.description) ?? "see the schema",
      );
  }
}

/** Translates ajv's errors for one document, dropping repeats. */
export function issuesFromAjv(errors: readonly ErrorObject[], document: unknown): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const translated = translate(error, document);
    if (translated === undefined) continue;
    const key = `${formatPath(translated.path)}\u0000${translated.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(translated);
  }
  return out;
}
