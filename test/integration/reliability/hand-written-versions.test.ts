/**
 * Hand-written items whose `resourceVersion` the store never issued (a string, a list, a negative number, a
 * fraction, a number beyond 2^53) can still be written, once, by whoever read them: the controller can report on
 * them (the hostile-items property found records stuck with no status because every write lost its condition).
 * A second write with the same stale version is still a conflict. On DynamoDB Local and moto.
 */
import { type AttributeValue, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterEach, describe, expect, it } from "vitest";
import type { DynamoResourceStore } from "../../../src/store/dynamo-store.js";
import { ConflictError } from "../../../src/store/errors.js";
import { endpointOf, freshStore, STORE_BACKENDS } from "../../support/store-fixtures.js";

const ODD_VERSIONS: Array<[string, AttributeValue, string]> = [
  ["a digit string", { S: "5" }, "0"],
  ["a list", { L: [{ S: "fargate-operator/cleanup" }] }, "0"],
  ["a boolean", { BOOL: true }, "0"],
  ["a negative number", { N: "-3" }, "0"],
  ["a fraction below 1", { N: "0.5" }, "0"],
  ["a fraction above 1", { N: "2.5" }, "2"],
  ["a number beyond 2^53", { N: "100000000000000000000" }, "0"],
];

describe.each(STORE_BACKENDS)("records with a resourceVersion the store never issued, on %s", (_b, key) => {
  let store: DynamoResourceStore;
  afterEach(() => store?.destroy());

  it.each(ODD_VERSIONS)(
    "%s: readable, writable once at the version read, then a conflict",
    async (_w, rv, read) => {
      store = await freshStore(endpointOf(key));
      await store.clients.dynamodb.send(
        new PutItemCommand({
          TableName: store.tableName,
          Item: {
            pk: { S: "default" },
            sk: { S: "CloudMapNamespace#odd" },
            kind: { S: "CloudMapNamespace" },
            apiVersion: { S: "fargate-operator/v1alpha1" },
            spec: { M: { dnsName: { S: "odd.internal" } } },
            resourceVersion: rv,
          },
        }),
      );
      const record = await store.get("CloudMapNamespace", "default", "odd");
      expect(record.metadata.resourceVersion).toBe(read);
      const written = await store.updateStatus("CloudMapNamespace", "default", "odd", { seen: true }, read);
      expect(written.metadata.resourceVersion).toBe(String(Number(read) + 1));
      await expect(
        store.updateStatus("CloudMapNamespace", "default", "odd", { seen: false }, read),
      ).rejects.toBeInstanceOf(ConflictError);
      expect((await store.get("CloudMapNamespace", "default", "odd")).status).toEqual({ seen: true });
    },
  );
});
