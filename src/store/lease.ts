/**
 * Lease primitives for leader election, with DynamoDB lock-client semantics: the holder rotates a
 * `recordVersionNumber` on every renewal; a taker conditions only on the version it saw stay unchanged for a
 * whole lease duration (measured on its own clock). The election loop itself belongs to the controller.
 * Items: `pk = _lease`, `sk = <name>`; no `kind`, so leases stay out of the kind index and the watch.
 */

import { randomUUID } from "node:crypto";
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { fromAttributeMap, type RawAttributeValue } from "./attribute-value.js";
import { InvalidError, LeaseConflictError } from "./errors.js";
import { LEASE_PK } from "./layout.js";
import { sdkErrorName, translateError } from "./translate.js";

/** A lease as stored. */
export interface Lease {
  name: string;
  holder: string;
  leaseDurationMs: number;
  /** Rotated by every acquire and renew; a taker waits a full lease with this unchanged. */
  recordVersionNumber: string;
  /** When the holder last wrote it (informational; takers must use their own clock). */
  renewedAt: string;
}

function leaseFromItem(item: Record<string, unknown>): Lease | undefined {
  const { sk, holder, leaseDurationMs, recordVersionNumber, renewedAt } = item;
  if (typeof sk !== "string" || typeof holder !== "string" || typeof recordVersionNumber !== "string")
    return undefined;
  return {
    name: sk,
    holder,
    leaseDurationMs: typeof leaseDurationMs === "number" ? leaseDurationMs : 0,
    recordVersionNumber,
    renewedAt: typeof renewedAt === "string" ? renewedAt : "",
  };
}

function checkName(name: string): void {
  if (name === "" || name.length > 200)
    throw new InvalidError(`lease name ${JSON.stringify(name)} must be 1-200 characters`);
}

/** Lease reads and conditional writes on the store's table. */
export class DynamoLeases {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Reads a lease (strongly consistent); undefined when nobody holds it. */
  async readLease(name: string): Promise<Lease | undefined> {
    checkName(name);
    try {
      const result = await this.documents.send(
        new GetCommand({ TableName: this.tableName, Key: { pk: LEASE_PK, sk: name }, ConsistentRead: true }),
      );
      return result.Item ? leaseFromItem(result.Item) : undefined;
    } catch (error) {
      throw translateError(error, `read lease ${name}`, this.tableName);
    }
  }

  /**
   * Takes the lease: with `expectedRecordVersion` null only if no lease item exists; otherwise only if its
   * record version is still the one the caller saw (and waited out). Throws LeaseConflictError otherwise.
   */
  async acquireLease(
    name: string,
    holder: string,
    leaseDurationMs: number,
    expectedRecordVersion: string | null,
  ): Promise<Lease> {
    checkName(name);
    const lease: Lease = {
      name,
      holder,
      leaseDurationMs,
      recordVersionNumber: randomUUID(),
      renewedAt: this.now().toISOString(),
    };
    const { name: _name, ...attributes } = lease;
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: LEASE_PK, sk: name, ...attributes },
          ...(expectedRecordVersion === null
            ? { ConditionExpression: "attribute_not_exists(pk)" }
            : {
                ConditionExpression: "recordVersionNumber = :expected",
                ExpressionAttributeValues: { ":expected": expectedRecordVersion },
              }),
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
    } catch (error) {
      throw this.translate(error, `acquire lease ${name}`);
    }
    return lease;
  }

  /** Extends a lease the caller holds; returns the new record version. Throws LeaseConflictError if lost. */
  async renewLease(name: string, holder: string, currentRecordVersion: string): Promise<string> {
    checkName(name);
    const next = randomUUID();
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: LEASE_PK, sk: name },
          UpdateExpression: "SET recordVersionNumber = :next, renewedAt = :now",
          ConditionExpression: "holder = :holder AND recordVersionNumber = :current",
          ExpressionAttributeValues: {
            ":next": next,
            ":now": this.now().toISOString(),
            ":holder": holder,
            ":current": currentRecordVersion,
          },
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
    } catch (error) {
      throw this.translate(error, `renew lease ${name}`);
    }
    return next;
  }

  /** Gives a held lease up (deletes it). Already gone is fine; held by someone else is LeaseConflictError. */
  async releaseLease(name: string, holder: string, recordVersion: string): Promise<void> {
    checkName(name);
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: LEASE_PK, sk: name },
          ConditionExpression:
            "attribute_not_exists(pk) OR (holder = :holder AND recordVersionNumber = :current)",
          ExpressionAttributeValues: { ":holder": holder, ":current": recordVersion },
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
    } catch (error) {
      throw this.translate(error, `release lease ${name}`);
    }
  }

  private translate(error: unknown, what: string): Error {
    if (sdkErrorName(error) === "ConditionalCheckFailedException") {
      const raw = (error as { Item?: Record<string, RawAttributeValue> }).Item;
      const current = raw ? leaseFromItem(fromAttributeMap(raw)) : undefined;
      const by = current ? ` (held by ${current.holder}, record version ${current.recordVersionNumber})` : "";
      return new LeaseConflictError(`${what}: the lease changed${by}`, current, { cause: error });
    }
    return translateError(error, what, this.tableName);
  }
}
