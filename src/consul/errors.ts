/**
 * The Consul adapter's errors, and the one place that turns a failed call into one of them. Messages name the
 * method, path and Consul's answer, never the token: the token travels only in a header, and any echo of a
 * secret in a body is redacted here.
 */

/** Base of every error the Consul adapter throws. */
export class ConsulError extends Error {
  /** True when retrying later may succeed (network trouble, 5xx, 429, timeouts). */
  readonly temporary: boolean;
  /** The HTTP status when Consul answered, else undefined. */
  readonly status: number | undefined;
  constructor(message: string, options: { cause: unknown; temporary: boolean; status?: number }) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.temporary = options.temporary;
    this.status = options.status;
  }
}

/** Consul could not be reached or answered 5xx/429, or the answer was unusable: try again later. */
export class ConsulUnavailableError extends ConsulError {
  constructor(message: string, options: { cause: unknown; status?: number }) {
    super(message, { ...options, temporary: true });
  }
}

/** Consul refused the token (403 `ACL not found` or `Permission denied`). */
export class ConsulAuthError extends ConsulError {
  constructor(message: string, options: { cause: unknown; status?: number }) {
    super(message, { ...options, temporary: false });
  }
}

/** Consul answered 404: the endpoint (or the thing it names) does not exist. */
export class ConsulNotFoundError extends ConsulError {
  constructor(message: string, options: { cause: unknown; status?: number }) {
    super(message, { ...options, temporary: false });
  }
}

/** Consul rejected the request itself (400, 405, 413, ...): retrying the same request will not help. */
export class ConsulRequestError extends ConsulError {
  constructor(message: string, options: { cause: unknown; status?: number }) {
    super(message, { ...options, temporary: false });
  }
}

/** What went wrong with one call, before translation. */
export type ConsulFailure =
  | { kind: "network"; error: unknown }
  | { kind: "timeout"; error: unknown; timeoutMs: number }
  | { kind: "status"; status: number; body: string }
  | { kind: "malformed"; detail: string }
  | { kind: "invalid-input"; detail: string };

/** The call that failed, as it may appear in messages (no token, no query string). */
export interface ConsulCallDescription {
  method: string;
  path: string;
  address: string;
}

const MAX_BODY_IN_MESSAGE = 300;

/** Replaces every occurrence of each non-empty secret with `<hidden>`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (secret !== "") result = result.split(secret).join("<hidden>");
  return result;
}

function networkDetail(error: unknown): string {
  // undici's fetch says only "fetch failed"; the reason (ECONNREFUSED, ...) is on its cause.
  const cause = error instanceof Error ? error.cause : undefined;
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === "string") return code;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** Turns one failed call into the adapter's typed error. The only place that classifies Consul failures. */
export function translateConsulError(
  failure: ConsulFailure,
  call: ConsulCallDescription,
  secrets: readonly string[],
): ConsulError {
  const where = `Consul ${call.method} ${call.path}`;
  const clean = (text: string): string => redactSecrets(text, secrets);
  switch (failure.kind) {
    case "network":
      return new ConsulUnavailableError(
        clean(`${where}: unreachable at ${call.address} (${networkDetail(failure.error)})`),
        {
          cause: failure.error,
        },
      );
    case "timeout":
      return new ConsulUnavailableError(`${where}: no answer within ${failure.timeoutMs} ms`, {
        cause: failure.error,
      });
    case "malformed":
      return new ConsulUnavailableError(clean(`${where}: unexpected response: ${failure.detail}`), {
        cause: new Error(clean(failure.detail)),
      });
    case "invalid-input":
      return new ConsulRequestError(clean(`${where}: ${failure.detail}`), {
        cause: new Error(clean(failure.detail)),
      });
    case "status": {
      const { status } = failure;
      const body = clean(failure.body.trim()).slice(0, MAX_BODY_IN_MESSAGE);
      const message = `${where}: HTTP ${status}${body === "" ? "" : `: ${body}`}`;
      const options = { cause: new Error(`HTTP ${status}: ${body}`), status };
      if (status === 401 || status === 403) return new ConsulAuthError(message, options);
      if (status === 404) return new ConsulNotFoundError(message, options);
      if (status === 429 || status >= 500) return new ConsulUnavailableError(message, options);
      return new ConsulRequestError(message, options);
    }
  }
}
