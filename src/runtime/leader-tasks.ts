/** Periodic tasks that run only while this process leads (the orphan sweep): started and stopped with the lease. */
import { type Clock, sleep } from "../clock.js";
import type { Logger } from "../log.js";

/** One periodic leader-only task. */
export interface LeaderTask {
  /** For logs. */
  name: string;
  /** Pause between the end of one run and the start of the next (ms); the first run starts on leadership. */
  intervalMs: number;
  /** One run; it must honour `signal` (leadership lost, shutdown). A throw is logged and the next run follows. */
  run(signal: AbortSignal): Promise<void>;
}

/** Runs the tasks while leading. */
export class LeaderTaskRunner {
  private term: { controller: AbortController; loops: Promise<void>[] } | undefined;

  constructor(
    private readonly tasks: readonly LeaderTask[],
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Starts every task's loop (no-op while running). */
  start(): void {
    if (this.term !== undefined || this.tasks.length === 0) return;
    const controller = new AbortController();
    this.term = { controller, loops: this.tasks.map((task) => this.loop(task, controller.signal)) };
  }

  /** Aborts the runs in flight and waits for the loops to end. */
  async stop(): Promise<void> {
    const term = this.term;
    if (term === undefined) return;
    this.term = undefined;
    term.controller.abort(new Error("leadership ended"));
    await Promise.all(term.loops);
  }

  private async loop(task: LeaderTask, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await task.run(signal);
      } catch (error) {
        if (signal.aborted) return;
        this.log.error(
          { err: error, task: task.name },
          "leader task failed: will run again after its interval",
        );
      }
      await sleep(this.clock, task.intervalMs, signal).catch(() => undefined);
    }
  }
}
