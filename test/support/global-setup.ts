/**
 * Global setup of the integration project: starts DynamoDB Local and moto in parallel on free 127.0.0.1
 * ports, provides their endpoints to the tests, and stops both afterwards.
 */
import type { TestProject } from "vitest/node";
import { startDynamoDbLocal } from "../../src/dev/dynamodb-local.js";
import type { RunningServer } from "../../src/dev/launch-process.js";
import { startMoto } from "../../src/dev/moto.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** DynamoDB Local (also its Streams endpoint). */
    dynamodbLocalEndpoint: string;
    /** moto_server (every AWS service moto simulates, DynamoDB and Streams included). */
    motoEndpoint: string;
  }
}

/** Starts the servers; the returned function is vitest's teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [dynamodb, moto] = await Promise.allSettled([startDynamoDbLocal(), startMoto()]);
  const started: RunningServer[] = [];
  for (const result of [dynamodb, moto]) if (result.status === "fulfilled") started.push(result.value);
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled(started.map((server) => server.stop()));
  };
  if (dynamodb.status === "rejected" || moto.status === "rejected") {
    await stopAll();
    const reasons = [dynamodb, moto].flatMap((result) =>
      result.status === "rejected"
        ? [String(result.reason instanceof Error ? result.reason.message : result.reason)]
        : [],
    );
    throw new Error(`integration test bed could not start: ${reasons.join("; ")}`);
  }
  project.provide("dynamodbLocalEndpoint", dynamodb.value.endpoint);
  project.provide("motoEndpoint", moto.value.endpoint);
  return stopAll;
}
