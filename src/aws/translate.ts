/**
 * The one place where SDK failures become the typed errors of `./errors.ts` (both adapters call
 * `translateAwsError`; each service's not-found codes are listed below). Messages carry the AWS error code
 * and AWS's own message, scrubbed; request bodies never reach them.
 */
import { scrubSecrets } from "../log.js";
import { AwsCallOutcome } from "../metrics.js";
import {
  AwsAccessDeniedError,
  AwsAlreadyExistsError,
  AwsError,
  AwsInvalidRequestError,
  AwsNotFoundError,
  AwsResourceInUseError,
  type AwsServiceName,
  AwsThrottledError,
  AwsUnavailableError,
} from "./errors.js";

/** Error code used for failures that never got an HTTP answer. */
export const NETWORK_ERROR_CODE = "NetworkError";

const THROTTLING_CODES = new Set([
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
]);

const NOT_FOUND_CODES: Readonly<Record<AwsServiceName, ReadonlySet<string>>> = {
  ecs: new Set([
    "ServiceNotFoundException",
    "ServiceNotActiveException",
    "ClusterNotFoundException",
    "ResourceNotFoundException",
  ]),
  servicediscovery: new Set([
    "NamespaceNotFound",
    "ServiceNotFound",
    "OperationNotFound",
    "InstanceNotFound",
    "ResourceNotFoundException",
  ]),
  "application-autoscaling": new Set(["ObjectNotFoundException", "ResourceNotFoundException"]),
};

const ALREADY_EXISTS_CODES = new Set(["NamespaceAlreadyExists", "ServiceAlreadyExists"]);
const IN_USE_CODES = new Set(["ResourceInUse", "ResourceInUseException"]);
const SERVER_CODES = new Set([
  "ServerException",
  "InternalFailure",
  "InternalServerError",
  "InternalError",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  // Application Auto Scaling: its 5xx, and a clash with another change of the same target (retry later).
  "InternalServiceException",
  "ConcurrentUpdateException",
]);
const NETWORK_NAMES = new Set([
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
  "NetworkingError",
]);
const NETWORK_ERRNO = /^(?:E[A-Z_]+|UND_ERR_[A-Z_]+)$/;

/** ECS answers ClientException (not a dedicated code) when a task definition does not exist. */
const TASK_DEFINITION_MISSING =
  /unable to describe task definition|task ?definition (?:not found|does not exist)|specified task definition does not exist/i;
const NOT_AUTHORIZED = /not authorized|access denied/i;

/** The parts of an SDK (or Node) error the translation looks at. */
interface SdkErrorView {
  name: string;
  message: string;
  fault: string | undefined;
  status: number | undefined;
  errno: string | undefined;
  fields: Record<string, unknown>;
}

function view(error: unknown): SdkErrorView {
  const e = (typeof error === "object" && error !== null ? error : {}) as Record<string, unknown>;
  const metadata = e.$metadata as { httpStatusCode?: unknown } | undefined;
  const status = metadata?.httpStatusCode;
  return {
    name: typeof e.name === "string" ? e.name : "Error",
    message: typeof e.message === "string" ? e.message : String(error),
    fault: typeof e.$fault === "string" ? e.$fault : undefined,
    status: typeof status === "number" ? status : undefined,
    errno: typeof e.code === "string" ? e.code : undefined,
    fields: e,
  };
}

function isNetworkFailure(v: SdkErrorView): boolean {
  if (v.status !== undefined || v.fault !== undefined) return false;
  // No AWS answer: a socket error (Node's E... codes) or the handler's own timeout.
  return NETWORK_NAMES.has(v.name) || (v.errno !== undefined && NETWORK_ERRNO.test(v.errno));
}

const optionalString = (value: unknown): string | undefined =>
  typeof value === "string" ? value : undefined;

/**
 * Turns any failure of an SDK call into exactly one typed AwsError (always with `cause`). An error that is
 * already an AwsError is returned as it is.
 */
export function translateAwsError(service: AwsServiceName, operation: string, error: unknown): AwsError {
  if (error instanceof AwsError) return error;
  const v = view(error);
  const details = (code: string) => ({ service, operation, code, cause: error });
  const message = (code: string) => `${service}:${operation} failed: ${code}: ${scrubSecrets(v.message)}`;
  const code = v.name;
  if (THROTTLING_CODES.has(code) || v.status === 429)
    return new AwsThrottledError(message(code), details(code));
  if (code.startsWith("AccessDenied") || code === "UnauthorizedOperation" || code === "NotAuthorized")
    return new AwsAccessDeniedError(message(code), details(code));
  if (NOT_FOUND_CODES[service].has(code)) return new AwsNotFoundError(message(code), details(code));
  if (service === "ecs" && code === "ClientException" && TASK_DEFINITION_MISSING.test(v.message))
    return new AwsNotFoundError(message(code), details(code));
  if (ALREADY_EXISTS_CODES.has(code)) {
    const exists = new AwsAlreadyExistsError(message(code), details(code));
    const existingId = optionalString(v.fields.NamespaceId) ?? optionalString(v.fields.ServiceId);
    const creatorRequestId = optionalString(v.fields.CreatorRequestId);
    if (existingId !== undefined) exists.existingId = existingId;
    if (creatorRequestId !== undefined) exists.creatorRequestId = creatorRequestId;
    return exists;
  }
  if (IN_USE_CODES.has(code)) return new AwsResourceInUseError(message(code), details(code));
  if (SERVER_CODES.has(code) || v.fault === "server" || (v.status !== undefined && v.status >= 500))
    return new AwsUnavailableError(message(code), details(code));
  if (isNetworkFailure(v))
    return new AwsUnavailableError(message(v.errno ?? code), details(NETWORK_ERROR_CODE));
  if (NOT_AUTHORIZED.test(v.message)) return new AwsAccessDeniedError(message(code), details(code));
  return new AwsInvalidRequestError(message(code), details(code));
}

/** The `aws_api_calls_total` outcome of a translated failure. */
export function outcomeOf(error: AwsError): AwsCallOutcome {
  if (error instanceof AwsThrottledError) return AwsCallOutcome.Throttled;
  if (error instanceof AwsUnavailableError)
    return error.code === NETWORK_ERROR_CODE ? AwsCallOutcome.NetworkError : AwsCallOutcome.ServerError;
  return AwsCallOutcome.ClientError;
}

/** An answer that lacks what the API promises (e.g. no `service` in CreateService's output). */
export function malformedResponse(service: AwsServiceName, operation: string, missing: string): AwsError {
  return new AwsUnavailableError(`${service}:${operation} answered without ${missing}`, {
    service,
    operation,
    code: "MalformedResponse",
  });
}

/** A DescribeServices `failures` entry other than MISSING (ECS gives no per-service error codes). */
export function describeFailure(operation: string, arn: string, reason: string): AwsError {
  return new AwsUnavailableError(`ecs:${operation} could not describe ${arn}: ${scrubSecrets(reason)}`, {
    service: "ecs",
    operation,
    code: reason,
  });
}

/** The operation id a Cloud Map `DuplicateRequest` names (the namespace creation already in progress). */
export function duplicateOperationIdOf(error: AwsError): string | undefined {
  if (error.code !== "DuplicateRequest") return undefined;
  const cause = error.cause as { DuplicateOperationId?: unknown } | undefined;
  return optionalString(cause?.DuplicateOperationId);
}
