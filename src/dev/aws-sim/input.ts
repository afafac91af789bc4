import { type ApiFamily, AwsApiError } from "./errors.js";

/** A JSON object as decoded from a request body. */
export type JsonObject = Record<string, unknown>;

/** True for a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const VALIDATION_CODE: Record<ApiFamily, string> = {
  ecs: "InvalidParameterException",
  cloudmap: "InvalidInput",
  autoscaling: "ValidationException",
  secretsmanager: "InvalidParameterException",
};

/** Typed, validating access to one request's members, raising AWS-shaped errors. */
export class Input {
  readonly #body: JsonObject;
  readonly #family: ApiFamily;

  /** Wraps a decoded request body of the given API family. */
  constructor(body: JsonObject, family: ApiFamily) {
    this.#body = body;
    this.#family = family;
  }

  /** The raw member, for echoing structures back unchanged. */
  raw(name: string): unknown {
    return this.#body[name];
  }

  /** The family's validation error (ECS `InvalidParameterException`, Cloud Map `InvalidInput`, AAS `ValidationException`). */
  invalid(message: string): AwsApiError {
    return new AwsApiError(VALIDATION_CODE[this.#family], message);
  }

  /** A required, non-empty string member. */
  str(name: string): string {
    const value = this.optStr(name);
    if (value === undefined || value === "") throw this.invalid(`${name} must be specified.`);
    return value;
  }

  /** An optional string member. */
  optStr(name: string): string | undefined {
    return this.#typed(name, "string", (v): v is string => typeof v === "string");
  }

  /** An optional number member. */
  optNum(name: string): number | undefined {
    return this.#typed(name, "number", (v): v is number => typeof v === "number" && Number.isFinite(v));
  }

  /** An optional boolean member. */
  optBool(name: string): boolean | undefined {
    return this.#typed(name, "boolean", (v): v is boolean => typeof v === "boolean");
  }

  /** An optional structure member. */
  optObj(name: string): JsonObject | undefined {
    return this.#typed(name, "structure", isJsonObject);
  }

  /** An optional list of strings. */
  optStrList(name: string): string[] | undefined {
    const list = this.#typed(name, "list", (v): v is unknown[] => Array.isArray(v));
    if (list === undefined) return undefined;
    if (!list.every((v) => typeof v === "string")) throw serialization(name, "list of strings");
    return list as string[];
  }

  /** An optional list of structures. */
  optObjList(name: string): JsonObject[] | undefined {
    const list = this.#typed(name, "list", (v): v is unknown[] => Array.isArray(v));
    if (list === undefined) return undefined;
    if (!list.every(isJsonObject)) throw serialization(name, "list of structures");
    return list as JsonObject[];
  }

  /** An optional map of string to string. */
  optStrMap(name: string): Record<string, string> | undefined {
    const map = this.optObj(name);
    if (map === undefined) return undefined;
    if (!Object.values(map).every((v) => typeof v === "string")) throw serialization(name, "map of strings");
    return map as Record<string, string>;
  }

  #typed<T>(name: string, kind: string, guard: (v: unknown) => v is T): T | undefined {
    const value = this.#body[name];
    if (value === undefined || value === null) return undefined;
    if (!guard(value)) throw serialization(name, kind);
    return value;
  }
}

function serialization(name: string, kind: string): AwsApiError {
  return new AwsApiError("SerializationException", `Unexpected value for ${name}: expected ${kind}`);
}

/** Reads a string member of a nested structure (undefined when absent or not a string). */
export function field(obj: JsonObject | undefined, name: string): string | undefined {
  const value = obj?.[name];
  return typeof value === "string" ? value : undefined;
}

/** Reads a number member of a nested structure. */
export function numField(obj: JsonObject | undefined, name: string): number | undefined {
  const value = obj?.[name];
  return typeof value === "number" ? value : undefined;
}

/** Reads a boolean member of a nested structure. */
export function boolField(obj: JsonObject | undefined, name: string): boolean | undefined {
  const value = obj?.[name];
  return typeof value === "boolean" ? value : undefined;
}

/** Reads a string-list member of a nested structure (strings only). */
export function strListField(obj: JsonObject | undefined, name: string): string[] {
  const value = obj?.[name];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** Reads a structure-list member of a nested structure (structures only). */
export function objListField(obj: JsonObject | undefined, name: string): JsonObject[] {
  const value = obj?.[name];
  return Array.isArray(value) ? value.filter(isJsonObject) : [];
}
