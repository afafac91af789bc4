/** `fargatectl delete KIND NAME [--wait] [--timeout]`: marks the record deleted; waits for the controller's cleanup. */
import { resolveKind } from "../../crds/index.js";
import { NotFoundError } from "../../store/errors.js";
import type { CliContext } from "../context.js";
import { ExitCode } from "../errors.js";

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
  const deadline = ctx.now() + options.timeoutMs;
  // Poll with backoff rather than read the stream: a shard allows two readers and the controllers use them.
  for (let delay = 200; ; delay = Math.min(delay * 2, 5_000)) {
    try {
      await store.get(kind, options.namespace, options.name);
    } catch (error) {
      if (error instanceof NotFoundError) {
        ctx.out(`${ref} deleted\n`);
        return ExitCode.Ok;
      }
      throw error;
    }
    const left = deadline - ctx.now();
    if (left <= 0) {
      ctx.err(`timed out waiting for ${ref} to be deleted\n`);
      return ExitCode.Negative;
    }
    await new Promise((r) => setTimeout(r, Math.min(delay, left)));
  }
}
