/**
 * A log file only its owner can read: a fresh directory from mkdtemp (0700) holding one file created with
 * O_EXCL (`wx`, mode 0600), so nothing planted at the path beforehand (a symlink included) is followed or reused.
 * Removed with its directory on close, and at process exit, unless kept.
 */
import { createWriteStream, openSync, rmSync, type WriteStream } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** An open private log. */
export interface PrivateLog {
  /** Absolute path of the file. */
  readonly path: string;
  readonly stream: WriteStream;
  /** Flushes and closes the file; removes it and its directory unless kept. */
  close(): Promise<void>;
}

/** Options of `openPrivateLog`. */
export interface PrivateLogOptions {
  /** Prefix of the directory name under the temporary directory. */
  prefix: string;
  /** File name inside the directory. */
  fileName: string;
  /** Leave the file (and its directory) in place on close. */
  keep: boolean;
  /** Parent directory; the system's temporary directory by default. */
  parent?: string;
}

/** Creates the file exclusively (0600); throws EEXIST when anything, a dangling symlink included, is there. */
export function createExclusive(path: string): number {
  return openSync(path, "wx", 0o600);
}

/** Opens a new private log. */
export async function openPrivateLog(options: PrivateLogOptions): Promise<PrivateLog> {
  const dir = await mkdtemp(join(options.parent ?? tmpdir(), options.prefix));
  const path = join(dir, options.fileName);
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  let fd: number;
  try {
    fd = createExclusive(path);
  } catch (error) {
    removeDir();
    throw error;
  }
  const stream = createWriteStream(path, { fd });
  // Best effort when the process ends without close (a crash): no log left behind unless asked.
  const onExit = (): void => {
    if (!options.keep) removeDir();
  };
  process.once("exit", onExit);
  return {
    path,
    stream,
    close: async () => {
      process.removeListener("exit", onExit);
      if (!stream.closed) {
        await new Promise<void>((resolve) => {
          stream.once("close", () => resolve());
          stream.end();
        });
      }
      if (!options.keep) removeDir();
    },
  };
}
