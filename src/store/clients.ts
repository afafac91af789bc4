/** Builds the SDK clients the store uses, from explicit settings (no environment reading here). */

import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/** Connection settings for DynamoDB and DynamoDB Streams. */
export interface StoreClientConfig {
  region: string;
  /** Endpoint override (DynamoDB Local, moto); AWS's regional endpoint when omitted. */
  endpoint?: string;
  /** Streams endpoint override; defaults to `endpoint` (DynamoDB Local and moto serve both on one URL). */
  streamsEndpoint?: string;
  credentials?: DynamoDBClientConfig["credentials"];
  /** Cap on concurrent connections per client (the SDK's default is 50). */
  maxSockets?: number;
}

/** The three clients a store holds. */
export interface StoreClients {
  dynamodb: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  streams: DynamoDBStreamsClient;
}

/** Creates the clients with explicit `maxAttempts` and standard retry mode. */
export function createStoreClients(config: StoreClientConfig, maxAttempts: number): StoreClients {
  const common = {
    region: config.region,
    maxAttempts,
    retryMode: "standard",
    ...(config.credentials === undefined ? {} : { credentials: config.credentials }),
    ...(config.maxSockets === undefined
      ? {}
      : {
          requestHandler: {
            httpAgent: new HttpAgent({ keepAlive: true, maxSockets: config.maxSockets }),
            httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: config.maxSockets }),
          },
        }),
  };
  const dynamodb = new DynamoDBClient({
    ...common,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
  });
  const streamsEndpoint = config.streamsEndpoint ?? config.endpoint;
  const streams = new DynamoDBStreamsClient({
    ...common,
    ...(streamsEndpoint ? { endpoint: streamsEndpoint } : {}),
  });
  const documents = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return { dynamodb, documents, streams };
}
