/**
 * Reads ECS JSON the way ECS reads it, guided by AWS's own model (schemas/ecs-shapes.schema.json): `null` is
 * absent; `""` in an enum-typed member is absent (the Go SDK v2, and so ecspresso, writes an unset enum as `""`
 * and omits it again when it sends); a number or boolean written as a string where the model wants one is that
 * number or boolean (Terraform, CloudFormation and hand-written files do this), and a number or boolean where
 * the model wants a string is its text. Applied to the input before conversion AND comparison, so both sides
 * read the same value. Each rewrite is a note, once per member path. Pure.
 */
import { ECS_SHAPES } from "../crds/index.js";
import type { EcsInput } from "./types.js";
import type { Collector } from "./values.js";
import { isRecord, type JsonRecord, TEMPLATE } from "./values.js";

type Shape = JsonRecord;

const DEFS = (isRecord(ECS_SHAPES.$defs) ? ECS_SHAPES.$defs : {}) as Record<string, Shape>;

/** The shape behind `$ref`s (botocore's shapes reference each other by name). */
function resolve(shape: Shape | undefined): Shape | undefined {
  let current = shape;
  for (let i = 0; i < 10 && current !== undefined && typeof current.$ref === "string"; i++) {
    current = DEFS[current.$ref.replace("#/$defs/", "")];
  }
  return current;
}

const NUMBER = /^\s*-?\d+(\.\d+)?\s*$/;

/** Conforms one value to its shape; undefined means absent. `path` is generic (`containerDefinitions[].cpu`). */
function conform(value: unknown, shape: Shape | undefined, path: string, out: Collector): unknown {
  if (value === null || value === undefined) return undefined;
  const s = resolve(shape);
  if (Array.isArray(value)) {
    const items = isRecord(s?.items) ? (s.items as Shape) : undefined;
    return value.map((v) => conform(v, items, `${path}[]`, out)).filter((v) => v !== undefined);
  }
  if (isRecord(value)) {
    const properties = isRecord(s?.properties) ? (s.properties as Record<string, Shape>) : {};
    const additional = isRecord(s?.additionalProperties) ? (s.additionalProperties as Shape) : undefined;
    const result: JsonRecord = {};
    for (const [key, member] of Object.entries(value)) {
      const memberShape = properties[key] ?? additional;
      const at = path === "" ? key : `${path}.${key}`;
      const v = conform(member, memberShape, at, out);
      if (v !== undefined) result[key] = v;
    }
    return result;
  }
  if (s === undefined) return value;
  const template = typeof value === "string" && TEMPLATE.test(value);
  if (Array.isArray(s.enum) && value === "") {
    out.note(`${path}: "" read as absent (the Go SDK writes an unset enum as "" and omits it when it sends)`);
    return undefined;
  }
  if ((s.type === "integer" || s.type === "number") && typeof value === "string" && NUMBER.test(value)) {
    out.note(`${path}: a number written as a string, read as the number (ECS's model wants a ${s.type})`);
    return Number(value);
  }
  if (s.type === "boolean" && (value === "true" || value === "false") && !template) {
    out.note(`${path}: a boolean written as a string, read as the boolean`);
    return value === "true";
  }
  if (
    s.type === "string" &&
    !Array.isArray(s.enum) &&
    (typeof value === "number" || typeof value === "boolean")
  ) {
    out.note(`${path}: ${typeof value} written where ECS's model wants a string, read as its text`);
    return String(value);
  }
  return value;
}

/** A task definition (register input or describe output) read as ECS reads it. */
export function conformTaskDefinition(td: JsonRecord, out: Collector): JsonRecord {
  return conform(td, DEFS.RegisterTaskDefinitionRequest, "", out) as JsonRecord;
}

/** A service (create-service input or describe output) read as ECS reads it. */
export function conformService(service: JsonRecord, out: Collector): JsonRecord {
  return conform(service, DEFS.CreateServiceRequest, "", out) as JsonRecord;
}

/** ECS definitions read as ECS reads them (see above). */
export function conformInput(input: EcsInput, out: Collector): EcsInput {
  const conformed: EcsInput = { ...input, taskDefinition: conformTaskDefinition(input.taskDefinition, out) };
  if (input.service !== undefined) conformed.service = conformService(input.service, out);
  if (input.taskDefinitionTags !== undefined) {
    const shape = isRecord(input.taskDefinitionTags) ? { additionalProperties: DEFS.String } : DEFS.Tags;
    conformed.taskDefinitionTags = conform(input.taskDefinitionTags, shape, "tags", out);
  }
  return conformed;
}
