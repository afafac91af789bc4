/**
 * The dev stack's task runner: gives a simulated ECS task a real process when its task definition runs this
 * project's image as `catalog-sync` (a CatalogSync with placement: task). It starts `fargatectl catalog-sync`
 * when the task is RUNNING, with the container's environment, its secrets resolved from the simulated Secrets
 * Manager, the local endpoints and the Consul simulator's address; SIGTERMs it when ECS asks the task to stop
 * (scale-in, a new deployment, the record deleted) and when the stack stops (SIGKILL after the stopTimeout). A
 * process that exits by itself stops its task as ECS does (`EssentialContainerExited`), so ECS starts another.
 * Output goes to a private file per task in the dev stack's log directory, never to the terminal.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { SimulatedTasks, TaskLifecycleEvent } from "./aws-sim/index.js";
import { createExclusive } from "./private-log.js";
import { type RunnableContainer, resolveContainerSecrets, runnableContainers } from "./task-containers.js";

/** How to start `fargatectl`: a program and the arguments before the subcommand. */
export interface FargatectlCommand {
  readonly command: string;
  readonly args: readonly string[];
}

/** Options of {@link startTaskRunner}. */
export interface TaskRunnerOptions {
  /** The simulator's task feed. */
  tasks: SimulatedTasks;
  /** Reads a secret's value (GetSecretValue against the simulated Secrets Manager). */
  readSecret: (secretArn: string) => Promise<string>;
  /** Endpoints and credentials of the local stack every process gets (the container's environment wins). */
  environment: Readonly<Record<string, string>>;
  /** The Consul simulator's address: every sync task talks to it, whatever address its config names. */
  consulAddress: string;
  /** Where each task's output file goes (private: the dev stack's log directory). */
  logDir: string;
  /** How to start fargatectl (default: the program running now, see {@link currentFargatectl}). */
  fargatectl?: FargatectlCommand;
  /** Which images are this project's own (default: any tag of ghcr.io/fargate-operator/fargate-operator). */
  isOwnImage?: (image: string) => boolean;
  /** One line per process started or ended (no secret in it). */
  notice?: (line: string) => void;
}

/** A process the runner started. */
export interface TaskProcess {
  readonly taskArn: string;
  readonly container: string;
  readonly pid: number | undefined;
  readonly logPath: string;
}

/** A running task runner. */
export interface TaskRunner {
  /** The processes alive now. */
  processes(): TaskProcess[];
  /** Stops listening and stops every process (SIGTERM, SIGKILL after its stopTimeout); resolves once all exited. */
  stop(): Promise<void>;
}

/** The fargatectl running now: this node with its loader flags (tsx in development) and the same script. */
export function currentFargatectl(): FargatectlCommand {
  const script = process.argv[1] ?? "fargatectl";
  // A debugger port of the parent would clash; loaders (--import tsx) must be kept.
  const flags = process.execArgv.filter((f) => !f.startsWith("--inspect"));
  return { command: process.execPath, args: [...flags, script] };
}

