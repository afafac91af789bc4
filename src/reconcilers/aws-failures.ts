/**
 * How an AWS adapter error becomes a reconcile outcome: throttling and outages retry with backoff, a refused
 * request waits for a spec change (it would be refused again), missing permissions retry slowly (IAM changes
 * propagate without a spec change). Anything else passes through unchanged.
 */
import {
  AwsAccessDeniedError,
  AwsError,
  AwsInvalidRequestError,
  AwsThrottledError,
  AwsUnavailableError,
} from "../aws/errors.js";
import { PermanentError, TemporaryError } from "../runtime/errors.js";

/** Condition reasons of AWS failures. */
export const AwsFailureReason = {
  Throttled: "AwsThrottled",
  Unavailable: "AwsUnavailable",
  Rejected: "AwsRejected",
  AccessDenied: "AccessDenied",
} as const;

/** Retry delay after AccessDenied: long enough not to hammer IAM, short enough to notice a policy fix. */
const ACCESS_DENIED_RETRY_MS = 30_000;

/** Maps `error` (thrown while doing `what`) to TemporaryError/PermanentError; non-AWS errors are returned as is. */
export function toReconcileError(error: unknown, what: string): unknown {
  if (!(error instanceof AwsError)) return error;
  const detail = `${what}: ${error.service}:${error.operation} ${error.code}: ${error.message}`;
  if (error instanceof AwsThrottledError || error instanceof AwsUnavailableError) {
    return new TemporaryError(detail, { cause: error });
  }
  if (error instanceof AwsAccessDeniedError) {
    return new TemporaryError(detail, { cause: error, delayMs: ACCESS_DENIED_RETRY_MS });
  }
  if (error instanceof AwsInvalidRequestError) {
    return new PermanentError(AwsFailureReason.Rejected, detail, { cause: error });
  }
  return new TemporaryError(detail, { cause: error });
}

/** The condition reason that describes `error`, for progress shown on the record while retrying. */
export function awsFailureReason(error: unknown): string | undefined {
  if (error instanceof AwsThrottledError) return AwsFailureReason.Throttled;
  if (error instanceof AwsUnavailableError) return AwsFailureReason.Unavailable;
  if (error instanceof AwsAccessDeniedError) return AwsFailureReason.AccessDenied;
  if (error instanceof AwsInvalidRequestError) return AwsFailureReason.Rejected;
  return undefined;
}
