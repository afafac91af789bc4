/**
 * Reads the files teams keep ECS definitions in: JSON or YAML, as `aws ecs describe-*` print them, as
 * `register-task-definition`/`create-service --cli-input-json` take them, as ecspresso writes them (Go template
 * expressions kept as given), or Terraform's bare list of container definitions. Pure.
 */
import { parse as parseYaml } from "yaml";
import type { EcsInput } from "./types.js";
import { isRecord, type JsonRecord } from "./values.js";

/** The input is not readable or not ECS JSON (the CLI's exit 2). */
export class ImportInputError extends Error {
  override readonly name = "ImportInputError";
}

/** A parsed input file and the template expressions that stood bare in its JSON (numbers, booleans). */
export interface ParsedText {
  value: unknown;
  /** Bare `{{ … }}` expressions, which were quoted to parse the JSON. */
  bareTemplates: string[];
}

/**
 * Quotes `{{ … }}` and `${…}` expressions that stand outside JSON strings (ecspresso's `"desiredCount": {{ env
 * `N` }}`, Terraform's `"cpu": ${cpu}`), so the rest of the document can be read; the quoted ones are listed so
 * their places are reported.
 */
export function quoteBareTemplates(text: string): { text: string; templates: string[] } {
  let out = "";
  const templates: string[] = [];
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (inString) {
      out += c;
      if (c === "\\") {
        out += text[i + 1] ?? "";
        i++;
      } else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    // ecspresso's `{{ … }}`, and Terraform templatefile's `${…}` (`"containerPort": ${port}`).
    const close =
      c === "{" && text[i + 1] === "{" ? "}}" : c === "$" && text[i + 1] === "{" ? "}" : undefined;
    if (close !== undefined) {
      const end = text.indexOf(close, i + 2);
      if (end > 0) {
        const expression = text.slice(i, end + close.length);
        templates.push(expression);
        out += JSON.stringify(expression);
        i = end + close.length - 1;
        continue;
      }
    }
    out += c;
  }
  return { text: out, templates };
}

/** `position N` of a JSON.parse message as `line L column C` of the text. */
function where(message: string, text: string): string {
  const m = /position (\d+)/.exec(message);
  if (!m) return message;
  const before = text.slice(0, Number(m[1]));
  const line = before.split("\n").length;
  const column = before.length - before.lastIndexOf("\n");
  return `${message.replace(/ in JSON at position \d+.*$/, "")} at line ${line} column ${column}`;
}

/**
 * Parses JSON (bare templates quoted) or YAML; throws ImportInputError naming the source. A text that starts
 * like JSON (`{` or `[`) must be valid JSON: YAML would also read `{"a": 1,}`, and ECS would not.
 */
export function parseText(given: string, source: string): ParsedText {
  const text = given.replace(/^\uFEFF/, ""); // a byte-order mark (Windows editors) is not content
  const quoted = quoteBareTemplates(text);
  try {
    return { value: JSON.parse(quoted.text), bareTemplates: quoted.templates };
  } catch (jsonError) {
    const message = jsonError instanceof Error ? jsonError.message : String(jsonError);
    if (/^\s*[[{]/.test(text)) {
      throw new ImportInputError(`${source}: not valid JSON (${where(message, quoted.text)})`, {
        cause: jsonError,
      });
    }
    try {
      const value: unknown = parseYaml(text);
      return { value, bareTemplates: [] };
    } catch {
      throw new ImportInputError(`${source}: neither JSON nor YAML (${message})`, { cause: jsonError });
    }
  }
}

const CONTAINER_LIST_HINT =
  "expected a task definition (containerDefinitions), `aws ecs describe-task-definition` output ({taskDefinition}) or a list of container definitions";

/** The task definition and its tags from any accepted shape. */
export function taskDefinitionOf(
  value: unknown,
  source: string,
): { taskDefinition: JsonRecord; tags?: unknown } {
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every((c) => isRecord(c) && ("image" in c || "name" in c))) {
      return { taskDefinition: { containerDefinitions: value } };
    }
    throw new ImportInputError(`${source}: not ECS JSON: ${CONTAINER_LIST_HINT}`);
  }
  if (!isRecord(value)) throw new ImportInputError(`${source}: not ECS JSON: ${CONTAINER_LIST_HINT}`);
  if (isRecord(value.taskDefinition)) {
    return {
      taskDefinition: value.taskDefinition,
      ...(value.tags === undefined ? {} : { tags: value.tags }),
    };
  }
  if (Array.isArray(value.containerDefinitions)) {
    return { taskDefinition: value, ...(value.tags === undefined ? {} : { tags: value.tags }) };
  }
  // Terraform's aws_ecs_task_definition keeps container_definitions as a JSON string.
  if (typeof value.container_definitions === "string") {
    return taskDefinitionOf(parseText(value.container_definitions, source).value, source);
  }
  if (Array.isArray(value.services) || isRecord(value.service) || "serviceName" in value) {
    throw new ImportInputError(
      `${source}: this is a service, not a task definition (pass it with --service)`,
    );
  }
  throw new ImportInputError(`${source}: not ECS JSON: ${CONTAINER_LIST_HINT}`);
}

const SERVICE_FIELDS = [
  "serviceName",
  "cluster",
  "desiredCount",
  "networkConfiguration",
  "deploymentConfiguration",
  "launchType",
  "loadBalancers",
  "capacityProviderStrategy",
  "serviceRegistries",
  "schedulingStrategy",
];

/** The service from any accepted shape (describe-services output with one service, create-service in/output). */
export function serviceOf(value: unknown, source: string): JsonRecord {
  if (!isRecord(value)) {
    throw new ImportInputError(
      `${source}: not ECS JSON: expected a service (create-service input or describe-services output)`,
    );
  }
  if (Array.isArray(value.services)) {
    const services = value.services.filter(isRecord);
    const failures = Array.isArray(value.failures) ? value.failures.filter(isRecord) : [];
    if (services.length === 0 && failures.length > 0) {
      const reasons = failures.map((f) => `${String(f.arn ?? "?")}: ${String(f.reason ?? "?")}`).join("; ");
      throw new ImportInputError(`${source}: describe-services found no service (${reasons})`);
    }
    if (services.length !== 1) {
      throw new ImportInputError(
        `${source}: holds ${services.length} services; import one at a time (describe-services --services NAME)`,
      );
    }
    return services[0] as JsonRecord;
  }
  if (isRecord(value.service)) return value.service;
  if (Array.isArray(value.containerDefinitions) || isRecord(value.taskDefinition)) {
    throw new ImportInputError(
      `${source}: this is a task definition, not a service (pass it with --task-definition)`,
    );
  }
  if (SERVICE_FIELDS.some((f) => f in value)) return value;
  throw new ImportInputError(
    `${source}: not ECS JSON: expected a service (create-service input or describe-services output)`,
  );
}

/** The task definition (and its tags) of a file's text, as `fargatectl import --task-definition FILE` reads it. */
export function taskDefinitionInputOf(text: string, source: string): EcsInput {
  const found = taskDefinitionOf(parseText(text, source).value, source);
  return {
    taskDefinition: found.taskDefinition,
    ...(found.tags === undefined ? {} : { taskDefinitionTags: found.tags }),
  };
}

/** The service of a file's text, as `fargatectl import --service FILE` reads it. */
export function serviceInputOf(text: string, source: string): JsonRecord {
  return serviceOf(parseText(text, source).value, source);
}
