/**
 * A tiny Secrets Manager adapter: reads one secret's string value (a CatalogSync's `consul.tokenFrom.secretArn`).
 * The value never reaches a message, a log line or a status; failures carry the AWS error code only.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { AwsStaticCredentials } from "./clients.js";

/** Reads secret values. */
export interface SecretReader {
  /** The secret's SecretString, trimmed; SecretReadError when it cannot be read or holds no string. */
  readSecretString(arn: string, signal?: AbortSignal): Promise<string>;
  /** Closes the client's sockets. */
  destroy(): void;
}

/** Configuration of {@link createSecretReader}. */
export interface SecretReaderConfig {
  region: string;
  endpoint?: string;
  credentials?: AwsStaticCredentials;
  maxAttempts?: number;
}

/** A secret could not be read. `retryable` when the same call may succeed later (throttling, 5xx, network). */
export class SecretReadError extends Error {
  override readonly name = "SecretReadError";
  /** The AWS error code, or `NoSecretString`. */
  readonly code: string;
  readonly retryable: boolean;
  constructor(message: string, details: { code: string; retryable: boolean; cause?: unknown }) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.retryable = details.retryable;
  }
}

const PERMANENT_CODES = new Set([
  "ResourceNotFoundException",
  "AccessDeniedException",
  "InvalidParameterException",
  "InvalidRequestException",
  "DecryptionFailure",
]);

function codeOf(error: unknown): string {
  if (error instanceof Error && error.name !== "" && error.name !== "Error") return error.name;
  return "NetworkError";
}

/** Builds a reader on the pinned Secrets Manager client (region from the ARN's account is the caller's concern). */
export function createSecretReader(config: SecretReaderConfig): SecretReader {
  const client = new SecretsManagerClient({
    region: config.region,
    maxAttempts: config.maxAttempts ?? 3,
    retryMode: "standard",
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    ...(config.credentials === undefined ? {} : { credentials: { ...config.credentials } }),
  });
  return {
    async readSecretString(arn, signal) {
      let value: string | undefined;
      try {
        const out = await client.send(
          new GetSecretValueCommand({ SecretId: arn }),
          signal === undefined ? {} : { abortSignal: signal },
        );
        value = out.SecretString;
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        const code = codeOf(error);
        throw new SecretReadError(`cannot read secret ${arn}: ${code}`, {
          code,
          retryable: !PERMANENT_CODES.has(code),
          cause: error,
        });
      }
      if (value === undefined || value.trim() === "") {
        throw new SecretReadError(`secret ${arn} holds no string value`, {
          code: "NoSecretString",
          retryable: false,
        });
      }
      return value.trim();
    },
    destroy() {
      client.destroy();
    },
  };
}
