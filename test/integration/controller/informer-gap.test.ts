/** The informer relists after a stream gap, on DynamoDB Local and moto. */
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../../src/clock.js";
import type { ResourceKey } from "../../../src/crds/meta.js";
import { silentLogger } from "../../../src/log.js";
import { InformerSet } from "../../../src/runtime/informer-set.js";
import { Priority } from "../../../src/runtime/workqueue.js";
import type { DynamoResourceStore } from "../../../src/store/dynamo-store.js";
import { doc, endpointOf, freshStore, STORE_BACKENDS } from "../../support/store-fixtures.js";
import { until, withGapControl } from "./support.js";

const spec = (dns: string) => ({ dnsName: dns, vpcId: "vpc-1" });

describe.each(STORE_BACKENDS)("informer on %s", (_backend, endpointKey) => {
  let store: DynamoResourceStore | undefined;
  let informers: InformerSet | undefined;
  afterEach(async () => {
    await informers?.stop();
    store?.destroy();
  });

  it("follows the stream, then relists after a gap and catches up on what the stream lost", async () => {
    const s = await freshStore(endpointOf(endpointKey));
    store = s;
    await s.create(doc("CloudMapNamespace", "keep", spec("keep.internal")));
    await s.create(doc("CloudMapNamespace", "change", spec("before.internal")));
    await s.create(doc("CloudMapNamespace", "remove", spec("remove.internal")));
    const gapped = withGapControl(s);
    const keys: Array<[ResourceKey, Priority]> = [];
    informers = new InformerSet({
      store: gapped.store,
      kinds: ["CloudMapNamespace"],
      clock: systemClock,
      log: silentLogger(),
      resyncPeriodMs: 0,
      resyncJitter: 0,
      watchPollIntervalMs: 100,
    });
    const informer = informers.informer("CloudMapNamespace");
    informer.addHandler((key, priority) => keys.push([key, priority]));
    await informers.start();
    expect(informer.keys().sort()).toEqual([
      "CloudMapNamespace/default/change",
      "CloudMapNamespace/default/keep",
      "CloudMapNamespace/default/remove",
    ]);

    // The stream delivers a change:
    await s.create(doc("CloudMapNamespace", "streamed", spec("streamed.internal")));
    await until(
      () => informer.get("CloudMapNamespace/default/streamed") !== undefined,
      "the streamed record",
    );

    // Then loses some:
    keys.length = 0;
    gapped.dropping.value = true;
    await s.apply(doc("CloudMapNamespace", "change", spec("after.internal")));
    await s.delete("CloudMapNamespace", "default", "remove");
    await s.create(doc("CloudMapNamespace", "added", spec("added.internal")));
    await new Promise((r) => setTimeout(r, 800));
    expect(informer.get("CloudMapNamespace/default/change")?.spec.dnsName).toBe("before.internal");
    gapped.dropping.value = false;

    gapped.gap("TrimmedDataAccessException");
    await until(() => informer.get("CloudMapNamespace/default/added") !== undefined, "the relist");
    expect(informer.get("CloudMapNamespace/default/change")?.spec.dnsName).toBe("after.internal");
    expect(informer.get("CloudMapNamespace/default/remove")).toBeUndefined();
    const high = new Set(keys.filter(([, p]) => p === Priority.High).map(([k]) => k));
    expect(high).toEqual(
      new Set([
        "CloudMapNamespace/default/change",
        "CloudMapNamespace/default/remove",
        "CloudMapNamespace/default/added",
      ]),
    );
  });
});
