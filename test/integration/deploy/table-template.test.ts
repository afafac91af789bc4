/**
 * deploy/table.cfn.yaml describes the same table `fargatectl table create` makes: a table created by the code on
 * DynamoDB Local has exactly the template's keys, attribute types, index, stream and TTL.
 */
import { readFileSync } from "node:fs";
import { DescribeTableCommand, DescribeTimeToLiveCommand } from "@aws-sdk/client-dynamodb";
import { describe, expect, inject, it } from "vitest";
import { parse } from "yaml";
import { freshStore } from "../../support/store-fixtures.js";

interface TableProperties {
  BillingMode: string;
  AttributeDefinitions: Array<{ AttributeName: string; AttributeType: string }>;
  KeySchema: Array<{ AttributeName: string; KeyType: string }>;
  GlobalSecondaryIndexes: Array<{
    IndexName: string;
    KeySchema: Array<{ AttributeName: string; KeyType: string }>;
    Projection: { ProjectionType: string };
  }>;
  StreamSpecification: { StreamViewType: string };
  TimeToLiveSpecification: { AttributeName: string; Enabled: boolean };
}

const template = parse(readFileSync(new URL("../../../deploy/table.cfn.yaml", import.meta.url), "utf8")) as {
  Resources: { Table: { Properties: TableProperties } };
};
const expected = template.Resources.Table.Properties;

describe("deploy/table.cfn.yaml", () => {
  it("matches the table the store creates", async () => {
    const store = await freshStore(inject("dynamodbLocalEndpoint"));
    try {
      const { Table } = await store.clients.dynamodb.send(
        new DescribeTableCommand({ TableName: store.tableName }),
      );
      const byName = <T extends { AttributeName?: string | undefined }>(list: T[] | undefined) =>
        [...(list ?? [])].sort((a, b) => String(a.AttributeName).localeCompare(String(b.AttributeName)));
      expect(byName(Table?.AttributeDefinitions)).toEqual(byName(expected.AttributeDefinitions));
      expect(Table?.KeySchema).toEqual(expected.KeySchema);
      expect(Table?.BillingModeSummary?.BillingMode ?? "PAY_PER_REQUEST").toBe(expected.BillingMode);
      const index = Table?.GlobalSecondaryIndexes?.map((g) => ({
        IndexName: g.IndexName,
        KeySchema: g.KeySchema,
        Projection: { ProjectionType: g.Projection?.ProjectionType },
      }));
      expect(index).toEqual(expected.GlobalSecondaryIndexes);
      expect(Table?.StreamSpecification?.StreamViewType).toBe(expected.StreamSpecification.StreamViewType);
      const ttl = await store.clients.dynamodb.send(
        new DescribeTimeToLiveCommand({ TableName: store.tableName }),
      );
      expect(ttl.TimeToLiveDescription?.AttributeName).toBe(expected.TimeToLiveSpecification.AttributeName);
    } finally {
      store.destroy();
    }
  });
});
