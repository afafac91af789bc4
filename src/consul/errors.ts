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

/**
 * The TLS handshake with Consul failed on a certificate: Consul's is expired, signed by a CA we do not trust, or
 * made for another host name; or Consul refused ours. Retrying the same settings fails the same way until a
 * certificate or `spec.consul.tls` changes, but the engine treats it like an outage: it removes nothing.
 */
export class ConsulTlsError extends ConsulError {
  /** Which certificate problem (see {@link TlsProblem}). */
  readonly problem: TlsProblem;
  constructor(message: string, options: { cause: unknown; problem: TlsProblem }) {
    super(message, { cause: options.cause, temporary: false });
    this.problem = options.problem;
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

/** The certificate problems a TLS handshake reports, as the status message names them. */
export const TlsProblem = {
  Expired: "expired",
  NotYetValid: "not-yet-valid",
  UnknownCa: "unknown-ca",
  NameMismatch: "name-mismatch",
  ClientCertRejected: "client-cert-rejected",
  NotTls: "not-tls",
  Other: "other",
} as const;

/** One of {@link TlsProblem}'s values. */
export type TlsProblem = (typeof TlsProblem)[keyof typeof TlsProblem];

/** What went wrong with one call, before translation. */
export type ConsulFailure =
  | { kind: "network"; error: unknown }
  | { kind: "tls"; error: unknown; problem: TlsProblem; code: string }
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

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === "string") return code;
  // fetch-style errors say only "fetch failed"; the reason (ECONNREFUSED, ...) is on their cause.
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === "string" ? cause.code : undefined;
}

function networkDetail(error: unknown): string {
  const code = codeOf(error);
  if (code !== undefined) return code;
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

// Node's (OpenSSL's) codes for the certificate problems a user can fix, by what the status message calls them.
const TLS_CODES: Record<string, TlsProblem> = {
  CERT_HAS_EXPIRED: TlsProblem.Expired,
  CERT_NOT_YET_VALID: TlsProblem.NotYetValid,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: TlsProblem.UnknownCa,
  UNABLE_TO_GET_ISSUER_CERT: TlsProblem.UnknownCa,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: TlsProblem.UnknownCa,
  SELF_SIGNED_CERT_IN_CHAIN: TlsProblem.UnknownCa,
  DEPTH_ZERO_SELF_SIGNED_CERT: TlsProblem.UnknownCa,
  CERT_SIGNATURE_FAILURE: TlsProblem.UnknownCa,
  CERT_UNTRUSTED: TlsProblem.UnknownCa,
  ERR_TLS_CERT_ALTNAME_INVALID: TlsProblem.NameMismatch,
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: TlsProblem.ClientCertRejected,
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: TlsProblem.ClientCertRejected,
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: TlsProblem.ClientCertRejected,
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: TlsProblem.ClientCertRejected,
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: TlsProblem.ClientCertRejected,
  ERR_SSL_WRONG_VERSION_NUMBER: TlsProblem.NotTls,
  ERR_SSL_PACKET_LENGTH_TOO_LONG: TlsProblem.NotTls,
};

const TLS_WORDS: Record<TlsProblem, string> = {
  expired: "Consul's certificate has expired",
  "not-yet-valid": "Consul's certificate is not valid yet",
  "unknown-ca":
    "Consul's certificate is signed by an unknown CA (set spec.consul.tls.caPem to the CA that signed it)",
  "name-mismatch":
    "Consul's certificate is for another host name (set spec.consul.tls.serverName to a name it carries)",
  "client-cert-rejected":
    "Consul refused the client certificate or requires one (set spec.consul.tls.clientCertFrom.secretArn)",
  "not-tls": "the address does not speak TLS (use http://, or the Consul HTTPS port)",
  other: "TLS handshake failed",
};

/**
 * A transport error (no HTTP answer) as a failure: a certificate problem when OpenSSL's code says so, else network
 * trouble. Part of the one place that classifies Consul failures.
 */
export function transportFailure(error: unknown): ConsulFailure {
  const code = codeOf(error);
  const problem = code === undefined ? undefined : TLS_CODES[code];
  if (code !== undefined && problem !== undefined) return { kind: "tls", error, problem, code };
  // A plain-http port answering a TLS hello: OpenSSL says so only in the message of an EPROTO.
  const message = error instanceof Error ? error.message : "";
  if (code === "EPROTO" && /wrong version number|packet length too long/.test(message))
    return { kind: "tls", error, problem: TlsProblem.NotTls, code };
  if (code !== undefined && /^ERR_SSL_|^ERR_TLS_|^EPROTO$/.test(code))
    return { kind: "tls", error, problem: TlsProblem.Other, code };
  return { kind: "network", error };
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
    case "tls": {
      return new ConsulTlsError(
        clean(
          `${where}: TLS certificate problem at ${call.address}: ${TLS_WORDS[failure.problem]} (${failure.code})`,
        ),
        { cause: failure.error, problem: failure.problem },
      );
    }
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
