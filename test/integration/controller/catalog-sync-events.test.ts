/**
 * The sync engine's events (DESIGN §11 "Events"): a CatalogSync that starts syncing, loses Consul and recovers
 * says so in its events, through its status writer's Ready transitions, on DynamoDB Local and the simulators.
 */
import { afterEach, describe, expect, it } from "vitest";
import { OutageMode } from "../../../src/dev/consul-sim/server.js";
import type { EventSink } from "../../../src/events/recorder.js";
import type { InvolvedObject } from "../../../src/store/events.js";
import {
  type CatalogSyncBench,
  catalogSyncDoc,
  conditionOf,
  namespaceDoc,
  startCatalogSyncBench,
} from "./catalog-sync-bench.js";

let bench: CatalogSyncBench | undefined;
afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

describe("CatalogSync events", () => {
  it("records sync started, Consul lost (Warning) and recovered", async () => {
    const seen: Array<{ involved: InvolvedObject; type: string; reason: string; message: string }> = [];
    const events: EventSink = {
      record: (involved, type, reason, message) => seen.push({ involved, type, reason, message }),
    };
    const b = await startCatalogSyncBench({ events });
    bench = b;
    b.consulSim.control.registerService({ name: "vault", port: 8200, address: "10.0.10.5", node: "vault-1" });
    await b.apply(namespaceDoc("apps-internal", "platform", "apps.internal"));
    const reason = async (kind: "CatalogSync" | "CloudMapNamespace", name: string) =>
      conditionOf(await b.read(kind, "platform", name), "Ready")?.reason;
    await b.converge(
      [["CloudMapNamespace", "platform", "apps-internal"]],
      async () => (await reason("CloudMapNamespace", "apps-internal")) === "NamespaceReady",
    );
    await b.apply(
      catalogSyncDoc("apps-internal", "platform", "apps-internal", { toCloudMap: { include: ["vault"] } }),
    );
    const key = ["CatalogSync", "platform", "apps-internal"] as const;
    await b.converge([key], async () => (await reason("CatalogSync", "apps-internal")) === "Syncing");

    await b.consulSim.control.setOutage(OutageMode.LeaderLost);
    await b.converge([key], async () => (await reason("CatalogSync", "apps-internal")) === "SyncFailing");
    await b.consulSim.control.setOutage(OutageMode.None);
    await b.converge([key], async () => (await reason("CatalogSync", "apps-internal")) === "Syncing");

    const ofSync = seen.filter(
      (e) => e.involved.kind === "CatalogSync" && e.involved.name === "apps-internal",
    );
    const story = ofSync.map((e) => `${e.type} ${e.reason}`);
    const syncing = story.indexOf("Normal Syncing");
    const failing = story.indexOf("Warning SyncFailing");
    expect(syncing).toBeGreaterThanOrEqual(0);
    expect(failing).toBeGreaterThan(syncing);
    expect(ofSync[failing]?.message).toMatch(/leader/i); // the Consul error, as the condition says it
    const recovered = ofSync.slice(failing).find((e) => e.reason === "Syncing");
    expect(recovered).toMatchObject({ type: "Normal" });
    expect(recovered?.message).toMatch(/^recovered from SyncFailing: /);
    // The engine's Cloud Map writes are not recorded here (the bench's gateways are not wrapped); the namespace's are
    // its own record's.
    expect(seen.some((e) => e.involved.kind === "CloudMapNamespace" && e.reason === "NamespaceReady")).toBe(
      true,
    );
  });
});
