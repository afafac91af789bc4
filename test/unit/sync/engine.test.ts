import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/clock.js";
import { silentLogger } from "../../../src/log.js";
import type { SyncConsulClient } from "../../../src/sync/index.js";
import { createSyncEngine, SyncConfigError } from "../../../src/sync/index.js";
import type { SyncEngineConfig } from "../../../src/sync/types.js";
import { FakeCloudMap } from "../../support/fake-cloud-map.js";
import { ALL, OWNER } from "./fixtures.js";

const config: SyncEngineConfig = {
  owner: OWNER,
  cloudMapNamespace: { id: "ns-1", dnsName: "prod.internal" },
  toCloudMap: ALL,
  toConsul: ALL,
  pollIntervalMs: 1_000,
  deleteGraceMs: 30_000,
};
const deps = () => ({
  consul: {} as SyncConsulClient,
  cloudMap: new FakeCloudMap(),
  clock: new ManualClock(),
  log: silentLogger(),
});

describe("createSyncEngine", () => {
  it("refuses settings that cannot work", () => {
    expect(() => createSyncEngine({ ...config, pollIntervalMs: 0 }, deps())).toThrow(SyncConfigError);
    expect(() => createSyncEngine({ ...config, deleteGraceMs: -1 }, deps())).toThrow(SyncConfigError);
    expect(() => createSyncEngine({ ...config, dnsTtlSeconds: 1.5 }, deps())).toThrow(SyncConfigError);
  });

  it("reports not writing before start, and stops cleanly without having started", async () => {
    const engine = createSyncEngine(config, deps());
    expect(engine.report()).toEqual({
      writer: false,
      toCloudMap: [],
      toConsul: [],
      errors: {},
      writes: { toCloudMap: 0, toConsul: 0 },
    });
    await engine.stop();
    expect(engine.report().writer).toBe(false);
  });
});
