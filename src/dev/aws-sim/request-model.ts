/**
 * Strict mode's check of every ECS request body against AWS's own model (the `<Operation>Request` shapes of
 * schemas/ecs-shapes.schema.json, generated from botocore): a violation is answered the way ECS's front end
 * does (Coral's "N validation errors detected: Value … at 'a.1.member.b' failed to satisfy constraint: …"),
 * and every checked request is recorded so a test can ask whether all the requests it caused were valid.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { ECS_SHAPES } from "../../crds/schemas.js";
import { AwsApiError } from "./errors.js";
import type { JsonObject } from "./input.js";

/** One member of a request that breaks the model. */
export interface ModelViolation {
  /** The member's path as ECS writes it: `containerDefinitions.1.member.ulimits.1.member.name`. */
  readonly path: string;
  /** The constraint it breaks, in ECS's words. */
  readonly constraint: string;
}

/** One ECS request the strict simulator checked. */
export interface CheckedRequest {
  /** The operation (`RegisterTaskDefinition`). */
  readonly operation: string;
  /** The request body as received. */
  readonly body: JsonObject;
  /** Where it breaks the model; empty when valid. */
  readonly violations: readonly ModelViolation[];
}

/** Requests kept for {@link EcsRequestModel.requests}; older ones are dropped first. */
export const MAX_RECORDED_REQUESTS = 2_000;

// Operations whose validation failures ECS answers with ClientException (the task-definition API);
// the service and cluster APIs answer InvalidParameterException.
const CLIENT_EXCEPTION_OPERATIONS = new Set([
  "RegisterTaskDefinition",
  "DeregisterTaskDefinition",
  "DescribeTaskDefinition",
  "ListTaskDefinitions",
  "ListTaskDefinitionFamilies",
]);

const ajv = new Ajv2020({
  allErrors: true,
  strict: true,
  verbose: true,
  keywords: ["x-botocore-version", "x-ecs-api-version", "x-roots", "x-dropped-patterns"],
});
ajv.addSchema(ECS_SHAPES);
const SHAPES_ID = String(ECS_SHAPES.$id);
const DEFS = (ECS_SHAPES.$defs ?? {}) as Record<string, unknown>;

/** True when the generated schema has the request shape of `operation`. */
export function hasRequestShape(operation: string): boolean {
  return Object.hasOwn(DEFS, `${operation}Request`);
}

/** Checks and records ECS requests against the model. */
export class EcsRequestModel {
  readonly #validators = new Map<string, ValidateFunction | undefined>();
  #recorded: CheckedRequest[] = [];

  /** Records `body` of `operation`; throws ECS's error when it breaks the model. */
  check(operation: string, body: JsonObject): void {
    const violations = this.violations(operation, body);
    this.#recorded.push({ operation, body: structuredClone(body), violations });
    if (this.#recorded.length > MAX_RECORDED_REQUESTS) this.#recorded.shift();
    if (violations.length > 0) throw modelError(operation, violations);
  }

  /** Where `body` breaks the model of `operation` (nothing for an operation the model lacks). */
  violations(operation: string, body: JsonObject): ModelViolation[] {
    const validate = this.#validator(operation);
    if (validate === undefined || validate(body)) return [];
    return (validate.errors ?? []).map((error) => violationOf(error, body));
  }

  /** The requests checked so far (at most {@link MAX_RECORDED_REQUESTS}, oldest first). */
  requests(): CheckedRequest[] {
    return [...this.#recorded];
  }

  /** Forgets the recorded requests. */
  reset(): void {
    this.#recorded = [];
  }

  #validator(operation: string): ValidateFunction | undefined {
    if (!this.#validators.has(operation)) {
      const validate = hasRequestShape(operation)
        ? ajv.getSchema(`${SHAPES_ID}#/$defs/${operation}Request`)
        : undefined;
      this.#validators.set(operation, validate);
    }
    return this.#validators.get(operation);
  }
}

/** The JSON pointer as ECS names members: list items are `N.member` (from 1), map entries by key. */
function ecsPath(pointer: string, body: unknown): string {
  const out: string[] = [];
  let at: unknown = body;
  for (const raw of pointer.split("/").slice(1)) {
    const segment = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (Array.isArray(at)) {
      out.push(`${Number(segment) + 1}.member`);
      at = at[Number(segment)];
    } else {
      out.push(segment);
      at = typeof at === "object" && at !== null ? (at as Record<string, unknown>)[segment] : undefined;
    }
  }
  return out.join(".");
}

function join(parent: string, member: string): string {
  return parent === "" ? member : `${parent}.${member}`;
}

function valueText(value: unknown): string {
  if (value === undefined || value === null) return "null";
  return typeof value === "string" ? `'${value}'` : JSON.stringify(value);
}

const LENGTH = { maxLength: "less", maxItems: "less", maxProperties: "less" } as const;

/** One Ajv error as ECS words it. */
function violationOf(error: ErrorObject, body: JsonObject): ModelViolation {
  const path = ecsPath(error.instancePath, body);
  const value = valueText(error.data);
  const params = error.params as Record<string, unknown>;
  const fail = (constraint: string) => ({
    path,
    constraint: `Value ${value} at '${path}' failed to satisfy constraint: ${constraint}`,
  });
  switch (error.keyword) {
    case "required": {
      const member = join(path, String(params.missingProperty));
      return {
        path: member,
        constraint: `Value null at '${member}' failed to satisfy constraint: Member must not be null`,
      };
    }
    case "additionalProperties": {
      const member = join(path, String(params.additionalProperty));
      return { path: member, constraint: `Unknown member '${member}'` };
    }
    case "type":
      return { path, constraint: `Unexpected value at '${path}': expected ${String(params.type)}` };
    case "enum":
      return fail(`Member must satisfy enum value set: [${(params.allowedValues as unknown[]).join(", ")}]`);
    case "maxLength":
    case "maxItems":
    case "maxProperties":
    case "minLength":
    case "minItems":
    case "minProperties":
      return fail(
        `Member must have length ${error.keyword in LENGTH ? "less" : "greater"} than or equal to ${String(params.limit)}`,
      );
    case "maximum":
    case "minimum":
      return fail(
        `Member must have value ${error.keyword === "maximum" ? "less" : "greater"} than or equal to ${String(params.limit)}`,
      );
    case "pattern":
      return fail(`Member must satisfy regular expression pattern: ${String(params.pattern)}`);
    default:
      return fail(error.message ?? error.keyword);
  }
}

/** The error ECS answers for `violations` of `operation`'s model. */
function modelError(operation: string, violations: readonly ModelViolation[]): AwsApiError {
  // A wrong JSON type or an unknown member means the body could not be read as the shape at all: AWS's JSON
  // protocol answers SerializationException for those before any constraint is looked at.
  const unreadable = violations.filter((v) => /^(Unknown member|Unexpected value) /.test(v.constraint));
  if (unreadable.length > 0)
    return new AwsApiError("SerializationException", unreadable.map((v) => v.constraint).join("; "));
  const n = violations.length;
  const code = CLIENT_EXCEPTION_OPERATIONS.has(operation) ? "ClientException" : "InvalidParameterException";
  return new AwsApiError(
    code,
    `${n} validation error${n === 1 ? "" : "s"} detected: ${violations.map((v) => v.constraint).join("; ")}`,
  );
}
