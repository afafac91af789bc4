/** `fargatectl wait KIND/NAME --for condition=Ready|delete --timeout 10m`: exit 0 met, 1 not met, 2 error. */
import { resolveKind } from "../../crds/index.js";
import { formatDuration } from "../backoff.js";
import type { CliContext } from "../context.js";
import { CliError, ExitCode } from "../errors.js";
import { describeWaitTarget, type WaitTarget } from "../wait-condition.js";
import { WaitEnd, waitForRecord } from "../wait-loop.js";

/** Options of `wait`. */
export interface WaitOptions {
  /** `KIND/NAME`, or `KIND` with `name`. */
  resource: string;
  name?: string;
  namespace: string;
  target: WaitTarget;
  timeoutMs: number;
}

/** Splits `KIND/NAME` or `KIND NAME`; throws a usage error (exit 2) for anything else. */
export function parseResourceRef(resource: string, name: string | undefined): { kind: string; name: string } {
  const slash = resource.indexOf("/");
  if (slash >= 0) {
    if (name !== undefined) {
      throw new CliError(
        `give either KIND/NAME or KIND NAME, not both (${resource} ${name})`,
        ExitCode.Failure,
      );
    }
    const kind = resource.slice(0, slash);
    const rest = resource.slice(slash + 1);
    if (kind === "" || rest === "" || rest.includes("/")) {
      throw new CliError(`${JSON.stringify(resource)}: expected KIND/NAME, e.g. fs/web`, ExitCode.Failure);
    }
    return { kind, name: rest };
  }
  if (name === undefined) {
    throw new CliError(
      `${JSON.stringify(resource)}: name missing; write KIND/NAME or KIND NAME`,
      ExitCode.Failure,
    );
  }
  return { kind: resource, name };
}

/** Runs `wait`; returns the exit code. */
export async function runWait(ctx: CliContext, options: WaitOptions): Promise<number> {
  const ref = parseResourceRef(options.resource, options.name);
  const kind = resolveKind(ref.kind);
  const what = `${kind.toLowerCase()}/${ref.name} in namespace ${options.namespace}`;
  const goal = describeWaitTarget(options.target);
  const outcome = await waitForRecord(ctx.store(), {
    kind,
    namespace: options.namespace,
    name: ref.name,
    target: options.target,
    timeoutMs: options.timeoutMs,
    now: ctx.now,
  });
  switch (outcome.end) {
    case WaitEnd.Met:
      ctx.out(
        options.target.type === "delete"
          ? `${kind.toLowerCase()}/${ref.name} deleted\n`
          : `${kind.toLowerCase()}/${ref.name} condition met (${outcome.detail})\n`,
      );
      return ExitCode.Ok;
    case WaitEnd.Failed:
      ctx.err(`${what} failed: ${outcome.detail}; it will not reach ${goal} without a spec change\n`);
      return ExitCode.Negative;
    case WaitEnd.Gone:
      ctx.err(`${outcome.detail}: ${what} (waiting for ${goal})\n`);
      return ExitCode.Negative;
    case WaitEnd.TimedOut:
      ctx.err(
        `timed out after ${formatDuration(options.timeoutMs)} waiting for ${what} to reach ${goal}; last seen: ${outcome.detail}\n`,
      );
      return ExitCode.Negative;
  }
}
