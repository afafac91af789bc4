/**
 * The sync engines running inside this controller (placement: controller), one per CatalogSync uid, each with
 * the hash of the configuration it was started with: `ensure` starts a missing one and restarts one whose
 * configuration changed; `stop` ends one (deletion, namespace change, placement change); `stopAll` ends every
 * one (lost leadership, shutdown). Calls for one uid are serialised.
 */

/** A running sync as the registry holds it. */
export interface RunningSync {
  /** Stops the engine (releasing its lease) and flushes its status writer. */
  close(): Promise<void>;
  /** The record moved to `generation` without a configuration change. */
  retarget?(generation: number): void;
}

/** What `ensure` did. */
export type EnsureAction = "started" | "restarted" | "unchanged";

interface Entry {
  hash: string;
  running: RunningSync;
}

/** One engine per uid, keyed with its configuration hash. */
export class SyncEngineRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly locks = new Map<string, Promise<unknown>>();

  /** How many engines run. */
  get size(): number {
    return this.entries.size;
  }

  /** The configuration hash of the engine of `uid`, if one runs. */
  hashOf(uid: string): string | undefined {
    return this.entries.get(uid)?.hash;
  }

  /**
   * Makes the engine of `uid` run configuration `hash`: starts it with `start` when missing, closes and starts it
   * again when its hash differs, else leaves it (and hands it `generation`).
   */
  ensure(
    uid: string,
    hash: string,
    generation: number,
    start: () => Promise<RunningSync>,
  ): Promise<EnsureAction> {
    return this.locked(uid, async () => {
      const current = this.entries.get(uid);
      if (current?.hash === hash) {
        current.running.retarget?.(generation);
        return "unchanged";
      }
      if (current !== undefined) {
        this.entries.delete(uid);
        await current.running.close();
      }
      const running = await start();
      this.entries.set(uid, { hash, running });
      return current === undefined ? "started" : "restarted";
    });
  }

  /** Stops the engine of `uid`; false when none ran. */
  stop(uid: string): Promise<boolean> {
    return this.locked(uid, async () => {
      const current = this.entries.get(uid);
      if (current === undefined) return false;
      this.entries.delete(uid);
      await current.running.close();
      return true;
    });
  }

  /** Stops every engine (in parallel); a failing close does not keep the others running. */
  async stopAll(): Promise<void> {
    const uids = [...new Set([...this.entries.keys(), ...this.locks.keys()])];
    const results = await Promise.allSettled(uids.map((uid) => this.stop(uid)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed !== undefined) throw failed.reason;
  }

  private locked<T>(uid: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(uid) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(uid, tail);
    void tail.then(() => {
      if (this.locks.get(uid) === tail) this.locks.delete(uid);
    });
    return next;
  }
}
