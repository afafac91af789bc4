/** Reads and conditional writes of single record items, with every SDK error translated. */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type QueryCommand,
  type QueryCommandOutput,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { ConflictError, NotFoundError, StoreError } from "./errors.js";
import { type ItemKey, itemToResource } from "./layout.js";
import { translateError } from "./translate.js";
import type { StoredResource } from "./types.js";
import { type UpdatePlan, versionCondition } from "./write-plan.js";

/** What a failed condition means when the item turns out not to exist. */
export type WhenMissing = "notFound" | "conflict";

/** Item-level I/O on the store's table. */
export class RecordIo {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Strongly consistent read of one item. */
  async read(key: ItemKey): Promise<Record<string, unknown> | undefined> {
    try {
      const result = await this.documents.send(
        new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
      );
      return result.Item;
    } catch (error) {
      throw translateError(error, `read ${key.pk}/${key.sk}`, this.tableName);
    }
  }

  /** One page of a query. */
  async query(what: string, command: QueryCommand): Promise<QueryCommandOutput> {
    try {
      return await this.documents.send(command);
    } catch (error) {
      throw translateError(error, what, this.tableName);
    }
  }

  /** Writes a new item; ConflictError (with the current record) if one exists. */
  async putNew(key: ItemKey, item: Record<string, unknown>, what: string): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: "attribute_not_exists(pk)",
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
    } catch (error) {
      throw await this.conflict(error, key, what, "conflict");
    }
  }

  /** Applies an update plan (compare-and-set) and returns the new record. */
  async update(
    key: ItemKey,
    plan: UpdatePlan,
    what: string,
    whenMissing: WhenMissing,
  ): Promise<StoredResource> {
    try {
      const result = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          ...plan,
          ReturnValues: "ALL_NEW",
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      if (!result.Attributes) throw new StoreError(`${what}: DynamoDB returned no attributes`);
      return itemToResource(result.Attributes);
    } catch (error) {
      throw await this.conflict(error, key, what, whenMissing);
    }
  }

  /** Applies an update plan (compare-and-set) to an item that need not read as a record; returns nothing. */
  async updateRaw(key: ItemKey, plan: UpdatePlan, what: string): Promise<void> {
    try {
      await this.documents.send(new UpdateCommand({ TableName: this.tableName, Key: key, ...plan }));
    } catch (error) {
      const translated = translateError(error, what, this.tableName);
      // The current item is not a record, so a lost condition carries none.
      throw translated instanceof ConflictError
        ? new ConflictError(translated.message, undefined, { cause: error })
        : translated;
    }
  }

  /** Deletes the item if it is still at `resourceVersion`. */
  async remove(key: ItemKey, resourceVersion: string, what: string): Promise<void> {
    const condition = versionCondition(resourceVersion);
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: key,
          ConditionExpression: condition.expression,
          ExpressionAttributeNames: condition.names,
          ExpressionAttributeValues: condition.values,
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
    } catch (error) {
      throw await this.conflict(error, key, what, "notFound");
    }
  }

  /** Translates a write error; a failed condition that carries no current item is settled by one read. */
  async conflict(error: unknown, key: ItemKey, what: string, whenMissing: WhenMissing): Promise<Error> {
    const translated = translateError(error, what, this.tableName);
    if (!(translated instanceof ConflictError) || translated.current) return translated;
    const item = await this.read(key);
    if (item) return new ConflictError(translated.message, itemToResource(item), { cause: error });
    if (whenMissing === "notFound") return new NotFoundError(`${what}: not found`, { cause: error });
    return translated;
  }
}
