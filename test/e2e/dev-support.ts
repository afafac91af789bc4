/** Starts `fargatectl dev` as a user does (a child process) and reads the `export` lines it prints before `ready`. */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { promisify } from "node:util";

const runFile = promisify(execFile);

/** A running dev stack: the child, the exports, and everything it printed so far. */
export interface DevStackProcess {
  child: ChildProcess;
  env: Record<string, string>;
  stdout: () => string;
  stderr: () => string;
}

/** Starts `fargatectl dev` and resolves once it prints `ready`. */
export async function startDev(): Promise<DevStackProcess> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli/run.ts", "dev", "--status-interval", "500ms", "--ui-address", "127.0.0.1:0"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (/^ready/m.test(stdout)) resolve();
    });
    child.once("exit", (code) => reject(new Error(`dev exited early (${code}): ${stderr}`)));
  });
  await ready;
  const env: Record<string, string> = {};
  for (const match of stdout.matchAll(/^export ([A-Z_]+)=(.*)$/gm)) env[match[1] ?? ""] = match[2] ?? "";
  return { child, env, stdout: () => stdout, stderr: () => stderr };
}

/** What a `fargatectl` run printed, and its exit code. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `fargatectl` from source with only PATH and the dev stack's exports, as a user in another shell does. */
export function devCli(env: Record<string, string>): (...args: string[]) => Promise<CliResult> {
  return (...args) =>
    runFile(process.execPath, ["--import", "tsx", "src/cli/run.ts", ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
    }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({
        code: e.code ?? -1,
        stdout: e.stdout ?? "",
        stderr: e.stderr ?? "",
      }),
    );
}

/**
 * Stops a dev stack left running by a failed test as Ctrl-C would (SIGTERM: it stops DynamoDB Local, its sync
 * processes and the controller), and only after `graceMs` kills it, so a failure never orphans its children.
 */
export async function stopDevAfterFailure(child: ChildProcess | undefined, graceMs = 20_000): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), graceMs);
  });
  if ((await Promise.race([exited, grace])) === "late") child.kill("SIGKILL");
  clearTimeout(timer);
}
