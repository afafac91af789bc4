/**
 * Typed errors of the AWS adapters. Each adapter's `translate` turns an SDK error into exactly one of these;
 * callers check them with `instanceof` and never look at SDK error names.
 */

/** Which AWS API an error came from. */
export type AwsServiceName = "ecs" | "servicediscovery" | "application-autoscaling";

/** Fields every AWS adapter error carries. */
export interface AwsErrorDetails {
  service: AwsServiceName;
  operation: string;
  /** The AWS error code (e.g. `ThrottlingException`), or `NetworkError`/`Aborted` for local failures. */
  code: string;
  cause?: unknown;
}

/** Base of every AWS adapter error. */
export class AwsError extends Error {
  override readonly name: string = "AwsError";
  readonly service: AwsServiceName;
  readonly operation: string;
  readonly code: string;
  /** True when the same call may succeed later without any change (throttling, 5xx, network). */
  readonly retryable: boolean = false;
  constructor(message: string, details: AwsErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.service = details.service;
    this.operation = details.operation;
    this.code = details.code;
  }
}

/** AWS throttled the call even after client-side pacing and SDK retries. */
export class AwsThrottledError extends AwsError {
  override readonly name = "AwsThrottledError";
  override readonly retryable = true;
}

/** A 5xx, a timeout or a network failure. */
export class AwsUnavailableError extends AwsError {
  override readonly name = "AwsUnavailableError";
  override readonly retryable = true;
}

/** The resource (service, namespace, operation, task definition) does not exist or is no longer active. */
export class AwsNotFoundError extends AwsError {
  override readonly name = "AwsNotFoundError";
}

/** A resource of that name exists already; Cloud Map says which one and who created it. */
export class AwsAlreadyExistsError extends AwsError {
  override readonly name = "AwsAlreadyExistsError";
  /** Id of the existing resource, when AWS names it. */
  existingId?: string;
  /** CreatorRequestId of the existing resource, when AWS names it. */
  creatorRequestId?: string;
}

/** The resource cannot be deleted or changed while something still uses it. */
export class AwsResourceInUseError extends AwsError {
  override readonly name = "AwsResourceInUseError";
}

/** AWS refused the request as invalid (ClientException, InvalidParameterException, InvalidInput, …). */
export class AwsInvalidRequestError extends AwsError {
  override readonly name = "AwsInvalidRequestError";
}

/** The caller lacks permission (AccessDeniedException, not authorized). */
export class AwsAccessDeniedError extends AwsError {
  override readonly name = "AwsAccessDeniedError";
}
