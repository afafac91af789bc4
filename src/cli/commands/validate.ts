/** `fargatectl validate -f …`: every document checked, every error reported; exit 1 when any is invalid. */
import type { CliContext } from "../context.js";
import { ExitCode } from "../errors.js";
import { loadDocuments, readSources, readStdin } from "../input.js";

/** Runs `validate`; returns the exit code. */
export async function runValidate(ctx: CliContext, files: string[]): Promise<number> {
  const loaded = loadDocuments(await readSources(files, readStdin));
  for (const line of loaded.errors) ctx.err(`${line}\n`);
  if (loaded.errors.length > 0) {
    ctx.err(`${loaded.errors.length} error(s); ${loaded.documents.length} valid document(s)\n`);
    return ExitCode.Negative;
  }
  ctx.out(`${loaded.documents.length} document(s) valid\n`);
  return ExitCode.Ok;
}
