/** fargatectl entry point: runs the command tree and turns errors into exit codes and one clear line. */
import { CommanderError } from "commander";
import { ConfigError } from "../config/errors.js";
import { CliError, ExitCode } from "./errors.js";
import { buildProgram, type ProgramResult } from "./program.js";

/** Runs fargatectl with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const result: ProgramResult = { exitCode: ExitCode.Ok };
  const program = buildProgram(result).exitOverride();
  try {
    await program.parseAsync(argv, { from: "user" });
    return result.exitCode;
  } catch (error) {
    return reportError(error);
  }
}

/** Prints an error as one line, without a stack trace, and picks the exit code. */
function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander already printed help or the usage error.
    return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Failure;
  }
  if (error instanceof CliError) {
    process.stderr.write(`error: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof ConfigError) {
    process.stderr.write(`error: ${error.message}\n`);
    return ExitCode.Failure;
  }
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : "";
  process.stderr.write(`error: ${message}${cause}\n`);
  return ExitCode.Failure;
}
