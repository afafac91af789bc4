/** The README's hand-written put-item works as printed: the record reads, validates and lists like any other. */
import { readFile } from "node:fs/promises";
import { DynamoDBClient, PutItemCommand, type PutItemCommandInput } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { validateDocument } from "../../src/crds/index.js";
import { endpointOf, freshStore, TEST_CREDENTIALS, TEST_REGION } from "../support/store-fixtures.js";

/** The JSON inside the README's `aws dynamodb put-item --item '…'` example. */
async function readmeItem(): Promise<NonNullable<PutItemCommandInput["Item"]>> {
  const readme = await readFile("README.md", "utf8");
  const match = /put-item --table-name fargate-operator --item '([\s\S]*?)'\n```/.exec(readme);
  if (!match?.[1]) throw new Error("README has no put-item example");
  return JSON.parse(match[1]) as NonNullable<PutItemCommandInput["Item"]>;
}

describe.each([["dynamodb-local"], ["moto"]] as const)("README put-item on %s", (backend) => {
  it("reads back as a valid FargateService with store-filled metadata", async () => {
    const endpoint = endpointOf(backend === "moto" ? "motoEndpoint" : "dynamodbLocalEndpoint");
    const store = await freshStore(endpoint);
    const client = new DynamoDBClient({ endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
    try {
      const table = store.tableName;
      await client.send(new PutItemCommand({ TableName: table, Item: await readmeItem() }));
      const record = await store.get("FargateService", "default", "web");
      expect(record.metadata).toMatchObject({
        name: "web",
        namespace: "default",
        generation: 1,
        resourceVersion: "0",
      });
      expect(record.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(
        (await store.list("FargateService", { namespace: "default" })).map((r) => r.metadata.name),
      ).toEqual(["web"]);
      const checked = validateDocument({
        apiVersion: record.apiVersion,
        kind: record.kind,
        metadata: { name: "web" },
        spec: record.spec,
      });
      expect(checked.ok).toBe(true);
      const applied = await store.apply({
        apiVersion: record.apiVersion,
        kind: "FargateService",
        metadata: { name: "web" },
        spec: { ...record.spec, desiredCount: 2 },
      });
      expect(applied.outcome).toBe("updated");
      expect(applied.resource.metadata.uid).toBe(record.metadata.uid);
    } finally {
      client.destroy();
    }
  });
});
