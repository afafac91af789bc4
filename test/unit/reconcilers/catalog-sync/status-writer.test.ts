/**
 * The status writer: a report that changes what is mirrored is written at once with the Ready trio; one that only
 * moves times waits for the heartbeat; a conflict re-reads and writes again; another generation gets no
 * conditions; a record of another uid (configured for another key) or being deleted is left alone.
 */
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../../src/clock.js";
import { API_VERSION } from "../../../../src/crds/meta.js";
import { silentLogger } from "../../../../src/log.js";
import { SyncStatusWriter } from "../../../../src/reconcilers/catalog-sync/status-writer.js";
import { ConflictError } from "../../../../src/store/errors.js";
import { derivedUid } from "../../../../src/store/layout.js";
import type { StoredResource } from "../../../../src/store/types.js";
import type { SyncReport } from "../../../../src/sync/types.js";
import { FakeStore } from "../../../support/fake-store.js";

const DIRECTION = { enabled: true, include: [], exclude: [], prefix: "" };

function report(overrides: Partial<SyncReport> = {}): SyncReport {
  return {
    writer: true,
    toCloudMap: [],
    toConsul: [
      { cloudMapServiceId: "srv-1", cloudMapName: "web", consulName: "web", instances: 2, passing: 2 },
    ],
    lastSyncToCloudMap: "2025-01-01T00:00:00.000Z",
    lastSyncToConsul: "2025-01-01T00:00:00.000Z",
    errors: {},
    writes: { toCloudMap: 0, toConsul: 2 },
    ...overrides,
  };
}

async function setup(generation = 1, ownerUid?: string) {
  const clock = new ManualClock();
  const store = new FakeStore(() => clock.now());
  const record = await store.create({
    apiVersion: API_VERSION,
    kind: "CatalogSync",
    metadata: { name: "apps", namespace: "platform" },
    spec: { cloudMapNamespaceRef: { name: "apps-internal" } },
  });
  const writer = new SyncStatusWriter({
    store,
    owner: { uid: ownerUid ?? record.metadata.uid, namespace: "platform", name: "apps" },
    generation,
    spec: { toCloudMap: DIRECTION, toConsul: DIRECTION },
    clock,
    log: silentLogger(),
    heartbeatMs: 30_000,
  });
  const read = () => store.get("CatalogSync", "platform", "apps");
  return { clock, store, writer, read, record };
}

const ready = (r: StoredResource) =>
  (r.status?.conditions as Array<{ type: string; status: string; reason: string }> | undefined)?.find(
    (c) => c.type === "Ready",
  );

describe("SyncStatusWriter", () => {
  it("writes a report that changes what is mirrored at once, with Ready", async () => {
    const t = await setup();
    t.writer.report(report());
    await t.clock.advance(0);
    await t.writer.flush();
    const record = await t.read();
    expect(record.status?.sync).toMatchObject({ writer: true, toConsul: [{ cloudMapServiceId: "srv-1" }] });
    expect(ready(record)).toMatchObject({ status: "True", reason: "Syncing" });
  });

  it("holds a report that only moves sync times until the heartbeat", async () => {
    const t = await setup();
    t.writer.report(report());
    await t.clock.advance(0);
    await t.writer.flush();
    const writes = t.store.calls.updateStatus;
    t.writer.report(report({ lastSyncToConsul: "2025-01-01T00:00:05.000Z" }));
    await t.clock.advance(10_000);
    expect(t.store.calls.updateStatus).toBe(writes);
    await t.clock.advance(20_000);
    await t.writer.flush();
    expect(t.store.calls.updateStatus).toBe(writes + 1);
    expect((await t.read()).status?.sync).toMatchObject({ lastSyncToConsul: "2025-01-01T00:00:05.000Z" });
  });

  it("says SyncFailing while a direction fails", async () => {
    const t = await setup();
    t.writer.report(report({ errors: { toCloudMap: "Cloud Map throttled" } }));
    await t.clock.advance(0);
    await t.writer.flush();
    expect(ready(await t.read())).toMatchObject({ status: "False", reason: "SyncFailing" });
  });

  it("carries the count of skipped entries into the status", async () => {
    const t = await setup();
    const skipped =
      'Consul web instance web-2 on "b-nöde": attribute consul-node value is not printable ASCII';
    t.writer.report(report({ errors: { toCloudMap: skipped }, skipped: { toCloudMap: 1 } }));
    await t.clock.advance(0);
    await t.writer.flush();
    expect((await t.read()).status?.sync).toMatchObject({
      skipped: { toCloudMap: 1 },
      errors: { toCloudMap: skipped },
    });
    t.writer.report(report());
    await t.clock.advance(0);
    await t.writer.flush();
    expect((await t.read()).status?.sync).not.toHaveProperty("skipped");
  });

  it("re-reads and writes again after a conflict", async () => {
    const t = await setup();
    t.store.failNext("updateStatus", new ConflictError("moved on", undefined));
    t.writer.report(report());
    await t.clock.advance(0);
    await t.writer.flush();
    expect((await t.read()).status?.sync).toBeDefined();
  });

  it("writes no conditions for a generation the engine does not run", async () => {
    const t = await setup(7);
    t.writer.report(report());
    await t.clock.advance(0);
    await t.writer.flush();
    const record = await t.read();
    expect(record.status?.sync).toBeDefined();
    expect(ready(record)).toBeUndefined();
  });

  it("leaves a record of another uid alone", async () => {
    // uids are derived from keys, so a writer configured with another key's uid never writes this record.
    const t = await setup(1, derivedUid({ pk: "other", sk: "CatalogSync#apps" }));
    t.writer.report(report());
    await t.clock.advance(0);
    await t.writer.flush();
    expect((await t.read()).status?.sync).toBeUndefined();
  });

  it("leaves a record that is being deleted alone", async () => {
    const t = await setup();
    await t.store.addFinalizer("CatalogSync", "platform", "apps", "fargate-operator/cleanup", "1");
    await t.store.delete("CatalogSync", "platform", "apps");
    t.writer.report(report());
    await t.clock.advance(0);
    await t.writer.flush();
    expect((await t.read()).status?.sync).toBeUndefined();
  });
});
