/**
 * Items filed like records that are not (put-item with a bad key, a kind that disagrees with sk, too large for a
 * status), through every read path of the store on DynamoDB Local: list leaves them out and reports them, get
 * refuses them with the reason, the stream and the poller report them and never take an overwritten record
 * for deleted, and a status can be written onto those the store addresses when there is room.
 */
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, describe, expect, it } from "vitest";
import { API_VERSION } from "../../../src/crds/meta.js";
import type { DynamoResourceStore } from "../../../src/store/dynamo-store.js";
import { InvalidItemError } from "../../../src/store/errors.js";
import { itemSize } from "../../../src/store/layout.js";
import type { InvalidItem, WatchEvent, WatchHandle } from "../../../src/store/types.js";
import { doc, endpointOf, freshStore, waitFor } from "../../support/store-fixtures.js";

const KIND = "CloudMapNamespace";
const spec = { dnsName: "apps.internal", vpcId: "vpc-1" };
const raw = (pk: string, sk: string, extra: Record<string, unknown> = {}) => ({
  pk,
  sk,
  kind: KIND,
  apiVersion: API_VERSION,
  spec,
  ...extra,
});
/** `item` padded to about `kb` KB. */
const sized = (item: Record<string, unknown>, kb: number) => ({
  ...item,
  pad: "x".repeat(kb * 1024 - itemSize({ ...item, pad: "" })),
});

let store: DynamoResourceStore | undefined;
let handle: WatchHandle | undefined;
afterEach(async () => {
  await handle?.stop();
  handle = undefined;
  store?.destroy();
});

async function setUp(stream: boolean) {
  const s = await freshStore(endpointOf("dynamodbLocalEndpoint"), { stream });
  store = s;
  const documents = DynamoDBDocumentClient.from(s.clients.dynamodb);
  const put = (item: Record<string, unknown>) =>
    documents.send(new PutCommand({ TableName: s.tableName, Item: item }));
  return { s, documents, put };
}

describe("invalid items on DynamoDB Local", () => {
  it("list leaves them out and reports each; get refuses them with the reason", async () => {
    const { s, put } = await setUp(true);
    await s.create(doc(KIND, "good", spec));
    await put(raw("default", `${KIND}#has.dot`));
    await put(raw("Default", `${KIND}#upper`));
    await put(raw("default", `${KIND}#${"n".repeat(300)}`));
    await put(raw("default", "FargateService#mismatch")); // filed as a FargateService, kind says otherwise
    await put(sized(raw("default", `${KIND}#huge`), 399));
    const reported: InvalidItem[] = [];
    const listed = await s.list(KIND, { onInvalidItem: (item) => reported.push(item) });
    expect(listed.map((r) => r.metadata.name)).toEqual(["good"]);
    expect(reported.map((i) => [i.sk.slice(0, 40), i.reason, i.addressable]).sort()).toEqual(
      [
        [`${KIND}#has.dot`, "UnaddressableKey", false],
        [`${KIND}#upper`, "UnaddressableKey", false],
        [`${KIND}#${"n".repeat(300)}`.slice(0, 40), "UnaddressableKey", false],
        ["FargateService#mismatch", "KindMismatch", true],
        [`${KIND}#huge`, "ItemTooLarge", true],
      ].sort(),
    );
    await expect(s.get(KIND, "default", "huge")).rejects.toThrow(InvalidItemError);
    await expect(s.get("FargateService", "default", "mismatch")).rejects.toMatchObject({
      item: { reason: "KindMismatch", kind: "FargateService" },
    });
  });

  it("a status is written onto an addressable invalid item when it has room, and refused when not", async () => {
    const { s, documents, put } = await setUp(true);
    await put(raw("default", "FargateService#mismatch", { status: { keep: "me" } }));
    await put(sized(raw("default", `${KIND}#huge`), 399));
    const read = (sk: string) =>
      documents.send(
        new GetCommand({ TableName: s.tableName, Key: { pk: "default", sk }, ConsistentRead: true }),
      );
    const invalid = async (kind: "FargateService" | typeof KIND, name: string) =>
      ((await s.get(kind, "default", name).catch((e: unknown) => e)) as InvalidItemError).item;
    const mismatch = await invalid("FargateService", "mismatch");
    expect(await s.updateInvalidItemStatus(mismatch, { keep: "me", why: "KindMismatch" })).toBe(true);
    expect((await read("FargateService#mismatch")).Item).toMatchObject({
      status: { keep: "me", why: "KindMismatch" },
      resourceVersion: 1,
      kind: KIND,
    });
    // Stale: the item moved on since it was read.
    await expect(s.updateInvalidItemStatus(mismatch, { why: "again" })).rejects.toThrow(/changed/);
    const huge = await invalid(KIND, "huge");
    expect(await s.updateInvalidItemStatus(huge, { why: "ItemTooLarge" })).toBe(false);
    expect((await read(`${KIND}#huge`)).Item?.status).toBeUndefined();
  });

  it.each([
    ["the stream", true],
    ["the poller", false],
  ])("%s reports them, and never takes a record overwritten by one for deleted", async (_what, stream) => {
    const { s, put } = await setUp(stream);
    const events: WatchEvent[] = [];
    const invalid: Array<[string, string, string]> = [];
    handle = await s.watch(
      {
        onEvent: (e) => events.push(e),
        onGap: () => undefined,
        onInvalidItem: (item, change) => invalid.push([item.name, item.reason, change]),
      },
      { pollIntervalMs: 100 },
    );
    expect(handle.mode).toBe(stream ? "stream" : "poll");
    const created = await s.create(doc(KIND, "apps", spec));
    await waitFor(() => (events.length >= 1 ? true : undefined), "the create");
    // Terraform-style put-item over the record, with the kind attribute misspelt (so no kind index lists it).
    await put({ ...raw("default", `${KIND}#apps`), kind: "CloudMapNamespaces", uid: created.metadata.uid });
    await put(raw("default", `${KIND}#a.b`));
    await waitFor(() => (invalid.length >= 2 ? true : undefined), "both reports");
    await put(raw("default", `${KIND}#apps`)); // put right again
    await waitFor(() => (events.length >= 2 ? true : undefined), "the record again");
    await s.delete(KIND, "default", "apps");
    await waitFor(() => (events.length >= 3 ? true : undefined), "the deletion");
    // The overwrite is no deletion; the record put right again is added back; only the real delete deletes.
    expect(events.map((e) => `${e.type} ${e.resource.metadata.name}`)).toEqual([
      "added apps",
      "added apps",
      "deleted apps",
    ]);
    expect(invalid.sort()).toEqual(
      [
        ["apps", "KindMismatch", "present"],
        ["a.b", "UnaddressableKey", "present"],
      ].sort(),
    );
  });
});
