/** Records written by hand (aws dynamodb put-item, Terraform) read, list and update correctly. */
import { GetItemCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { afterEach, describe, expect, it } from "vitest";
import { specHash } from "../../../src/crds/hash.js";
import type { DynamoResourceStore } from "../../../src/store/dynamo-store.js";
import { ConflictError } from "../../../src/store/errors.js";
import { derivedUid } from "../../../src/store/layout.js";
import { doc, endpointOf, freshStore, STORE_BACKENDS } from "../../support/store-fixtures.js";

/**
 * The minimal hand-written item, exactly as the README documents it:
 *
 *   aws dynamodb put-item --table-name fargate-operator --item '{
 *     "pk":         {"S": "default"},
 *     "sk":         {"S": "CloudMapNamespace#internal"},
 *     "kind":       {"S": "CloudMapNamespace"},
 *     "apiVersion": {"S": "fargate-operator/v1alpha1"},
 *     "spec":       {"M": {"dnsName": {"S": "internal.example.com"}, "vpcId": {"S": "vpc-0123456789abcdef0"}}}
 *   }'
 *
 * pk is the namespace, sk is `<Kind>#<name>`; `name` and `namespace` attributes are optional.
 */
const HAND_WRITTEN_ITEM = {
  pk: { S: "default" },
  sk: { S: "CloudMapNamespace#internal" },
  kind: { S: "CloudMapNamespace" },
  apiVersion: { S: "fargate-operator/v1alpha1" },
  spec: { M: { dnsName: { S: "internal.example.com" }, vpcId: { S: "vpc-0123456789abcdef0" } } },
};
const HAND_WRITTEN_SPEC = { dnsName: "internal.example.com", vpcId: "vpc-0123456789abcdef0" };
const KIND = "CloudMapNamespace";

describe.each(STORE_BACKENDS)("hand-written records on %s", (_backend, endpointKey) => {
  let store: DynamoResourceStore;
  afterEach(() => store?.destroy());

  const putByHand = async (item: Record<string, unknown> = HAND_WRITTEN_ITEM): Promise<void> => {
    await store.clients.dynamodb.send(
      new PutItemCommand({ TableName: store.tableName, Item: item as never }),
    );
  };

  it("reads with derived metadata and is listed", async () => {
    store = await freshStore(endpointOf(endpointKey));
    await putByHand();
    const read = await store.get(KIND, "default", "internal");
    expect(read).toEqual({
      apiVersion: "fargate-operator/v1alpha1",
      kind: KIND,
      metadata: {
        name: "internal",
        namespace: "default",
        uid: derivedUid({ pk: "default", sk: "CloudMapNamespace#internal" }),
        generation: 1,
        resourceVersion: "0",
        finalizers: [],
        labels: {},
        annotations: {},
        ownerReferences: [],
      },
      spec: HAND_WRITTEN_SPEC,
      specHash: specHash(HAND_WRITTEN_SPEC),
    });
    expect(read.metadata.uid).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect((await store.list(KIND)).map((r) => r.metadata.name)).toEqual(["internal"]);
    expect((await store.list(KIND, { namespace: "default" })).map((r) => r.metadata.name)).toEqual([
      "internal",
    ]);
  });

  it("apply of the same spec is unchanged; a new spec updates it and keeps the derived uid", async () => {
    store = await freshStore(endpointOf(endpointKey));
    await putByHand();
    const same = await store.apply(doc(KIND, "internal", HAND_WRITTEN_SPEC));
    expect(same.outcome).toBe("unchanged");
    const changed = await store.apply(doc(KIND, "internal", { ...HAND_WRITTEN_SPEC, description: "x" }));
    expect(changed.outcome).toBe("updated");
    expect(changed.resource.metadata).toMatchObject({
      generation: 2,
      resourceVersion: "1",
      uid: derivedUid({ pk: "default", sk: "CloudMapNamespace#internal" }),
    });
    // creationTimestamp is the controller's to stamp, never a spec writer's.
    expect(changed.resource.metadata.creationTimestamp).toBeUndefined();
    const stamped = await store.stampCreationTimestamp(
      KIND,
      "default",
      "internal",
      "2024-05-01T10:00:00.000Z",
      "1",
    );
    expect(stamped.metadata).toMatchObject({
      creationTimestamp: "2024-05-01T10:00:00.000Z",
      resourceVersion: "2",
    });
    const again = await store.stampCreationTimestamp(
      KIND,
      "default",
      "internal",
      new Date().toISOString(),
      "2",
    );
    expect(again.metadata).toMatchObject({
      creationTimestamp: "2024-05-01T10:00:00.000Z",
      resourceVersion: "2",
    });
  });

  it("status writes on a never-written record condition on the missing resourceVersion", async () => {
    store = await freshStore(endpointOf(endpointKey));
    await putByHand();
    const first = await store.updateStatus(KIND, "default", "internal", { observedGeneration: 1 }, "0");
    expect(first.metadata.resourceVersion).toBe("1");
    expect(first.spec).toEqual(HAND_WRITTEN_SPEC);
    await expect(store.updateStatus(KIND, "default", "internal", {}, "0")).rejects.toBeInstanceOf(
      ConflictError,
    );
  });

  it("a hand edit of spec changes specHash even though generation and the stored hash stay", async () => {
    store = await freshStore(endpointOf(endpointKey));
    const created = await store.create(doc(KIND, "internal", HAND_WRITTEN_SPEC));
    await store.clients.dynamodb.send(
      new UpdateItemCommand({
        TableName: store.tableName,
        Key: { pk: { S: "default" }, sk: { S: "CloudMapNamespace#internal" } },
        UpdateExpression: "SET spec.dnsName = :d",
        ExpressionAttributeValues: { ":d": { S: "other.example.com" } },
      }),
    );
    const read = await store.get(KIND, "default", "internal");
    expect(read.metadata.generation).toBe(1);
    expect(read.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    expect(read.specHash).toBe(specHash({ ...HAND_WRITTEN_SPEC, dnsName: "other.example.com" }));
    expect(read.specHash).not.toBe(created.specHash);
  });

  it("a put-item that replaces a record keeps a derived uid stable across replacements", async () => {
    store = await freshStore(endpointOf(endpointKey));
    await putByHand();
    const before = await store.get(KIND, "default", "internal");
    await putByHand({ ...HAND_WRITTEN_ITEM, spec: { M: { dnsName: { S: "changed.example.com" } } } });
    const after = await store.get(KIND, "default", "internal");
    expect(after.metadata.uid).toBe(before.metadata.uid);
    expect(after.spec).toEqual({ dnsName: "changed.example.com" });
  });

  it("never takes a uid from the item: a uid attribute is only reported as the legacy uid", async () => {
    store = await freshStore(endpointOf(endpointKey));
    const forged = derivedUid({ pk: "a-b", sk: "CloudMapNamespace#c" });
    await putByHand({ ...HAND_WRITTEN_ITEM, uid: { S: forged } });
    const read = await store.get(KIND, "default", "internal");
    expect(read.metadata.uid).toBe(derivedUid({ pk: "default", sk: "CloudMapNamespace#internal" }));
    expect(read.legacyUid).toBe(forged);
  });

  it("create writes nothing a spec writer may not: no uid, creationTimestamp, finalizers or status", async () => {
    store = await freshStore(endpointOf(endpointKey));
    const created = await store.create(doc(KIND, "internal", HAND_WRITTEN_SPEC));
    const raw = await store.clients.dynamodb.send(
      new GetItemCommand({
        TableName: store.tableName,
        Key: { pk: { S: "default" }, sk: { S: "CloudMapNamespace#internal" } },
      }),
    );
    expect(Object.keys(raw.Item ?? {}).sort()).toEqual(
      [
        "annotations",
        "apiVersion",
        "generation",
        "kind",
        "labels",
        "name",
        "namespace",
        "pk",
        "resourceVersion",
        "sk",
        "spec",
        "specHash",
      ].sort(),
    );
    expect(created.metadata.uid).toBe(derivedUid({ pk: "default", sk: "CloudMapNamespace#internal" }));
    expect(created.metadata.creationTimestamp).toBeUndefined();
    // A put-item over the store's record (Terraform's table item) is the same identity.
    await putByHand({ ...HAND_WRITTEN_ITEM, spec: { M: { dnsName: { S: "changed.example.com" } } } });
    expect((await store.get(KIND, "default", "internal")).metadata.uid).toBe(created.metadata.uid);
  });
});
