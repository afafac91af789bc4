/**
 * Event items (DESIGN §11 "Events"): what the controller did or saw, per record, kubectl-style. One item per
 * event series: `pk = _event#<namespace>` (so a team's IAM policy can list that key beside its namespace),
 * `sk = <Kind>#<name>#<firstTimestamp>#<id>` (a record's events sort by when they started), `kind = Event` (only
 * so that `-A` is one Query on the kind index, as for records; no record has that kind), the event's fields and
 * the TTL attribute `expiresAt`. A repeat bumps `count` and `lastTimestamp` of the series' item (UpdateItem).
 */
import { randomBytes } from "node:crypto";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Kind } from "../crds/meta.js";
import { InvalidError } from "./errors.js";
import { eventPk, isKind, KIND_INDEX, resourceItemKey, TTL_ATTRIBUTE } from "./layout.js";
import { sdkErrorName, translateError } from "./translate.js";

/** An event's type, as kubectl shows it. */
export const EventType = { Normal: "Normal", Warning: "Warning" } as const;

/** Normal or Warning. */
export type EventType = (typeof EventType)[keyof typeof EventType];

/** The `kind` attribute of event items: puts them in the kind index under a name no record kind has. */
export const EVENT_INDEX_KIND = "Event";

/** Messages longer than this are cut (events are notes, not logs; items stay small). */
export const MAX_EVENT_MESSAGE = 1024;

/** The record an event is about. */
export interface InvolvedObject {
  kind: Kind;
  namespace: string;
  name: string;
}

/** An event as read back (ISO timestamps). */
export interface EventView {
  type: EventType;
  reason: string;
  message: string;
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
  involved: InvolvedObject;
}

/** Which events to read: one namespace (optionally one record's), or every namespace. */
export interface EventQuery {
  /** Omit for every namespace (the kind index). */
  namespace?: string;
  /** One record's events; needs `namespace`. */
  involved?: { kind: Kind; name: string };
}

/** Where a series' item is, to bump it. */
export interface EventSeriesRef {
  namespace: string;
  id: string;
}

/** Reading and writing event items. */
export interface EventLog {
  /** Writes a new series (count and timestamps as given) expiring `ttlSeconds` after its last timestamp. */
  create(event: EventView, ttlSeconds: number): Promise<EventSeriesRef>;
  /**
   * Adds `count` to the series and moves its `lastTimestamp` (and expiry); false, writing nothing, when the
   * item is gone (expired or deleted), so the caller starts a new series.
   */
  bump(ref: EventSeriesRef, count: number, lastTimestamp: string, ttlSeconds: number): Promise<boolean>;
  /** The events, oldest `lastTimestamp` first. */
  list(query: EventQuery): Promise<EventView[]>;
}

/** The event partition of a namespace, after checking it is one (a DNS label). */
function eventPkOf(namespace: string): string {
  return eventPk(resourceItemKey("FargateService", namespace, "x").pk);
}

function expiresAt(lastTimestamp: string, ttlSeconds: number): number {
  return Math.floor(Date.parse(lastTimestamp) / 1000) + Math.max(1, Math.floor(ttlSeconds));
}

function viewOf(item: Record<string, unknown>): EventView | undefined {
  const { type, reason, message, count, firstTimestamp, lastTimestamp } = item;
  const { involvedKind, involvedNamespace, involvedName } = item;
  if (
    (type !== EventType.Normal && type !== EventType.Warning) ||
    typeof reason !== "string" ||
    typeof message !== "string" ||
    typeof firstTimestamp !== "string" ||
    typeof lastTimestamp !== "string" ||
    !isKind(involvedKind) ||
    typeof involvedNamespace !== "string" ||
    typeof involvedName !== "string"
  ) {
    return undefined;
  }
  return {
    type,
    reason,
    message,
    count: typeof count === "number" && count >= 1 ? count : 1,
    firstTimestamp,
    lastTimestamp,
    involved: { kind: involvedKind, namespace: involvedNamespace, name: involvedName },
  };
}

