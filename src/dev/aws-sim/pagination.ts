import type { AwsApiError } from "./errors.js";

/** One page of a listing and the token for the next one. */
export interface Page<T> {
  /** Items of this page. */
  readonly items: T[];
  /** Opaque token for the next page; absent on the last page. */
  readonly nextToken?: string;
}

/** Limits of one AWS list operation. */
export interface PageLimits {
  /** Page size when `maxResults` is absent. */
  readonly defaultSize: number;
  /** Largest `maxResults` allowed. */
  readonly maxSize: number;
}

/**
 * Pages `items` the way AWS list operations do: `maxResults` in 1..maxSize, an opaque `nextToken`
 * (base64 of the offset), no token on the last page. Bad values raise `invalid(message)`.
 */
export function paginate<T>(
  items: readonly T[],
  request: { nextToken: string | undefined; maxResults: number | undefined },
  limits: PageLimits,
  invalid: (message: string) => AwsApiError,
): Page<T> {
  const size = request.maxResults ?? limits.defaultSize;
  if (!Number.isInteger(size) || size < 1 || size > limits.maxSize) {
    throw invalid(`maxResults must be between 1 and ${limits.maxSize}.`);
  }
  const start = request.nextToken === undefined ? 0 : decodeToken(request.nextToken, invalid);
  const page = items.slice(start, start + size);
  const next = start + size;
  return next < items.length ? { items: page, nextToken: encodeToken(next) } : { items: page };
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), "utf8").toString("base64");
}

function decodeToken(token: string, invalid: (message: string) => AwsApiError): number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, "base64").toString("utf8"));
    if (typeof parsed === "object" && parsed !== null && "offset" in parsed) {
      const offset = parsed.offset;
      if (typeof offset === "number" && Number.isInteger(offset) && offset >= 0) return offset;
    }
  } catch (error) {
    throw invalid(`Invalid nextToken: ${String(error)}`);
  }
  throw invalid("Invalid nextToken.");
}
