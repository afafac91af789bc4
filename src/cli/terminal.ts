/** The process's terminal, for commands that redraw in place; and Ctrl-C/SIGTERM as an AbortSignal. */

/** A terminal to redraw on; absent when stdout is a pipe or a file. */
export interface TerminalInfo {
  /** Current width in columns (it can change while a watch runs). */
  columns(): number;
}

/** stdout's terminal, or undefined when it is not one. */
export function stdoutTerminal(): TerminalInfo | undefined {
  if (process.stdout.isTTY !== true) return undefined;
  // A pseudo-terminal can report 0 columns; assume the classic 80 then.
  return { columns: () => process.stdout.columns || 80 };
}

/** An AbortSignal that fires on SIGINT or SIGTERM; `dispose` removes the handlers again. */
export function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.removeListener("SIGINT", onSignal);
      process.removeListener("SIGTERM", onSignal);
    },
  };
}
