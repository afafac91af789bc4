/** The resource store: DynamoDB implementation, table management, leases, errors. */
export { DynamoResourceStore, type DynamoStoreOptions } from "./dynamo-store.js";
export * from "./errors.js";
export {
  DynamoEvents,
  EVENT_INDEX_KIND,
  type EventLog,
  type EventQuery,
  type EventSeriesRef,
  EventType,
  type EventView,
  type InvolvedObject,
} from "./events.js";
export { createDynamoResourceStore, type StoreSettings } from "./factory.js";
export { STATUS_HEADROOM_BYTES } from "./item-check.js";
export { DynamoLeases, type Lease } from "./lease.js";
export { DynamoSyncOwners, type SyncOwner } from "./sync-owners.js";
export {
  CreateTableOutcome,
  type CreateTableResult,
  createTable,
  describeTableShape,
  type TableShape,
} from "./table.js";
export type * from "./types.js";
export { ApplyOutcome, InvalidItemReason } from "./types.js";
