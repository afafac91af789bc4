/** The resource store: DynamoDB implementation, table management, leases, errors. */
export {
  createDynamoResourceStore,
  DynamoResourceStore,
  type DynamoStoreOptions,
  type StoreSettings,
} from "./dynamo-store.js";
export * from "./errors.js";
export { DynamoLeases, type Lease } from "./lease.js";
export {
  CreateTableOutcome,
  type CreateTableResult,
  createTable,
  describeTableShape,
  type TableShape,
} from "./table.js";
export type * from "./types.js";
export { ApplyOutcome } from "./types.js";
