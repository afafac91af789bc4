/** Errors the Consul simulator answers with: each carries the HTTP status and the body Consul would send. */

/** A request Consul would refuse; `message` is the plain-text body Consul writes. */
export class ConsulSimHttpError extends Error {
  /** The HTTP status Consul answers with. */
  readonly status: number;
  constructor(status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ConsulSimHttpError";
    this.status = status;
  }
}

/** Consul's answer for a `dc` it has no route to (Consul uses 500, not 404). */
export const noPathToDatacenter = (): ConsulSimHttpError =>
  new ConsulSimHttpError(500, "No path to datacenter");

/** Consul's answer for a token it does not know. */
export const aclNotFound = (): ConsulSimHttpError => new ConsulSimHttpError(403, "ACL not found");

/** Consul's answer when the anonymous token (no token sent) lacks a permission. */
export const anonymousDenied = (permission: string, resource: string): ConsulSimHttpError =>
  new ConsulSimHttpError(
    403,
    `Permission denied: anonymous token lacks permission '${permission}' on "${resource}". ` +
      "The anonymous token is used implicitly when a request does not specify a token.",
  );
