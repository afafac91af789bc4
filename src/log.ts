/**
 * The pino logger factory. Every log line uses the same keys for the same things (`kind`, `resource`,
 * `reconcileId`, `awsOperation`, `err`), and nothing that looks like a token, key or secret is printed.
 */
import { type DestinationStream, type Logger, type LoggerOptions, pino } from "pino";

/** The fixed key vocabulary: use these names, nothing else, for these facts. */
export const LogKey = {
  /** A kind, e.g. `FargateService`. */
  kind: "kind",
  /** A record key `kind/namespace/name`. */
  resource: "resource",
  /** The id of one reconcile pass. */
  reconcileId: "reconcileId",
  /** An AWS call as `service:Operation`, e.g. `ecs:UpdateService`. */
  awsOperation: "awsOperation",
} as const;

/** Bindings for a child logger, in the fixed vocabulary. */
export interface LogContext {
  kind?: string;
  resource?: string;
  reconcileId?: string;
  awsOperation?: string;
}

/** Log levels pino accepts from configuration. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** One of the accepted log levels. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The logger type used across the project. */
export type { Logger } from "pino";

const REDACTED = "[REDACTED]";

// Each pattern keeps its label (group 1) and replaces the value that follows.
const SECRET_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [
    /((?:x-consul-token|x-vault-token|x-amz-security-token|authorization)\s*[:=]\s*)(?:bearer\s+)?[^\s,;"']+/gi,
    `$1${REDACTED}`,
  ],
  [
    /("?(?:[a-z_]*token|secret[a-z_]*|password|secretaccesskey|sessiontoken)"?\s*[:=]\s*"?)[^\s,;"'&}]+/gi,
    `$1${REDACTED}`,
  ],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, REDACTED],
  [/\bhv[sbr]\.[A-Za-z0-9_-]{20,}/g, REDACTED],
  [/((?:Signature|Credential)=)[^\s,&"']+/g, `$1${REDACTED}`],
];

/** Replaces anything that looks like a token, key or secret value in `text`. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** A serialized error: only fields known to be safe, scrubbed, with its cause chain. */
export interface SerializedError {
  type: string;
  message: string;
  stack?: string;
  code?: string;
  reason?: string;
  statusCode?: number;
  requestId?: string;
  cause?: SerializedError | string;
}

/**
 * The `err` serializer. It copies a short allow-list of fields (never arbitrary properties such as an SDK
 * error's `$response`, which may hold headers) and scrubs message and stack.
 */
export function serializeError(value: unknown, depth = 0): SerializedError | string {
  if (!(value instanceof Error)) return scrubSecrets(typeof value === "string" ? value : safeString(value));
  const e = value as Error & {
    code?: unknown;
    reason?: unknown;
    $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
  };
  const out: SerializedError = { type: e.name, message: scrubSecrets(e.message) };
  if (e.stack !== undefined) out.stack = scrubSecrets(e.stack);
  if (typeof e.code === "string") out.code = e.code;
  if (typeof e.reason === "string") out.reason = e.reason;
  if (typeof e.$metadata?.httpStatusCode === "number") out.statusCode = e.$metadata.httpStatusCode;
  if (typeof e.$metadata?.requestId === "string") out.requestId = e.$metadata.requestId;
  if (e.cause !== undefined && depth < 5) out.cause = serializeError(e.cause, depth + 1);
  return out;
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Options for `createLogger`. */
export interface CreateLoggerOptions {
  level?: LogLevel;
  /** Where lines go; stdout when omitted. Tests pass a stream to read lines back. */
  destination?: DestinationStream;
  /** Bindings on every line, e.g. `{ component: "controller" }`. */
  base?: Record<string, string>;
}

/** Creates the JSON logger: ISO times, `err` serialized safely, common secret fields redacted. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? "info",
    base: options.base ?? {},
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: serializeError, error: serializeError },
    redact: {
      paths: [
        "token",
        "*.token",
        "secret",
        "*.secret",
        "password",
        "*.password",
        "headers.authorization",
        "*.headers.authorization",
        'headers["x-consul-token"]',
        '*.headers["x-consul-token"]',
      ],
      censor: REDACTED,
    },
  };
  return options.destination === undefined ? pino(config) : pino(config, options.destination);
}

/** A logger that prints nothing (tests, library use without logging). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
