/** The watch: DynamoDB Streams (readers, resume, gaps) and the polling fallback, on DynamoDB Local and moto. */
import { PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { GetRecordsCommand } from "@aws-sdk/client-dynamodb-streams";
import { afterEach, describe, expect, it } from "vitest";
import type { DynamoResourceStore } from "../../../src/store/dynamo-store.js";
import type { WatchEvent, WatchHandle, WatchOptions } from "../../../src/store/types.js";
import { doc, endpointOf, freshStore, STORE_BACKENDS, waitFor } from "../../support/store-fixtures.js";

const SERVICE = "FargateService";

/** Collects what a watch reports. */
class Recorder {
  readonly events: WatchEvent[] = [];
  readonly gaps: string[] = [];
  readonly errors: Error[] = [];
  readonly handlers = {
    onEvent: (event: WatchEvent) => this.events.push(event),
    onGap: (reason: string) => this.gaps.push(reason),
    onError: (error: Error) => this.errors.push(error),
  };

  /** Short summaries, e.g. `modified web spec` / `modified web status`. */
  summary(): string[] {
    return this.events.map(
      (e) =>
        `${e.type} ${e.resource.metadata.name}${e.type === "modified" ? (e.statusOnly ? " status" : " spec") : ""}`,
    );
  }

  async waitForCount(count: number, what: string): Promise<void> {
    await waitFor(
      () => (this.events.length >= count ? true : undefined),
      `${what} (have ${this.summary().join(", ")})`,
    );
  }
}

/** Makes the next GetRecords calls fail with the given SDK error names, once each. */
function injectStreamErrors(store: DynamoResourceStore, names: string[]): void {
  const client = store.clients.streams as unknown as {
    send: (command: unknown, options?: unknown) => Promise<unknown>;
  };
  const original = client.send.bind(client);
  client.send = async (command, options) => {
    const name = command instanceof GetRecordsCommand ? names.shift() : undefined;
    if (name) throw Object.assign(new Error(`injected ${name}`), { name });
    return await original(command, options);
  };
}

describe.each(STORE_BACKENDS)("stream watch on %s", (_backend, endpointKey) => {
  let store: DynamoResourceStore;
  let handle: WatchHandle | undefined;
  afterEach(async () => {
    await handle?.stop();
    handle = undefined;
    store?.destroy();
  });

  const watch = async (recorder: Recorder, options: WatchOptions = {}): Promise<WatchHandle> => {
    handle = await store.watch(recorder.handlers, { pollIntervalMs: 50, ...options });
    return handle;
  };

  it("reports added, spec and status-only changes, and deletes; skips leases and unwatched kinds", async () => {
    store = await freshStore(endpointOf(endpointKey));
    const recorder = new Recorder();
    expect((await watch(recorder, { kinds: [SERVICE, "CloudMapNamespace"] })).mode).toBe("stream");

    const created = await store.create(doc(SERVICE, "web", { cluster: "c1" }));
    const applied = await store.apply(doc(SERVICE, "web", { cluster: "c2" }));
    await store.updateStatus(SERVICE, "default", "web", { observedGeneration: 2 }, "2");
    await store.apply(doc(SERVICE, "web", { cluster: "c2" }, { labels: { a: "b" } }));
    await store.leases.acquireLease("controller", "me", 10_000, null);
    await store.create(doc("CatalogSync", "sync", {}));
    await store.delete(SERVICE, "default", "web");
    await recorder.waitForCount(5, "five events");

    expect(recorder.summary()).toEqual([
      "added web",
      "modified web spec",
      "modified web status",
      "modified web spec",
      "deleted web",
    ]);
    const [added, specChange, , , deleted] = recorder.events;
    expect(added?.resource).toEqual(created);
    expect(specChange?.resource).toEqual(applied.resource);
    expect(specChange?.old).toEqual(created);
    expect(deleted?.resource.metadata.labels).toEqual({ a: "b" });
    expect(recorder.events.every((e) => e.kind === SERVICE && e.approximateCreationTime > 0)).toBe(true);
    expect(recorder.gaps).toEqual([]);
    expect(recorder.errors).toEqual([]);
  });

  it("gives a deleted record's old image whole, empty maps included (cleanup starts from it)", async () => {
    store = await freshStore(endpointOf(endpointKey));
    const recorder = new Recorder();
    await watch(recorder);
    const spec = { discovery: { consul: { register: true, meta: {}, tags: [] } }, labels: {} };
    const created = await store.create(doc(SERVICE, "empty-maps", spec));
    await store.delete(SERVICE, "default", "empty-maps");
    await recorder.waitForCount(2, "added and deleted");
    const deleted = recorder.events.find((e) => e.type === "deleted");
    expect(deleted?.resource.spec).toEqual(spec);
    expect(deleted?.resource.specHash).toBe(created.specHash);
  });

  it("sees hand-written spec changes by their hash", async () => {
    store = await freshStore(endpointOf(endpointKey));
    const recorder = new Recorder();
    await watch(recorder);
    const Key = { pk: { S: "default" }, sk: { S: "FargateService#hand" } };
    await store.clients.dynamodb.send(
      new PutItemCommand({
        TableName: store.tableName,
        Item: {
          ...Key,
          kind: { S: SERVICE },
          apiVersion: { S: "fargate-operator/v1alpha1" },
          spec: { M: {} },
        },
      }),
    );
    const update = async (attribute: string): Promise<void> => {
      await store.clients.dynamodb.send(
        new UpdateItemCommand({
          TableName: store.tableName,
          Key,
          UpdateExpression: "SET #a = :v",
          ExpressionAttributeNames: { "#a": attribute },
          ExpressionAttributeValues: { ":v": { M: { cluster: { S: "c9" } } } },
        }),
      );
    };
    await update("spec");
    await update("status");
    await recorder.waitForCount(3, "three events");
    expect(recorder.summary()).toEqual(["added hand", "modified hand spec", "modified hand status"]);
    expect(recorder.events[1]?.resource.metadata.resourceVersion).toBe("0");
  });

  it("resumes after an expired iterator from the last sequence number, losing and repeating nothing", async () => {
    store = await freshStore(endpointOf(endpointKey));
    const recorder = new Recorder();
    await watch(recorder);
    await store.create(doc(SERVICE, "one", {}));
    await recorder.waitForCount(1, "the first event");
    injectStreamErrors(store, ["ExpiredIteratorException"]);
    await store.create(doc(SERVICE, "two", {}));
    await store.create(doc(SERVICE, "three", {}));
    await recorder.waitForCount(3, "three events");
    await store.create(doc(SERVICE, "four", {}));
    await recorder.waitForCount(4, "four events");
    expect(recorder.summary()).toEqual(["added one", "added two", "added three", "added four"]);
    expect(recorder.gaps).toEqual([]);
  });

  it("reports trimmed data as a gap and keeps following from the tip", async () => {
    store = await freshStore(endpointOf(endpointKey));
    const recorder = new Recorder();
    await watch(recorder);
    injectStreamErrors(store, ["TrimmedDataAccessException"]);
    await waitFor(() => recorder.gaps[0], "a gap");
    expect(recorder.gaps[0]).toMatch(/TrimmedDataAccessException/);
    await store.create(doc(SERVICE, "after-gap", {}));
    await recorder.waitForCount(1, "an event after the gap");
    expect(recorder.summary()).toEqual(["added after-gap"]);
  });

  it("replays from the trim horizon when asked, and stops through an AbortSignal", async () => {
    store = await freshStore(endpointOf(endpointKey));
    await store.create(doc(SERVICE, "early", {}));
    const recorder = new Recorder();
    const controller = new AbortController();
    const own = await store.watch(recorder.handlers, {
      pollIntervalMs: 50,
      from: "trimHorizon",
      signal: controller.signal,
    });
    await recorder.waitForCount(1, "the replayed event");
    expect(recorder.summary()).toEqual(["added early"]);
    controller.abort();
    await own.stop();
    await store.create(doc(SERVICE, "late", {}));
    // A fresh watch from the tip sees later writes; the stopped one reports nothing more.
    const next = new Recorder();
    await watch(next);
    await store.create(doc(SERVICE, "later", {}));
    await next.waitForCount(1, "the later event");
    expect(next.summary()).toEqual(["added later"]);
    expect(recorder.summary()).toEqual(["added early"]);
  });
});

describe.each(STORE_BACKENDS)("polling watch fallback on %s", (_backend, endpointKey) => {
  let store: DynamoResourceStore;
  let handle: WatchHandle | undefined;
  afterEach(async () => {
    await handle?.stop();
    handle = undefined;
    store?.destroy();
  });

  it("lists and diffs when the table has no stream", async () => {
    store = await freshStore(endpointOf(endpointKey), { stream: false });
    await store.create(doc(SERVICE, "before", {}));
    const recorder = new Recorder();
    handle = await store.watch(recorder.handlers, { pollIntervalMs: 50 });
    expect(handle.mode).toBe("poll");

    await store.create(doc(SERVICE, "web", { cluster: "c1" }));
    await recorder.waitForCount(1, "added");
    await store.apply(doc(SERVICE, "web", { cluster: "c2" }));
    await recorder.waitForCount(2, "spec change");
    await store.updateStatus(SERVICE, "default", "web", { observedGeneration: 2 }, "2");
    await recorder.waitForCount(3, "status change");
    await store.delete(SERVICE, "default", "web");
    await recorder.waitForCount(4, "delete");
    expect(recorder.summary()).toEqual([
      "added web",
      "modified web spec",
      "modified web status",
      "deleted web",
    ]);
    expect(recorder.errors).toEqual([]);
  });
});
