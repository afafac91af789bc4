/** Process entry: runs fargatectl with the process arguments and sets the exit code. */
import { main } from "./main.js";

// The pinned SDK release supports Node 20; its notice about later releases needing Node 22 would be printed
// on every command, so it is dropped here (the container image runs Node 22).
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === "string" ? warning : warning.message;
  if (text.startsWith("NodeVersionSupportWarning")) return;
  (emitWarning as (w: string | Error, ...r: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

process.exitCode = await main(process.argv.slice(2));
