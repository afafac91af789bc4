/**
 * No lost update: 50 concurrent read-modify-write writers on one record, on DynamoDB Local and moto.
 *
 * moto's server runs each request on its own thread and its UpdateItem reads the item, checks the condition and
 * writes without a lock (moto/dynamodb/models/__init__.py, update_item), so two requests in flight at once can
 * both pass one condition: moto itself loses updates. Its client is therefore limited to one connection: the 50
 * writers still interleave their get → apply cycles (and conflict), but moto sees one request at a time.
 * DynamoDB Local gets them truly concurrently.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import type { DynamoResourceStore } from "../../../src/store/dynamo-store.js";
import { ConflictError } from "../../../src/store/errors.js";
import { doc, endpointOf, freshStore, STORE_BACKENDS } from "../../support/store-fixtures.js";

const WRITERS = 50;
const KIND = "FargateService";

describe.each(STORE_BACKENDS)("concurrent writers on %s", (backend, endpointKey) => {
  let store: DynamoResourceStore;
  afterEach(() => store?.destroy());

  it("lands every writer's contribution exactly once", async () => {
    store = await freshStore(endpointOf(endpointKey), backend === "moto" ? { maxSockets: 1 } : {});
    await store.create(doc(KIND, "shared", { writers: [] as string[] }));
    let conflicts = 0;

    // Each writer: get → add its id to spec.writers → apply with the read resourceVersion; on a conflict it
    // retries from the record the ConflictError carries (re-reading only when it carries none).
    const writer = async (id: string): Promise<number> => {
      let current = await store.get(KIND, "default", "shared");
      for (let attempt = 1; ; attempt++) {
        const writers = [...(current.spec.writers as string[]), id];
        try {
          await store.apply(doc(KIND, "shared", { writers }), {
            expectedResourceVersion: current.metadata.resourceVersion,
          });
          return attempt;
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
          conflicts += 1;
          // Jittered exponential backoff, as a CLI retry would do, so 50 retries do not collide in lockstep.
          await sleep(Math.random() * Math.min(400, 10 * 2 ** attempt));
          current = error.current ?? (await store.get(KIND, "default", "shared"));
        }
      }
    };

    const ids = Array.from({ length: WRITERS }, (_, i) => `w${i}`);
    const attempts = await Promise.all(ids.map(writer));
    const final = await store.get(KIND, "default", "shared");
    const landed = final.spec.writers as string[];

    console.log(
      `${backend}: ${WRITERS} writers, ${conflicts} conflicts, max attempts ${Math.max(...attempts)}`,
    );
    expect([...landed].sort()).toEqual([...ids].sort());
    expect(new Set(landed).size).toBe(WRITERS);
    expect(final.metadata.generation).toBe(1 + WRITERS);
    expect(final.metadata.resourceVersion).toBe(String(1 + WRITERS));
    expect(attempts.reduce((sum, n) => sum + n, 0)).toBe(WRITERS + conflicts);
  });
});
