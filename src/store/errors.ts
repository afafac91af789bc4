/** Typed errors of the resource store. Callers check them with `instanceof`. */
import type { Lease } from "./lease.js";
import type { InvalidItem, StoredResource } from "./types.js";

/** Base class of every store error. */
export class StoreError extends Error {
  override readonly name: string = "StoreError";
}

/** The record does not exist. */
export class NotFoundError extends StoreError {
  override readonly name: string = "NotFoundError";
}

/** A compare-and-set lost: the record changed (or appeared, or vanished) since it was read. */
export class ConflictError extends StoreError {
  override readonly name: string = "ConflictError";
  /** The record as it is now; undefined when it no longer exists. */
  readonly current: StoredResource | undefined;

  constructor(message: string, current: StoredResource | undefined, options?: ErrorOptions) {
    super(message, options);
    this.current = current;
  }
}

/** The request can never succeed as written (bad name, item too large, malformed record). */
export class InvalidError extends StoreError {
  override readonly name: string = "InvalidError";
}

/** The item under a record's key is not a valid record (InvalidItem says why); retrying cannot help. */
export class InvalidItemError extends InvalidError {
  override readonly name: string = "InvalidItemError";
  readonly item: InvalidItem;

  constructor(item: InvalidItem, options?: ErrorOptions) {
    super(`${item.kind} ${item.pk}/${item.name}: ${item.message}`, options);
    this.item = item;
  }
}

/** The caller's credentials may not do this (IAM denied it). */
export class ForbiddenError extends StoreError {
  override readonly name: string = "ForbiddenError";
}

/** DynamoDB could not be reached or kept failing (throttling, 5xx, network) after the SDK's retries. */
export class StoreUnavailableError extends StoreError {
  override readonly name: string = "StoreUnavailableError";
}

/** The table does not exist (create it with `fargatectl table create`). */
export class TableNotFoundError extends StoreUnavailableError {
  override readonly name: string = "TableNotFoundError";
}

/** The table exists but its keys, index or stream do not match the layout this store needs. */
export class TableShapeError extends StoreError {
  override readonly name: string = "TableShapeError";
}

/** A lease write lost its condition: someone else holds it, or its record version moved on. */
export class LeaseConflictError extends StoreError {
  override readonly name: string = "LeaseConflictError";
  /** The lease as it is now; undefined when no lease item exists. */
  readonly current: Lease | undefined;

  constructor(message: string, current: Lease | undefined, options?: ErrorOptions) {
    super(message, options);
    this.current = current;
  }
}
