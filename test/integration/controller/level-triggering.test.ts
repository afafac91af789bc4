/** Level-triggering on a real table and stream: many rapid writes collapse into a few passes. */
import { afterEach, describe, expect, it } from "vitest";
import { parseResourceKey } from "../../../src/crds/meta.js";
import { silentLogger } from "../../../src/log.js";
import { Manager } from "../../../src/runtime/manager.js";
import { done } from "../../../src/runtime/result.js";
import type { DynamoResourceStore } from "../../../src/store/dynamo-store.js";
import { doc, endpointOf, freshStore, STORE_BACKENDS } from "../../support/store-fixtures.js";
import { testSettings, until } from "./support.js";

/** How long each stub pass takes. */
const PASS_MS = 300;

describe.each(STORE_BACKENDS)("level-triggering on %s", (backend, endpointKey) => {
  let store: DynamoResourceStore | undefined;
  let manager: Manager | undefined;
  afterEach(async () => {
    await manager?.stop();
    store?.destroy();
  });

  it("100 rapid writes to one record cause a handful of passes, and the last pass sees the last spec", async () => {
    const s = await freshStore(endpointOf(endpointKey));
    store = s;
    const seen: string[] = [];
    manager = new Manager({
      store: s,
      leases: s.leases,
      reconcilers: [
        {
          kind: "CloudMapNamespace",
          reconcile: async (key) => {
            const { namespace, name } = parseResourceKey(key);
            const record = await s.get("CloudMapNamespace", namespace, name);
            await new Promise((r) => setTimeout(r, PASS_MS)); // a pass that talks to AWS takes a while
            seen.push(String(record.spec.dnsName));
            return done();
          },
        },
      ],
      settings: testSettings("solo", "level"),
      log: silentLogger(),
    });
    await manager.start();
    await manager.waitForSync();
    await until(() => manager?.isLeader === true, "leadership");

    const spec = (i: number) => ({ dnsName: `v${i}.internal`, vpcId: "vpc-1" });
    const writesStarted = performance.now();
    await s.create(doc("CloudMapNamespace", "busy", spec(0)));
    for (let i = 1; i <= 100; i++) await s.apply(doc("CloudMapNamespace", "busy", spec(i)));
    const writesMs = performance.now() - writesStarted;
    await until(() => seen.at(-1) === "v100.internal", "a pass that sees the last spec");
    // Let any straggling events arrive; they must not cause a pass that sees an older spec.
    await new Promise((r) => setTimeout(r, 1000));
    console.log(
      `level-triggering on ${backend}: 101 writes in ${Math.round(writesMs)} ms caused ${seen.length} passes of ${PASS_MS} ms`,
    );
    expect(seen.at(-1)).toBe("v100.internal");
    // Passes of one key never overlap, so while writes go on at most one pass per PASS_MS starts; after the
    // last write: the pass in flight, one for the key marked dirty meanwhile, one for a late stream batch.
    expect(seen.length).toBeLessThanOrEqual(Math.ceil(writesMs / PASS_MS) + 3);
  });
});
