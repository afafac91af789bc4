/** Builds a store from settings as the CLI and the controller resolve them (no environment reading here). */
import type { StoreClientConfig } from "./clients.js";
import { DynamoResourceStore } from "./dynamo-store.js";

/** Settings in the shape the CLI and controller resolve them (per-service endpoints). */
export interface StoreSettings {
  tableName: string;
  region: string;
  endpoints?: { dynamodb?: string; dynamodbStreams?: string };
  credentials?: StoreClientConfig["credentials"];
  maxAttempts?: number;
}

/** Builds a DynamoResourceStore from resolved settings. */
export function createDynamoResourceStore(settings: StoreSettings): DynamoResourceStore {
  const client: StoreClientConfig = { region: settings.region };
  if (settings.endpoints?.dynamodb) client.endpoint = settings.endpoints.dynamodb;
  if (settings.endpoints?.dynamodbStreams) client.streamsEndpoint = settings.endpoints.dynamodbStreams;
  if (settings.credentials) client.credentials = settings.credentials;
  return new DynamoResourceStore({
    tableName: settings.tableName,
    client,
    ...(settings.maxAttempts === undefined ? {} : { maxAttempts: settings.maxAttempts }),
  });
}
