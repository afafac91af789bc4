/** CLI errors carry their exit code: 1 for a negative answer (invalid, not found, timed out), 2 for failures. */

/** An error the CLI prints as-is (no stack) and exits with `exitCode`. */
export class CliError extends Error {
  override readonly name = "CliError";
  /** Process exit code. */
  readonly exitCode: number;
  constructor(message: string, exitCode: number, options?: { cause?: unknown }) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

/** Exit codes shared by every command. */
export const ExitCode = { Ok: 0, Negative: 1, Failure: 2 } as const;
