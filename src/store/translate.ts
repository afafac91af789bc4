/** The one place where AWS SDK errors (DynamoDB and DynamoDB Streams) become store errors. */
import { fromAttributeMap, type RawAttributeValue } from "./attribute-value.js";
import {
  ConflictError,
  ForbiddenError,
  InvalidError,
  StoreError,
  StoreUnavailableError,
  TableNotFoundError,
} from "./errors.js";
import { isResourceItem, itemToResource } from "./layout.js";
import type { StoredResource } from "./types.js";

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  Item?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: number };
}

const THROTTLING = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "LimitExceededException",
  "TooManyRequestsException",
]);
const UNAVAILABLE = new Set([
  "InternalServerError",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "TimeoutError",
]);
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
]);
const FORBIDDEN = new Set([
  "AccessDeniedException",
  "UnrecognizedClientException",
  "InvalidSignatureException",
]);

function shapeOf(error: unknown): SdkErrorShape {
  return error !== null && typeof error === "object" ? (error as SdkErrorShape) : {};
}

/** The SDK error's name (its exception type), or "" for non-SDK values. */
export function sdkErrorName(error: unknown): string {
  const name = shapeOf(error).name;
  return typeof name === "string" ? name : "";
}

/** True for an AbortSignal abort (stop/cancel), which callers rethrow untouched. */
export function isAbortError(error: unknown): boolean {
  return sdkErrorName(error) === "AbortError";
}

/** The current record carried by a ConditionalCheckFailedException (ReturnValuesOnConditionCheckFailure: ALL_OLD). */
function currentFromConditionFailure(error: unknown): StoredResource | undefined {
  const item = shapeOf(error).Item;
  if (item === null || typeof item !== "object") return undefined;
  const plain = fromAttributeMap(item as Record<string, RawAttributeValue>);
  return isResourceItem(plain) ? itemToResource(plain) : undefined;
}

/** Translates any error from a DynamoDB call into a StoreError (an abort passes through unchanged). */
export function translateError(error: unknown, what: string, tableName?: string): Error {
  if (error instanceof StoreError || isAbortError(error)) return error as Error;
  const shape = shapeOf(error);
  const name = sdkErrorName(error);
  const message = typeof shape.message === "string" ? shape.message : String(error);
  const options = { cause: error };
  if (name === "ConditionalCheckFailedException") {
    return new ConflictError(
      `${what}: the record changed since it was read`,
      currentFromConditionFailure(error),
      options,
    );
  }
  if (name === "ResourceNotFoundException" && tableName !== undefined) {
    return new TableNotFoundError(
      `${what}: table ${JSON.stringify(tableName)} not found (create it with \`fargatectl table create\`): ${message}`,
      options,
    );
  }
  if (FORBIDDEN.has(name)) return new ForbiddenError(`${what}: access denied: ${message}`, options);
  if (name === "ValidationException" || name === "SerializationException") {
    return new InvalidError(`${what}: ${message}`, options);
  }
  const status = shape.$metadata?.httpStatusCode ?? 0;
  const code = typeof shape.code === "string" ? shape.code : "";
  if (THROTTLING.has(name) || UNAVAILABLE.has(name) || status >= 500 || shape.$fault === "server") {
    return new StoreUnavailableError(
      `${what}: DynamoDB is unavailable or throttling (${name || status}): ${message}`,
      options,
    );
  }
  if (
    NETWORK_CODES.has(code) ||
    NETWORK_CODES.has(name) ||
    /socket hang up|ECONNREFUSED|fetch failed/i.test(message)
  ) {
    return new StoreUnavailableError(`${what}: cannot reach DynamoDB: ${message}`, options);
  }
  return new StoreError(`${what}: ${name ? `${name}: ` : ""}${message}`, options);
}

/** How a DynamoDB Streams error affects a shard reader. */
export const StreamErrorKind = {
  /** The iterator is older than 15 minutes: re-get it from the last sequence number. */
  Expired: "expired",
  /** The records asked for are gone (older than 24 h, or the position is invalid): a gap. */
  Trimmed: "trimmed",
  /** The shard or stream no longer exists: a gap. */
  NotFound: "notFound",
  /** Throttled or a server error: back off and retry the same call. */
  Retry: "retry",
  /** Anything else: report it and retry after a pause. */
  Other: "other",
} as const;

/** One of the StreamErrorKind values. */
export type StreamErrorKind = (typeof StreamErrorKind)[keyof typeof StreamErrorKind];

/** Classifies an error from a DynamoDB Streams call. */
export function classifyStreamError(error: unknown): StreamErrorKind {
  const name = sdkErrorName(error);
  if (name === "ExpiredIteratorException") return StreamErrorKind.Expired;
  if (name === "TrimmedDataAccessException") return StreamErrorKind.Trimmed;
  if (name === "ResourceNotFoundException") return StreamErrorKind.NotFound;
  const translated = translateError(error, "stream");
  if (translated instanceof StoreUnavailableError) return StreamErrorKind.Retry;
  return StreamErrorKind.Other;
}
