/**
 * Name-claim items (layout.ts: `pk = _claim`, `sk = <scope>#<name>`): first claimant wins through a conditional
 * put, a stale claim is handed over only if it is still exactly what the taker saw, and a release deletes only the
 * owner's own claim. Every read is strongly consistent, so a claim just written is always seen.
 */
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { fromAttributeMap, type RawAttributeValue } from "./attribute-value.js";
import { InvalidError, StoreError } from "./errors.js";
import { CLAIM_PK, isKind } from "./layout.js";
import { sdkErrorName, translateError } from "./translate.js";
import type { ClaimOwner, NameClaim } from "./types.js";

const SCOPE = /^[A-Za-z0-9][-A-Za-z0-9_./]{0,199}$/;
const NAME = /^[A-Za-z0-9_][-A-Za-z0-9_.]{0,254}$/;
/** Rounds of put-then-read when a claim disappears between a failed put and the read of the holder. */
const ATTEMPTS = 5;

/** The item key of a claim; InvalidError for a scope or name that cannot be one. */
export function claimKey(scope: string, name: string): { pk: string; sk: string } {
  if (!SCOPE.test(scope)) throw new InvalidError(`claim scope ${JSON.stringify(scope)} is not valid`);
  if (!NAME.test(name)) throw new InvalidError(`claimed name ${JSON.stringify(name)} is not valid`);
  return { pk: CLAIM_PK, sk: `${scope}#${name}` };
}

function claimItem(claim: NameClaim): Record<string, unknown> {
  const { owner } = claim;
  return {
    ...claimKey(claim.scope, claim.name),
    ownerKind: owner.kind,
    ownerNamespace: owner.namespace,
    ownerName: owner.name,
    ownerUid: owner.uid,
    claimedAt: claim.claimedAt,
  };
}

/** The claim an item holds; undefined for anything else (a malformed item holds no claim). */
export function itemToClaim(item: Record<string, unknown> | undefined): NameClaim | undefined {
  if (item === undefined || item.pk !== CLAIM_PK || typeof item.sk !== "string") return undefined;
  const { sk, ownerKind, ownerNamespace, ownerName, ownerUid, claimedAt } = item;
  const split = sk.lastIndexOf("#");
  if (split <= 0 || !isKind(ownerKind)) return undefined;
  if (typeof ownerNamespace !== "string" || typeof ownerName !== "string" || typeof ownerUid !== "string")
    return undefined;
  return {
    scope: sk.slice(0, split),
    name: sk.slice(split + 1),
    owner: { kind: ownerKind, namespace: ownerNamespace, name: ownerName, uid: ownerUid },
    claimedAt: typeof claimedAt === "string" ? claimedAt : "",
  };
}

/** Claim reads and conditional writes on the store's table. */
export class ClaimIo {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date,
  ) {}

  /** The claim of `name` in `scope`, read consistently; undefined when nobody holds it. */
  async get(scope: string, name: string): Promise<NameClaim | undefined> {
    const Key = claimKey(scope, name);
    try {
      const result = await this.documents.send(
        new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true }),
      );
      return itemToClaim(result.Item);
    } catch (error) {
      throw translateError(error, `read claim ${Key.sk}`, this.tableName);
    }
  }

  /** Puts a claim for `owner` unless one exists; returns the claim that holds afterwards. */
  async claim(scope: string, name: string, owner: ClaimOwner): Promise<NameClaim> {
    const wanted: NameClaim = { scope, name, owner, claimedAt: this.now().toISOString() };
    for (let attempt = 1; ; attempt++) {
      const held = await this.put(wanted, { ConditionExpression: "attribute_not_exists(pk)" });
      if (held === undefined) return wanted;
      if (held !== "unknown") return held;
      // The holder was released between our put and our read: try again.
      if (attempt >= ATTEMPTS) throw new StoreError(`claim ${scope}#${name}: it keeps changing; try again`);
    }
  }

  /** Replaces `stale` with a claim for `owner` if it is unchanged; returns the claim that holds afterwards. */
  async takeOver(stale: NameClaim, owner: ClaimOwner): Promise<NameClaim> {
    const wanted: NameClaim = { ...stale, owner, claimedAt: this.now().toISOString() };
    const held = await this.put(wanted, {
      ConditionExpression: "ownerUid = :uid AND claimedAt = :at",
      ExpressionAttributeValues: { ":uid": stale.owner.uid, ":at": stale.claimedAt },
    });
    if (held === undefined) return wanted;
    // Released meanwhile: an ordinary first-wins claim settles it.
    if (held === "unknown") return await this.claim(stale.scope, stale.name, owner);
    return held;
  }

  /** Deletes the claim if `ownerUid` holds it. */
  async release(scope: string, name: string, ownerUid: string): Promise<void> {
    const Key = claimKey(scope, name);
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key,
          ConditionExpression: "ownerUid = :uid",
          ExpressionAttributeValues: { ":uid": ownerUid },
        }),
      );
    } catch (error) {
      // Absent, or somebody else's: nothing of ours to release.
      if (sdkErrorName(error) === "ConditionalCheckFailedException") return;
      throw translateError(error, `release claim ${Key.sk}`, this.tableName);
    }
  }

  /**
   * A conditional put of `claim`: undefined when written; otherwise the claim that blocked it, or "unknown" when
   * none exists any more by the time it is read.
   */
  private async put(
    claim: NameClaim,
    condition: { ConditionExpression: string; ExpressionAttributeValues?: Record<string, unknown> },
  ): Promise<NameClaim | "unknown" | undefined> {
    const item = claimItem(claim);
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ...condition,
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return undefined;
    } catch (error) {
      if (sdkErrorName(error) !== "ConditionalCheckFailedException")
        throw translateError(error, `claim ${String(item.sk)}`, this.tableName);
      const raw = (error as { Item?: Record<string, RawAttributeValue> }).Item;
      const held =
        raw === undefined ? await this.get(claim.scope, claim.name) : itemToClaim(fromAttributeMap(raw));
      return held ?? "unknown";
    }
  }
}
