/**
 * Everything the bench starts registers its stop here; `stopAll` runs them newest first, and SIGINT/SIGTERM
 * run them too before the process exits, so no DynamoDB Local, simulator or child controller is left behind.
 */

/** A stop registered under a name (for the error message when it fails). */
interface Entry {
  name: string;
  stop: () => Promise<void> | void;
}

/** A stack of stops. */
export class Cleanup {
  private readonly entries: Entry[] = [];
  private stopping: Promise<string[]> | undefined;

  /** Remembers `stop`; returns a function that runs it now and forgets it. */
  add(name: string, stop: () => Promise<void> | void): () => Promise<void> {
    const entry: Entry = { name, stop };
    this.entries.push(entry);
    return async () => {
      const i = this.entries.indexOf(entry);
      if (i < 0) return;
      this.entries.splice(i, 1);
      await entry.stop();
    };
  }

  /** Runs every remaining stop, newest first; resolves with the failures (never throws). Reusable. */
  stopAll(): Promise<string[]> {
    if (this.stopping !== undefined) return this.stopping;
    const run = (async () => {
      const failures: string[] = [];
      while (this.entries.length > 0) {
        const entry = this.entries.pop() as Entry;
        try {
          await entry.stop();
        } catch (error) {
          failures.push(`${entry.name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      return failures;
    })();
    this.stopping = run;
    void run.finally(() => {
      if (this.stopping === run) this.stopping = undefined;
    });
    return run;
  }

  /** On SIGINT/SIGTERM: stop everything, then exit 130/143. */
  stopOnSignals(): void {
    const onSignal = (signal: NodeJS.Signals, code: number) => () => {
      process.stderr.write(`\nbench: ${signal}: stopping everything it started\n`);
      void this.stopAll().finally(() => process.exit(code));
    };
    process.once("SIGINT", onSignal("SIGINT", 130));
    process.once("SIGTERM", onSignal("SIGTERM", 143));
  }
}