interface Running {
  readonly info: TaskProcess;
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  readonly stopTimeoutMs: number;
  stopRequested: boolean;
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function terminate(running: Running): Promise<void> {
  running.stopRequested = true;
  if (hasExited(running.child)) return;
  running.child.kill("SIGTERM");
  // Unref'd: a grace timer left pending must not keep the dev stack alive after everything exited.
  const done = await Promise.race([
    running.exited.then(() => true),
    sleep(running.stopTimeoutMs, false, { ref: false }),
  ]);
  if (!done) {
    running.child.kill("SIGKILL");
    await running.exited;
  }
}

/** Subscribes to the simulator's tasks and runs a process for each runnable container of a RUNNING task. */
export function startTaskRunner(options: TaskRunnerOptions): TaskRunner {
  const fargatectl = options.fargatectl ?? currentFargatectl();
  const notice = options.notice ?? (() => {});
  const byTask = new Map<string, Running[]>();
  /** Tasks asked to stop (or stopped) while their secrets were still being read. */
  const stopped = new Set<string>();
  const starting = new Set<Promise<void>>();
  let closed = false;

  const killAllOnExit = (): void => {
    for (const list of byTask.values())
      for (const r of list) if (!hasExited(r.child)) r.child.kill("SIGKILL");
  };
  process.once("exit", killAllOnExit);

  const spawnContainer = (
    event: TaskLifecycleEvent,
    container: RunnableContainer,
    secrets: Record<string, string>,
  ) => {
    const logPath = join(options.logDir, `task-${event.cluster}-${event.taskId}-${container.name}.log`);
    const fd = createExclusive(logPath);
    let child: ChildProcess;
    try {
      child = spawn(
        fargatectl.command,
        [...fargatectl.args, ...container.command, "--consul-address", options.consulAddress],
        {
          // Only what the container would have: no variable of the developer's shell leaks into the task.
          env: {
            ...options.environment,
            FARGATE_OPERATOR_IDENTITY: event.taskId,
            ...container.environment,
            ...secrets,
          },
          stdio: ["ignore", fd, fd],
          // Its own process group: a Ctrl-C to the terminal reaches `fargatectl dev`, which stops it in order
          // (before DynamoDB), as ECS, not the developer's terminal, decides when a container stops.
          detached: true,
        },
      );
    } finally {
      closeSync(fd);
    }
    const exited = new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.once("error", () => resolve());
    });
    const running: Running = {
      info: { taskArn: event.taskArn, container: container.name, pid: child.pid, logPath },
      child,
      exited,
      stopTimeoutMs: container.stopTimeoutSeconds * 1000,
      stopRequested: false,
    };
    const where = `sync task ${event.service}/${event.taskId}`;
    notice(
      `${where}: fargatectl ${container.command.join(" ")} started (pid ${child.pid ?? "?"}), log ${logPath}`,
    );
    let ended = false;
    const end = (what: string, stopCode: string, reason: string): void => {
      if (ended) return;
      ended = true;
      const list = byTask.get(event.taskArn)?.filter((r) => r !== running) ?? [];
      if (list.length === 0) byTask.delete(event.taskArn);
      else byTask.set(event.taskArn, list);
      notice(`${where}: ${what}`);
      // An essential container that exits on its own stops its task; ECS then starts a replacement.
      if (!running.stopRequested && !closed) options.tasks.stop(event.taskArn, stopCode, reason);
    };
    child.once("exit", (code, signal) =>
      end(`exited (${code ?? signal})`, "EssentialContainerExited", "Essential container in task exited"),
    );
    child.once("error", (error) =>
      end(
        `could not start: ${error.message}`,
        "TaskFailedToStart",
        `CannotStartContainerError: ${error.message}`,
      ),
    );
    byTask.set(event.taskArn, [...(byTask.get(event.taskArn) ?? []), running]);
  };

  const start = async (event: TaskLifecycleEvent, containers: RunnableContainer[]): Promise<void> => {
    const resolved: Array<Record<string, string>> = [];
    try {
      for (const container of containers) {
        resolved.push(await resolveContainerSecrets(container.secrets, options.readSecret));
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      notice(`sync task ${event.service}/${event.taskId}: ${reason}`);
      if (!closed) options.tasks.stop(event.taskArn, "TaskFailedToStart", reason);
      return;
    }
    if (closed || stopped.has(event.taskArn)) return;
    containers.forEach((container, i) => {
      try {
        spawnContainer(event, container, resolved[i] ?? {});
      } catch (error) {
        notice(`sync task ${event.service}/${event.taskId}: could not start: ${String(error)}`);
      }
    });
  };

  const unsubscribe = options.tasks.subscribe((event) => {
    if (closed) return;
    if (event.phase === "running") {
      const containers = runnableContainers(event.taskDefinition, options.isOwnImage);
      if (containers.length === 0) return;
      const pending = start(event, containers);
      starting.add(pending);
      void pending.finally(() => starting.delete(pending));
      return;
    }
    stopped.add(event.taskArn);
    for (const running of byTask.get(event.taskArn) ?? []) void terminate(running);
  });

  return {
    processes: () => [...byTask.values()].flat().map((r) => r.info),
    stop: async () => {
      closed = true;
      unsubscribe();
      await Promise.allSettled([...starting]);
      await Promise.allSettled([...byTask.values()].flat().map(terminate));
      process.removeListener("exit", killAllOnExit);
    },
  };
}
