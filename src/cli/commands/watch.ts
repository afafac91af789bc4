/** `fargatectl watch [KIND [NAME]]` and `get -w`: polls the table and prints each change of what records show. */
import { KINDS, type Kind, resolveKind } from "../../crds/index.js";
import { NotFoundError, StoreUnavailableError, TableNotFoundError } from "../../store/errors.js";
import type { ResourceStore, StoredResource } from "../../store/types.js";
import { nextDelay, pause, WATCH_BACKOFF } from "../backoff.js";
import type { CliContext } from "../context.js";
import { CliError, ExitCode } from "../errors.js";
import type { TerminalInfo } from "../terminal.js";
import {
  emptyTerminalView,
  type PlainView,
  renderPlain,
  renderTerminal,
  snapshotOf,
  type WatchSnapshot,
} from "../watch-render.js";

/** Options of `watch`. */
export interface WatchCommandOptions {
  /** Omit for every kind. */
  kind?: string;
  /** One record; needs `kind`. */
  name?: string;
  namespace: string;
  allNamespaces: boolean;
  /** Ends the watch (Ctrl-C, SIGTERM); the command then exits 0. */
  signal: AbortSignal;
  /** Redraw in place on this terminal; plain appended lines when absent. */
  terminal?: TerminalInfo;
  /** First poll interval (ms); defaults to the watch backoff's. */
  intervalMs?: number;
}

/** Runs `watch` until `signal` aborts; returns the exit code. */
export async function runWatch(ctx: CliContext, options: WatchCommandOptions): Promise<number> {
  if (options.name !== undefined && options.kind === undefined) {
    throw new CliError("watch NAME needs a KIND (watch KIND NAME)", ExitCode.Failure);
  }
  if (options.name !== undefined && options.allNamespaces) {
    throw new CliError(
      "-A watches a kind across namespaces; give -n NS to watch one record",
      ExitCode.Failure,
    );
  }
  const kinds: readonly Kind[] = options.kind === undefined ? KINDS : [resolveKind(options.kind)];
  const store = ctx.store();
  const read = () => readRecords(store, kinds, options);
  const layout = { showNamespace: options.allNamespaces };
  const policy =
    options.intervalMs === undefined ? WATCH_BACKOFF : { ...WATCH_BACKOFF, initialMs: options.intervalMs };

  // The first read fails loudly: a wrong table or missing permission will not heal by waiting.
  let previous: WatchSnapshot = snapshotOf(await read());
  let view = emptyTerminalView();
  let plain: PlainView | undefined;
  if (options.terminal === undefined) {
    const drawn = renderPlain(undefined, new Map(), previous, layout);
    plain = drawn.view;
    for (const line of drawn.lines) ctx.out(`${line}\n`);
  } else {
    const drawn = renderTerminal(view, previous, { ...layout, width: options.terminal.columns() });
    view = drawn.view;
    ctx.out(drawn.output);
  }
  if (previous.size === 0) ctx.err("no records yet; watching for changes (Ctrl-C to stop)\n");

  let delay = policy.initialMs;
  let failing = false;
  for (;;) {
    await pause(delay, options.signal);
    if (options.signal.aborted) return ExitCode.Ok;
    let next: WatchSnapshot;
    try {
      next = snapshotOf(await read());
    } catch (error) {
      if (!(error instanceof StoreUnavailableError) || error instanceof TableNotFoundError) throw error;
      // A network blip or throttling: say so once, keep the last picture, and back off.
      if (!failing) ctx.err(`warning: cannot read the table (${error.message}); retrying\n`);
      failing = true;
      delay = nextDelay(delay, { ...policy, maxMs: 30_000 });
      continue;
    }
    if (failing) ctx.err("reading the table again\n");
    failing = false;
    let changed: boolean;
    if (options.terminal === undefined) {
      const drawn = renderPlain(plain, previous, next, layout);
      plain = drawn.view;
      for (const line of drawn.lines) ctx.out(`${line}\n`);
      changed = drawn.lines.length > 0;
    } else {
      const drawn = renderTerminal(view, next, { ...layout, width: options.terminal.columns() });
      view = drawn.view;
      ctx.out(drawn.output);
      changed = drawn.output !== "";
    }
    previous = next;
    // Something moving usually means more is coming (a rollout); idle tables are polled less often.
    delay = changed ? policy.initialMs : nextDelay(delay, policy);
  }
}

async function readRecords(
  store: ResourceStore,
  kinds: readonly Kind[],
  options: WatchCommandOptions,
): Promise<StoredResource[]> {
  const [onlyKind] = kinds;
  if (options.name !== undefined && onlyKind !== undefined) {
    try {
      return [await store.get(onlyKind, options.namespace, options.name)];
    } catch (error) {
      if (error instanceof NotFoundError) return [];
      throw error;
    }
  }
  const scope = options.allNamespaces ? {} : { namespace: options.namespace };
  const lists = await Promise.all(kinds.map((kind) => store.list(kind, scope)));
  return lists.flat();
}
