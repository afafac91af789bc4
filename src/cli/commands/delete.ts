/** `fargatectl delete KIND NAME [--wait] [--timeout]`: marks the record deleted; waits for the controller's cleanup. */
import { resolveKind } from "../../crds/index.js";
import { NotFoundError } from "../../store/errors.js";
import { formatDuration } from "../backoff.js";
import type { CliContext } from "../context.js";
import { ExitCode } from "../errors.js";
import { WaitEnd, waitForRecord } from "../wait-loop.js";

/** Options of `delete`. */
export interface DeleteOptions {
  kind: string;
  name: string;
  namespace: string;
  wait: boolean;
  timeoutMs: number;
}

/** Runs `delete`; returns the exit code (1 when not found or the wait timed out). */
export async function runDelete(ctx: CliContext, options: DeleteOptions): Promise<number> {
  const kind = resolveKind(options.kind);
  const ref = `${kind.toLowerCase()}/${options.name}`;
  const store = ctx.store();
  try {
    const result = await store.delete(kind, options.namespace, options.name);
    if (result.removed) {
      ctx.out(`${ref} deleted\n`);
      return ExitCode.Ok;
    }
    ctx.out(
      `${ref} deletion requested (waiting on finalizers: ${result.resource.metadata.finalizers.join(", ")})\n`,
    );
  } catch (error) {
    if (error instanceof NotFoundError) {
      ctx.err(`not found: ${ref} in namespace ${options.namespace}\n`);
      return ExitCode.Negative;
    }
    throw error;
  }
  if (!options.wait) return ExitCode.Ok;
  // Poll with backoff rather than read the stream: a shard allows two readers and the controllers use them.
  const outcome = await waitForRecord(store, {
    kind,
    namespace: options.namespace,
    name: options.name,
    target: { type: "delete" },
    timeoutMs: options.timeoutMs,
    now: ctx.now,
  });
  if (outcome.end === WaitEnd.Met) {
    ctx.out(`${ref} deleted\n`);
    return ExitCode.Ok;
  }
  ctx.err(
    `timed out after ${formatDuration(options.timeoutMs)} waiting for ${ref} to be deleted; last seen: ${outcome.detail}\n`,
  );
  return ExitCode.Negative;
}
