/**
 * Which containers of a simulated task the dev stack can run as a local process, and what that process gets:
 * only this project's own image running `catalog-sync` (a CatalogSync with placement: task, engine builtin),
 * with the container's environment and its `secrets` resolved from the simulated Secrets Manager as ECS
 * injects them (DESIGN.md §11 "Dev stack"). Resolved values are returned, never logged or put in a message.
 */
import { isJsonObject, type JsonObject } from "./aws-sim/input.js";

/** The repository of the image `fargatectl catalog-sync` tasks run (any tag or digest of it). */
export const OWN_IMAGE_REPOSITORY = "ghcr.io/fargate-operator/fargate-operator";

/** The subcommand a sync task's container runs. */
export const SYNC_SUBCOMMAND = "catalog-sync";

/** A container the dev stack runs as `fargatectl <command...>`. */
export interface RunnableContainer {
  readonly name: string;
  readonly image: string;
  /** The container's command (starting with `catalog-sync`): the arguments after `fargatectl`. */
  readonly command: readonly string[];
  /** The container's plain environment. */
  readonly environment: Readonly<Record<string, string>>;
  /** Variables ECS fills from Secrets Manager: name → valueFrom. */
  readonly secrets: Readonly<Record<string, string>>;
  /** Seconds between SIGTERM and SIGKILL (the container's stopTimeout; ECS's default 30). */
  readonly stopTimeoutSeconds: number;
}

/** The image's repository without its tag or digest (`registry/repo:tag@sha256:...` → `registry/repo`). */
export function imageRepository(image: string): string {
  const withoutDigest = image.split("@")[0] ?? image;
  const slash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.lastIndexOf(":");
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function pairs(value: unknown, valueKey: "value" | "valueFrom"): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(value)) return out;
  for (const pair of value) {
    if (!isJsonObject(pair)) continue;
    const name = pair.name;
    const text = pair[valueKey];
    if (typeof name === "string" && typeof text === "string") out[name] = text;
  }
  return out;
}

/**
 * The containers of a task definition (as DescribeTaskDefinition returns it) that run this project's image with
 * `catalog-sync` and no other entry point; anything else (consul-aws, an app) stays a simulation.
 */
export function runnableContainers(
  taskDefinition: JsonObject,
  isOwnImage: (image: string) => boolean = (image) => imageRepository(image) === OWN_IMAGE_REPOSITORY,
): RunnableContainer[] {
  const definitions = Array.isArray(taskDefinition.containerDefinitions)
    ? taskDefinition.containerDefinitions.filter(isJsonObject)
    : [];
  const out: RunnableContainer[] = [];
  for (const def of definitions) {
    const image = typeof def.image === "string" ? def.image : "";
    const command = strings(def.command);
    const entryPoint = strings(def.entryPoint);
    const ownEntryPoint =
      entryPoint.length === 0 || (entryPoint.length === 1 && entryPoint[0] === "fargatectl");
    if (!isOwnImage(image) || command[0] !== SYNC_SUBCOMMAND || !ownEntryPoint) continue;
    out.push({
      name: typeof def.name === "string" ? def.name : SYNC_SUBCOMMAND,
      image,
      command,
      environment: pairs(def.environment, "value"),
      secrets: pairs(def.secrets, "valueFrom"),
      stopTimeoutSeconds: typeof def.stopTimeout === "number" ? def.stopTimeout : 30,
    });
  }
  return out;
}

/** A `valueFrom` of Secrets Manager: the secret's ARN and the optional JSON key (`arn:...:secret:name:key::`). */
export interface SecretReference {
  readonly secretArn: string;
  readonly jsonKey: string | undefined;
}

/**
 * Parses a container secret's `valueFrom` as ECS reads it: a Secrets Manager ARN, optionally followed by
 * `:json-key:version-stage:version-id` (stage and id are not simulated: the current value is used). Anything
 * else (an SSM parameter) is undefined: the dev stack cannot resolve it.
 */
export function parseSecretReference(valueFrom: string): SecretReference | undefined {
  const parts = valueFrom.split(":");
  if (parts.length < 7 || parts[0] !== "arn" || parts[2] !== "secretsmanager" || parts[5] !== "secret") {
    return undefined;
  }
  const jsonKey = parts[7];
  return {
    secretArn: parts.slice(0, 7).join(":"),
    jsonKey: jsonKey === undefined || jsonKey === "" ? undefined : jsonKey,
  };
}

/** Why a container's secrets could not be resolved: ECS's stop reason, naming the ARN, never a value. */
export class SecretResolutionError extends Error {
  override readonly name = "SecretResolutionError";
}

/** Resolves every secret of a container with `read` (GetSecretValue), as ECS does before it starts it. */
export async function resolveContainerSecrets(
  secrets: Readonly<Record<string, string>>,
  read: (secretArn: string) => Promise<string>,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, valueFrom] of Object.entries(secrets)) {
    const ref = parseSecretReference(valueFrom);
    if (ref === undefined) {
      throw new SecretResolutionError(
        `ResourceInitializationError: unable to pull secrets or registry auth: ${valueFrom} is not a Secrets Manager secret the local stack can resolve`,
      );
    }
    let value: string;
    try {
      value = await read(ref.secretArn);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new SecretResolutionError(
        `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: failed to fetch secret ${ref.secretArn} from secrets manager: ${typeof code === "string" ? code : "error"}`,
        { cause: error },
      );
    }
    out[name] = ref.jsonKey === undefined ? value : jsonMember(value, ref.jsonKey, ref.secretArn);
  }
  return out;
}

function jsonMember(value: string, key: string, arn: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  const member = isJsonObject(parsed) ? parsed[key] : undefined;
  if (typeof member !== "string") {
    throw new SecretResolutionError(
      `ResourceInitializationError: unable to pull secrets or registry auth: the secret ${arn} has no JSON key ${key}`,
    );
  }
  return member;
}
