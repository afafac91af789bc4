/**
 * Real `fargatectl controller` processes (the CLI's process entry, src/cli/run.ts, through tsx) for the crash and
 * failover suites: spawn, read their JSON log lines as they come, signal them, and kill every one left at the end.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { TEST_CREDENTIALS, TEST_REGION } from "../../../support/store-fixtures.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

/** One parsed log line (pino JSON: `time` as an ISO string, `msg`, `level`, and the line's own keys). */
export interface LogLine {
  time: string;
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** How a child ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Where a controller process keeps its records and talks to AWS. */
export interface ControllerProcessOptions {
  /** Unique among the processes on one lease (it is the lease holder). */
  identity: string;
  table: string;
  dynamodbEndpoint: string;
  /** The AWS simulator (ECS and Cloud Map). */
  awsEndpoint: string;
  leaseName: string;
  /** Extra `fargatectl controller` flags (they override the defaults below). */
  flags?: Record<string, string>;
}

/** The flags every reliability controller runs with: short lease, quick polls and retries. */
export const FAST_CONTROLLER_FLAGS: Readonly<Record<string, string>> = {
  "metrics-address": "127.0.0.1:0",
  "ui-address": "127.0.0.1:0",
  "lease-duration": "1.5s",
  "lease-heartbeat": "500ms",
  "watch-poll-interval": "100ms",
  "rollout-poll-interval": "300ms",
  "retry-base-delay": "100ms",
  "retry-max-delay": "2s",
  "shutdown-timeout": "5s",
  "keep-revisions": "3",
};

/** A running (or ended) controller child process. */
export class ControllerProcess {
  /** Every JSON line it printed so far, in order. */
  readonly lines: LogLine[] = [];
  /** Non-JSON stdout and all of stderr (for failure messages). */
  other = "";
  /** Resolves when the process has exited. */
  readonly exited: Promise<ChildExit>;
  private exit: ChildExit | undefined;
  private partial = "";

  constructor(
    readonly identity: string,
    readonly child: ChildProcess,
  ) {
    child.stdout?.on("data", (chunk: Buffer) => this.take(chunk.toString("utf8")));
    child.stderr?.on("data", (chunk: Buffer) => {
      this.other += chunk.toString("utf8");
    });
    this.exited = new Promise((resolve) =>
      child.on("exit", (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
  }

  /** True until the process exits. */
  get running(): boolean {
    return this.exit === undefined;
  }

  /** How it ended, once it did. */
  get exitStatus(): ChildExit | undefined {
    return this.exit;
  }

  /** The first line with message `msg`. */
  line(msg: string): LogLine | undefined {
    return this.lines.find((l) => l.msg === msg);
  }

  /** Lines at error level or above. */
  errors(): LogLine[] {
    return this.lines.filter((l) => l.level >= 50);
  }

  /** Waits for a line with message `msg`; fails early when the process exits first. */
  async waitFor(msg: string, timeoutMs = 30_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.line(msg);
      if (found !== undefined) return found;
      if (!this.running)
        throw new Error(
          `${this.identity} exited (${JSON.stringify(this.exit)}) before "${msg}":\n${this.tail()}`,
        );
      if (Date.now() > deadline) throw new Error(`${this.identity}: no "${msg}" within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** The port of its /healthz, /readyz and /metrics server (once it logged it). */
  async httpPort(): Promise<number> {
    const line = await this.waitFor("health and metrics server listening");
    return Number(line.port);
  }

  /** Sends `signal` and waits for the exit. */
  async stop(signal: NodeJS.Signals): Promise<ChildExit> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }

  /** The last lines and stderr, for a failure message. */
  tail(n = 20): string {
    return [
      ...this.lines.slice(-n).map((l) => JSON.stringify(l)),
      this.other.split("\n").slice(-n).join("\n"),
    ].join("\n");
  }

  private take(text: string): void {
    const parts = (this.partial + text).split("\n");
    this.partial = parts.pop() ?? "";
    for (const part of parts) {
      if (part.trim() === "") continue;
      try {
        this.lines.push(JSON.parse(part) as LogLine);
      } catch {
        this.other += `${part}\n`;
      }
    }
  }
}

/** Starts and tracks controller processes; `killAll` (in afterEach) SIGKILLs whatever still runs. */
export class ControllerProcesses {
  private readonly started: ControllerProcess[] = [];
  private closed = false;

  /** Every process started so far, oldest first. */
  get all(): readonly ControllerProcess[] {
    return this.started;
  }

  /** Spawns `fargatectl controller` with the fast flags, the options' flags, and the endpoints as env. */
  start(options: ControllerProcessOptions): ControllerProcess {
    // A scenario loop still running after its test failed must not leave a process behind the teardown.
    if (this.closed) throw new Error("controller processes are shut down (the test ended)");
    const flags: Record<string, string> = {
      ...FAST_CONTROLLER_FLAGS,
      table: options.table,
      "lease-name": options.leaseName,
      identity: options.identity,
      ...options.flags,
    };
    const args = ["--import", "tsx", "src/cli/run.ts", "controller"];
    for (const [flag, value] of Object.entries(flags)) args.push(`--${flag}`, value);
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        AWS_ENDPOINT_URL_ECS: options.awsEndpoint,
        AWS_ENDPOINT_URL_SERVICEDISCOVERY: options.awsEndpoint,
        AWS_ENDPOINT_URL_DYNAMODB: options.dynamodbEndpoint,
        AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
        AWS_REGION: TEST_REGION,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const proc = new ControllerProcess(options.identity, child);
    this.started.push(proc);
    return proc;
  }

  /** SIGKILLs every process still running, waits for each to exit, and refuses to start any more. */
  async killAll(): Promise<void> {
    this.closed = true;
    await Promise.all(this.started.filter((p) => p.running).map((p) => p.stop("SIGKILL")));
  }
}

/** When a line was logged, in epoch ms (the child's wall clock: the same machine as the test's). */
export function loggedAt(line: LogLine): number {
  return Date.parse(line.time);
}

/** Reads the `leader` gauge from a process's /metrics (undefined when it does not answer). */
export async function leaderGauge(port: number): Promise<number | undefined> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const m = /^leader(?:\{[^}]*\})? (\d+)/m.exec(text);
    return m === undefined || m === null ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}
