/** Shared plumbing for the local-server launchers: free ports, spawning, readiness, clean stop. */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** A started local server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly endpoint: string;
  /** Kills the process (TERM, then KILL after a grace period) and resolves once it has exited. */
  stop(): Promise<void>;
}

/** Raised when a local server cannot be started (missing binary, early exit, never ready). */
export class LaunchError extends Error {
  override readonly name = "LaunchError";
}

/** What `spawnServer` needs to start one process and decide it is ready. */
export interface SpawnServerOptions {
  /** Human name for messages, e.g. "DynamoDB Local". */
  label: string;
  command: string;
  args: string[];
  host: string;
  port: number;
  cwd?: string;
  /** How long to wait for the port to answer HTTP (ms). */
  readyTimeoutMs?: number;
  /** Extra hint appended when the command is not found. */
  missingHint?: string;
}

/** Finds a free TCP port on `host` by listening on port 0 and closing again. */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new LaunchError("could not find a free port"))));
    });
  });
}

/** True once anything answers HTTP at `endpoint` (any status code counts: the server is up). */
async function answersHttp(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(endpoint, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

/** Resolves when the child has exited (at once if it already has). */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Spawns a server process, waits until its port answers HTTP, and returns its endpoint and `stop`. */
export async function spawnServer(options: SpawnServerOptions): Promise<RunningServer> {
  const endpoint = `http://${options.host}:${options.port}`;
  // Not detached: a Ctrl-C to the terminal's process group reaches the server too.
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keepTail = (chunk: Buffer): void => {
    output = (output + chunk.toString("utf8")).slice(-4_000);
  };
  child.stdout?.on("data", keepTail);
  child.stderr?.on("data", keepTail);
  let spawnError: Error | undefined;
  child.once("error", (error) => {
    spawnError = error;
  });
  // Best effort when the parent exits without calling stop (a crash, process.exit): no orphan server.
  const killOnExit = (): void => {
    child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);

  const stop = async (): Promise<void> => {
    process.removeListener("exit", killOnExit);
    if (child.exitCode !== null || child.signalCode !== null || spawnError) return;
    child.kill("SIGTERM");
    // Unref'd: the grace timer must not hold the process open for 5 s after the server exited.
    const killed = await Promise.race([exited(child).then(() => true), sleep(5_000, false, { ref: false })]);
    if (!killed) {
      child.kill("SIGKILL");
      await exited(child);
    }
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (spawnError) {
      process.removeListener("exit", killOnExit);
      const missing = (spawnError as NodeJS.ErrnoException).code === "ENOENT";
      const message = missing
        ? `${options.label}: command ${JSON.stringify(options.command)} not found on PATH${options.missingHint ? `; ${options.missingHint}` : ""}`
        : `${options.label}: could not start ${options.command}: ${spawnError.message}`;
      throw new LaunchError(message, { cause: spawnError });
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      process.removeListener("exit", killOnExit);
      throw new LaunchError(
        `${options.label} exited before it was ready (code ${child.exitCode ?? child.signalCode}): ${output.trim()}`,
      );
    }
    if (await answersHttp(endpoint)) return { endpoint, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new LaunchError(`${options.label} did not answer on ${endpoint} in time: ${output.trim()}`);
    }
    await sleep(100);
  }
}
