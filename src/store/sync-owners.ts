/**
 * Which CatalogSync owns a Cloud Map namespace (DESIGN 11: "decided by a controller-assigned time"). One item per
 * Cloud Map namespace id: `pk = _syncowner`, `sk = <namespace id>`, written only by the controller with a
 * conditional put, so the first CatalogSync the controller admits wins and no spec writer can forge or reorder it
 * (a team's IAM policy pins `dynamodb:LeadingKeys` to its namespace, and `_syncowner` is never a DNS label).
 * No `kind`, so owner items stay out of the kind index and the watch.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from "@aws-sdk/lib-dynamodb";
import { InvalidError } from "./errors.js";
import { SYNC_OWNER_PK } from "./layout.js";
import { sdkErrorName, translateError } from "./translate.js";

/** The CatalogSync that owns one Cloud Map namespace, as stored. */
export interface SyncOwner {
  /** The Cloud Map namespace id (ns-...). */
  namespaceId: string;
  /** The owning CatalogSync: its uid, metadata.namespace and name (ownership means all three match). */
  uid: string;
  namespace: string;
  name: string;
  /** `namespace/name` of the CloudMapNamespace record it referred to when it claimed. */
  cloudMapNamespaceRef: string;
  /** When the controller admitted it (the controller's clock; informational, the put's condition decides). */
  claimedAt: string;
}

function ownerFromItem(item: Record<string, unknown>): SyncOwner | undefined {
  const { sk, ownerUid, ownerNamespace, ownerName, cloudMapNamespaceRef, claimedAt } = item;
  if (
    typeof sk !== "string" ||
    typeof ownerUid !== "string" ||
    typeof ownerNamespace !== "string" ||
    typeof ownerName !== "string"
  ) {
    return undefined;
  }
  return {
    namespaceId: sk,
    uid: ownerUid,
    namespace: ownerNamespace,
    name: ownerName,
    cloudMapNamespaceRef: typeof cloudMapNamespaceRef === "string" ? cloudMapNamespaceRef : "",
    claimedAt: typeof claimedAt === "string" ? claimedAt : "",
  };
}

function checkId(namespaceId: string): void {
  if (namespaceId === "" || namespaceId.length > 200) {
    throw new InvalidError(`Cloud Map namespace id ${JSON.stringify(namespaceId)} must be 1-200 characters`);
  }
}

/** Owner items: consistent reads and conditional writes on the store's table. */
export class DynamoSyncOwners {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The owner of `namespaceId` (strongly consistent), or undefined when nobody owns it. */
  async readOwner(namespaceId: string): Promise<SyncOwner | undefined> {
    checkId(namespaceId);
    try {
      const result = await this.documents.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: SYNC_OWNER_PK, sk: namespaceId },
          ConsistentRead: true,
        }),
      );
      return result.Item === undefined ? undefined : ownerFromItem(result.Item);
    } catch (error) {
      throw translateError(error, `read the owner of ${namespaceId}`, this.tableName);
    }
  }

  /**
   * Writes `owner`: with `expectedUid` null only when nobody owns the namespace; otherwise only when the owner is
   * still the one with that uid (taking over from a stale owner). False when the condition failed.
   */
  async claimOwner(owner: SyncOwner, expectedUid: string | null): Promise<boolean> {
    checkId(owner.namespaceId);
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: SYNC_OWNER_PK,
            sk: owner.namespaceId,
            ownerUid: owner.uid,
            ownerNamespace: owner.namespace,
            ownerName: owner.name,
            cloudMapNamespaceRef: owner.cloudMapNamespaceRef,
            claimedAt: owner.claimedAt,
          },
          ...(expectedUid === null
            ? { ConditionExpression: "attribute_not_exists(pk)" }
            : {
                ConditionExpression: "ownerUid = :expected",
                ExpressionAttributeValues: { ":expected": expectedUid },
              }),
        }),
      );
      return true;
    } catch (error) {
      if (sdkErrorName(error) === "ConditionalCheckFailedException") return false;
      throw translateError(error, `claim ${owner.namespaceId}`, this.tableName);
    }
  }

  /** Deletes the owner item of `namespaceId` if `uid` owns it; gone or owned by another is fine. */
  async releaseOwner(namespaceId: string, uid: string): Promise<void> {
    checkId(namespaceId);
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: SYNC_OWNER_PK, sk: namespaceId },
          ConditionExpression: "ownerUid = :uid",
          ExpressionAttributeValues: { ":uid": uid },
        }),
      );
    } catch (error) {
      if (sdkErrorName(error) === "ConditionalCheckFailedException") return;
      throw translateError(error, `release ${namespaceId}`, this.tableName);
    }
  }

  /** Every namespace `uid` owns (one partition, strongly consistent; a handful of items: one per VPC). */
  async ownedBy(uid: string): Promise<SyncOwner[]> {
    const out: SyncOwner[] = [];
    let start: Record<string, unknown> | undefined;
    try {
      do {
        const page = await this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: "pk = :pk",
            FilterExpression: "ownerUid = :uid",
            ExpressionAttributeValues: { ":pk": SYNC_OWNER_PK, ":uid": uid },
            ConsistentRead: true,
            ...(start === undefined ? {} : { ExclusiveStartKey: start }),
          }),
        );
        for (const item of page.Items ?? []) {
          const owner = ownerFromItem(item);
          if (owner !== undefined) out.push(owner);
        }
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
    } catch (error) {
      throw translateError(error, "list sync owners", this.tableName);
    }
    return out;
  }
}
