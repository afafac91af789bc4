/** Cleanups a test registers as it starts things; `run` (in afterEach) undoes them newest first, even on failure. */
export class Teardown {
  private readonly steps: Array<() => Promise<void> | void> = [];

  /** Registers a cleanup. */
  add(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }

  /** Runs every cleanup (newest first); one failing does not stop the others; rethrows the first failure. */
  async run(): Promise<void> {
    let first: unknown;
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        first ??= error;
      }
    }
    if (first !== undefined) throw first;
  }
}
