import { describe, expect, it } from "vitest";
import type { EventSink } from "../../../src/events/recorder.js";
import { recordEvent, recordStatusEvents, withEvents } from "../../../src/events/scope.js";
import { silentLogger } from "../../../src/log.js";
import { CreationTimestamps } from "../../../src/runtime/creation-timestamps.js";
import { PermanentError } from "../../../src/runtime/errors.js";
import type { KindReconciler } from "../../../src/runtime/reconciler.js";
import { done } from "../../../src/runtime/result.js";

function sinkOf(seen: string[]): EventSink {
  return {
    record: (involved, type, reason, message) =>
      seen.push(`${involved.kind}/${involved.namespace}/${involved.name} ${type} ${reason}: ${message}`),
  };
}

const context = {
  log: silentLogger(),
  reconcileId: "t",
  cache: { get: () => undefined, list: () => [] },
  retries: 0,
  creationTimestamps: new CreationTimestamps(),
};

describe("withEvents", () => {
  it("files what a pass records under its record, and nothing outside a pass", async () => {
    const seen: string[] = [];
    const reconciler: KindReconciler = {
      kind: "FargateService",
      reconcile: async () => {
        await Promise.resolve();
        recordEvent("Normal", "ServiceCreated", "created");
        return done();
      },
    };
    await withEvents(reconciler, sinkOf(seen)).reconcile(
      "FargateService/team-a/web",
      new AbortController().signal,
      context,
    );
    recordEvent("Normal", "Outside", "nobody hears this");
    recordStatusEvents({ kind: "FargateService", namespace: "team-a", name: "web" }, undefined, {
      conditions: [{ type: "Ready", status: "True", reason: "Ready", message: "" }],
    });
    expect(seen).toEqual(["FargateService/team-a/web Normal ServiceCreated: created"]);
  });

  it("says a permanent failure as a Warning and still throws it to the runtime", async () => {
    const seen: string[] = [];
    const reconciler: KindReconciler = {
      kind: "CloudMapNamespace",
      reconcile: async () => {
        throw new PermanentError("InvalidSpec", "spec.dnsName: not a DNS name");
      },
    };
    const wrapped = withEvents(reconciler, sinkOf(seen));
    await expect(
      wrapped.reconcile("CloudMapNamespace/default/bad", new AbortController().signal, context),
    ).rejects.toBeInstanceOf(PermanentError);
    expect(seen).toEqual(["CloudMapNamespace/default/bad Warning InvalidSpec: spec.dnsName: not a DNS name"]);
  });
});
