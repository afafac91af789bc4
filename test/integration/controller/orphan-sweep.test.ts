/**
 * The orphan sweep against the AWS simulator and DynamoDB Local, driven directly: a record the kind index does not
 * list yet (created a moment ago) is never swept, because a consistent read of its key comes first; once the record
 * is really gone, its ECS service, Cloud Map service (instances first) and owned revisions go.
 */
import { DeleteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../../src/log.js";
import { OrphanSweeper } from "../../../src/reconcilers/orphan-sweep/index.js";
import { resourceItemKey } from "../../../src/store/layout.js";
import type { ResourceStore } from "../../../src/store/types.js";
import {
  namespaceDocument,
  REL_CLOUD_MAP,
  REL_NAMESPACE,
  serviceDocument,
} from "../reliability/support/stack.js";
import { isReady, type ReconcileBench, startReconcileBench } from "./reconcile-harness.js";

let bench: ReconcileBench | undefined;
afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

/** The store as the sweep would see it while the kind index lags behind a write: it lists nothing. */
function laggingIndex(store: ResourceStore): ResourceStore {
  const lagging = Object.create(store) as ResourceStore;
  lagging.list = async () => [];
  return lagging;
}

async function owned(b: ReconcileBench) {
  const ecs = await b.aws.ecs.listServiceArns("rel");
  const revisions = await b.aws.ecs.listActiveRevisions("rel-web");
  const cloudMap = (await b.aws.cloudMap.listAccountServices()).map((s) => s.name);
  return { ecs: ecs.length, revisions: revisions.length, cloudMap };
}

describe("orphan sweep", () => {
  it("never sweeps a record the index does not list yet or an invalid item, and sweeps it once it is gone", async () => {
    const b = await startReconcileBench();
    bench = b;
    await b.store.apply(namespaceDocument());
    await b.converge("CloudMapNamespace", REL_NAMESPACE, REL_CLOUD_MAP, isReady);
    await b.store.apply(
      serviceDocument("web", { image: "public.ecr.aws/nginx/nginx:1.27", desiredCount: 2 }),
    );
    await b.converge("FargateService", REL_NAMESPACE, "web", isReady);
    const before = await owned(b);
    expect(before).toEqual({ ecs: 1, revisions: 1, cloudMap: ["web"] });

    const sweep = (store: ResourceStore) =>
      new OrphanSweeper({
        store,
        ecs: b.aws.ecs,
        cloudMap: b.aws.cloudMap,
        clock: b.clock,
        log: silentLogger(),
        mode: "delete",
      }).run(new AbortController().signal);

    const young = await sweep(laggingIndex(b.store));
    expect(young).toMatchObject({ orphanedOwners: [], deleted: [], failed: [] });
    expect(await owned(b)).toEqual(before);

    // A mistyped `kind` makes the item invalid (no kind index lists it), not gone: its service stays.
    const key = resourceItemKey("FargateService", REL_NAMESPACE, "web");
    await b.store.clients.documents.send(
      new UpdateCommand({
        TableName: b.store.tableName,
        Key: key,
        UpdateExpression: "SET #kind = :kind",
        ExpressionAttributeNames: { "#kind": "kind" },
        ExpressionAttributeValues: { ":kind": "CatalogSync" },
      }),
    );
    const mistyped = await sweep(b.store);
    expect(mistyped).toMatchObject({ orphanedOwners: [], deleted: [], failed: [] });
    expect(await owned(b)).toEqual(before);

    await b.store.clients.documents.send(
      new DeleteCommand({
        TableName: b.store.tableName,
        Key: resourceItemKey("FargateService", REL_NAMESPACE, "web"),
      }),
    );
    const swept = await sweep(b.store);
    expect(swept.orphanedOwners).toHaveLength(1);
    expect(swept.failed).toEqual([]);
    expect(swept.deleted.map((d) => d.split(" ")[0]).sort()).toEqual([
      "cloud_map_service",
      "ecs_service",
      "task_definition",
    ]);
    expect(await owned(b)).toEqual({ ecs: 0, revisions: 0, cloudMap: [] });
  });

  it("deregisters the revisions a deletion cut short left behind, once its services are gone", async () => {
    const b = await startReconcileBench();
    bench = b;
    await b.store.apply(namespaceDocument());
    await b.converge("CloudMapNamespace", REL_NAMESPACE, REL_CLOUD_MAP, isReady);
    await b.store.apply(
      serviceDocument("web", { image: "public.ecr.aws/nginx/nginx:1.27", desiredCount: 1 }),
    );
    await b.converge("FargateService", REL_NAMESPACE, "web", isReady);
    // A controller killed mid-cleanup: the item and both services are gone, the revision is still ACTIVE.
    await b.store.clients.documents.send(
      new DeleteCommand({
        TableName: b.store.tableName,
        Key: resourceItemKey("FargateService", REL_NAMESPACE, "web"),
      }),
    );
    const signal = new AbortController().signal;
    await b.aws.ecs.updateService({ cluster: "rel", service: "rel-web", desiredCount: 0 }, signal);
    await b.aws.ecs.deleteService("rel", "rel-web", signal);
    const [cloudMapService] = await b.aws.cloudMap.listAccountServices(signal);
    for (const id of await b.aws.cloudMap.listInstanceIds(cloudMapService?.id ?? "", signal))
      await b.aws.cloudMap.deregisterInstance(cloudMapService?.id ?? "", id, signal);
    await b.clock.advance(60_000);
    await b.aws.cloudMap.deleteService(cloudMapService?.id ?? "", signal);
    expect(await owned(b)).toEqual({ ecs: 0, revisions: 1, cloudMap: [] });

    const swept = await new OrphanSweeper({
      store: b.store,
      ecs: b.aws.ecs,
      cloudMap: b.aws.cloudMap,
      clock: b.clock,
      log: silentLogger(),
      mode: "delete",
    }).run(signal);
    expect(swept.deleted.map((d) => d.split(" ")[0])).toEqual(["task_definition"]);
    expect(await owned(b)).toEqual({ ecs: 0, revisions: 0, cloudMap: [] });
  });
});
