/**
 * Records that failed permanently: their status says why (Ready=False, Stalled=True with the error's reason),
 * and they are skipped until something that matters changes (spec, generation, deletion, a new incarnation).
 */

import type { Clock } from "../clock.js";
import type { ResourceKey } from "../crds/meta.js";
import { stalledConditions } from "../reconcilers/conditions.js";
import { writeStatus } from "../reconcilers/status.js";
import { NotFoundError } from "../store/errors.js";
import type { ResourceStore, StoredResource } from "../store/types.js";
import type { PermanentError } from "./errors.js";

/** What must change before a permanently failed record is tried again. */
function fingerprint(r: StoredResource): string {
  return JSON.stringify([
    r.metadata.uid,
    r.specHash,
    r.metadata.generation,
    r.metadata.deletionTimestamp ?? null,
  ]);
}

/** The permanent-failure memory of one kind's controller (in memory: a restart tries each record once more). */
export class PermanentFailures {
  private readonly failed = new Map<ResourceKey, string>();

  constructor(
    private readonly store: ResourceStore,
    private readonly clock: Clock,
  ) {}

  /** True when `record` failed permanently and has not changed since; otherwise forgets the key. */
  shouldSkip(key: ResourceKey, record: StoredResource | undefined): boolean {
    const failed = this.failed.get(key);
    if (failed === undefined) return false;
    if (record !== undefined && fingerprint(record) === failed) return true;
    this.failed.delete(key);
    return false;
  }

  /**
   * Re-reads the record, writes the failure onto its status (skipped when already there) and remembers it.
   * A record deleted meanwhile is fine; any other store error (ConflictError included) is thrown.
   */
  async record(key: ResourceKey, record: StoredResource, failure: PermanentError): Promise<void> {
    let fresh: StoredResource;
    try {
      fresh = await this.store.get(record.kind, record.metadata.namespace, record.metadata.name);
    } catch (error) {
      if (error instanceof NotFoundError) return;
      throw error;
    }
    const generation = fresh.metadata.generation;
    await writeStatus(
      this.store,
      fresh,
      {
        conditions: stalledConditions(generation, failure.reason, failure.message),
        observedGeneration: generation,
        observedSpecHash: fresh.specHash,
      },
      new Date(this.clock.now()),
    );
    this.failed.set(key, fingerprint(fresh));
  }
}
