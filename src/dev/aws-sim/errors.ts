/** Which AWS API a request or error belongs to; decides the error message member's casing. */
export type ApiFamily = "ecs" | "cloudmap" | "autoscaling" | "secretsmanager";

/** An error answered to the client in AWS JSON 1.1 shape: `{"__type": code, "message": ...}`. */
export class AwsApiError extends Error {
  /** The AWS error code sent as `__type` (e.g. `ClusterNotFoundException`). */
  readonly code: string;
  /** HTTP status sent with it. */
  readonly status: number;
  /** Extra members the AWS error shape carries (e.g. Cloud Map's `ServiceId`). */
  readonly fields: Readonly<Record<string, unknown>>;

  /** Builds an error answered with `code`, `message`, HTTP `status` (default 400) and extra members. */
  constructor(
    code: string,
    message: string,
    status = 400,
    fields: Record<string, unknown> = {},
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "AwsApiError";
    this.code = code;
    this.status = status;
    this.fields = fields;
  }
}

/** Shorthand for an ECS `ClientException` / `InvalidParameterException` and friends. */
export function ecsError(code: string, message: string, status = 400): AwsApiError {
  return new AwsApiError(code, message, status);
}

/** Shorthand for a Cloud Map error with optional extra members. */
export function cloudMapError(
  code: string,
  message: string,
  fields: Record<string, unknown> = {},
): AwsApiError {
  return new AwsApiError(code, message, 400, fields);
}

/** The body AWS JSON 1.1 sends for an error: ECS uses `message`, Cloud Map and Application Auto Scaling `Message`. */
export function errorBody(family: ApiFamily, error: AwsApiError): Record<string, unknown> {
  const messageKey = family === "ecs" ? "message" : "Message";
  return { __type: error.code, [messageKey]: error.message, ...error.fields };
}