/** Event items on the store's table. */
export class DynamoEvents implements EventLog {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(event: EventView, ttlSeconds: number): Promise<EventSeriesRef> {
    const { kind, namespace, name } = event.involved;
    resourceItemKey(kind, namespace, name); // refuses what no record could be
    const id = `${event.firstTimestamp}#${randomBytes(4).toString("hex")}`;
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: eventPk(namespace),
            sk: `${kind}#${name}#${id}`,
            kind: EVENT_INDEX_KIND,
            type: event.type,
            reason: event.reason,
            message: event.message.slice(0, MAX_EVENT_MESSAGE),
            count: event.count,
            firstTimestamp: event.firstTimestamp,
            lastTimestamp: event.lastTimestamp,
            involvedKind: kind,
            involvedNamespace: namespace,
            involvedName: name,
            [TTL_ATTRIBUTE]: expiresAt(event.lastTimestamp, ttlSeconds),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    } catch (error) {
      throw translateError(
        error,
        `record event ${event.reason} of ${kind} ${namespace}/${name}`,
        this.tableName,
      );
    }
    return { namespace, id: `${kind}#${name}#${id}` };
  }

  async bump(
    ref: EventSeriesRef,
    count: number,
    lastTimestamp: string,
    ttlSeconds: number,
  ): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: eventPk(ref.namespace), sk: ref.id },
          UpdateExpression: "ADD #count :n SET #last = :last, #ttl = :ttl",
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeNames: { "#count": "count", "#last": "lastTimestamp", "#ttl": TTL_ATTRIBUTE },
          ExpressionAttributeValues: {
            ":n": count,
            ":last": lastTimestamp,
            ":ttl": expiresAt(lastTimestamp, ttlSeconds),
          },
        }),
      );
      return true;
    } catch (error) {
      if (sdkErrorName(error) === "ConditionalCheckFailedException") return false;
      throw translateError(error, `update event ${ref.id} in ${ref.namespace}`, this.tableName);
    }
  }

  async list(query: EventQuery): Promise<EventView[]> {
    if (query.involved !== undefined && query.namespace === undefined) {
      throw new InvalidError("the events of one record need its namespace");
    }
    // One namespace: its event partition (which `dynamodb:LeadingKeys` can grant), strongly consistent. Every
    // namespace: the kind index under `Event`, as `list` does for records. Never a Scan.
    const input =
      query.namespace === undefined
        ? {
            IndexName: KIND_INDEX,
            KeyConditionExpression: "#kind = :kind",
            ExpressionAttributeNames: { "#kind": "kind" },
            ExpressionAttributeValues: { ":kind": EVENT_INDEX_KIND },
          }
        : query.involved === undefined
          ? {
              ConsistentRead: true,
              KeyConditionExpression: "#pk = :pk",
              ExpressionAttributeNames: { "#pk": "pk" },
              ExpressionAttributeValues: { ":pk": eventPkOf(query.namespace) },
            }
          : {
              ConsistentRead: true,
              KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :prefix)",
              ExpressionAttributeNames: { "#pk": "pk", "#sk": "sk" },
              ExpressionAttributeValues: {
                ":pk": eventPkOf(query.namespace),
                ":prefix": `${query.involved.kind}#${query.involved.name}#`,
              },
            };
    const out: EventView[] = [];
    let start: Record<string, unknown> | undefined;
    try {
      do {
        const page = await this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            ...input,
            ...(start === undefined ? {} : { ExclusiveStartKey: start }),
          }),
        );
        for (const item of page.Items ?? []) {
          // Only the event partitions count: anything else filed under `Event` (a hand-written item) is not ours.
          if (typeof item.pk !== "string" || !item.pk.startsWith("_event#")) continue;
          const view = viewOf(item);
          if (view !== undefined) out.push(view);
        }
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
    } catch (error) {
      throw translateError(error, "list events", this.tableName);
    }
    return out.sort(
      (a, b) =>
        a.lastTimestamp.localeCompare(b.lastTimestamp) || a.firstTimestamp.localeCompare(b.firstTimestamp),
    );
  }
}
