/** `fargatectl get events [-n NS|-A] [--for KIND/NAME] [-w]`: the records' events, as kubectl lists them. */

import { stringify } from "yaml";
import { resolveKind } from "../../crds/index.js";
import { StoreUnavailableError, TableNotFoundError } from "../../store/errors.js";
import type { EventLog, EventQuery, EventView } from "../../store/events.js";
import { nextDelay, pause, WATCH_BACKOFF } from "../backoff.js";
import type { CliContext } from "../context.js";
import { CliError, ExitCode } from "../errors.js";
import { eventRows, formatEventTable } from "../event-view.js";
import { alignColumns, type OutputFormat } from "../output.js";

/** Options of `get events`. */
export interface EventsOptions {
  namespace: string;
  allNamespaces: boolean;
  /** `KIND/NAME`: one record's events. */
  for?: string;
  output: OutputFormat;
  /** After listing, print each new or repeated event until `signal` aborts. */
  watch?: { signal: AbortSignal; intervalMs?: number };
}

function queryOf(options: EventsOptions): EventQuery {
  if (options.for === undefined) return options.allNamespaces ? {} : { namespace: options.namespace };
  if (options.allNamespaces)
    throw new CliError("--for names one record: give -n NS, not -A", ExitCode.Failure);
  const [kind, name, ...rest] = options.for.split("/");
  if (kind === undefined || name === undefined || name === "" || rest.length > 0) {
    throw new CliError(
      `--for takes KIND/NAME, e.g. fs/web (got ${JSON.stringify(options.for)})`,
      ExitCode.Failure,
    );
  }
  return { namespace: options.namespace, involved: { kind: resolveKind(kind), name } };
}

/** A series' identity across polls (its count and last time move). */
function seriesKey(event: EventView): string {
  const { kind, namespace, name } = event.involved;
  return JSON.stringify([
    kind,
    namespace,
    name,
    event.type,
    event.reason,
    event.message,
    event.firstTimestamp,
  ]);
}

/** Runs `get events`; returns the exit code. */
export async function runGetEvents(ctx: CliContext, options: EventsOptions): Promise<number> {
  const query = queryOf(options);
  const log: EventLog | undefined = ctx.store().events;
  if (log === undefined) throw new CliError("this store keeps no events", ExitCode.Failure);
  const events = await log.list(query);
  if (options.output !== "table") {
    ctx.out(
      options.output === "json"
        ? `${JSON.stringify({ items: events }, null, 2)}\n`
        : stringify({ items: events }),
    );
  } else if (events.length === 0) {
    ctx.err(options.allNamespaces ? "no events\n" : `no events in namespace ${options.namespace}\n`);
  } else {
    ctx.out(formatEventTable(events, options.allNamespaces, ctx.now()));
  }
  if (options.watch === undefined) return ExitCode.Ok;
  return await follow(ctx, log, query, options, events, options.watch);
}

/** Polls and prints a line per new or repeated event (as `kubectl get events -w`) until the signal aborts. */
async function follow(
  ctx: CliContext,
  log: EventLog,
  query: EventQuery,
  options: EventsOptions,
  initial: readonly EventView[],
  watch: { signal: AbortSignal; intervalMs?: number },
): Promise<number> {
  const seen = new Map(initial.map((e) => [seriesKey(e), e.lastTimestamp + e.count]));
  const policy =
    watch.intervalMs === undefined ? WATCH_BACKOFF : { ...WATCH_BACKOFF, initialMs: watch.intervalMs };
  let delay = policy.initialMs;
  let failing = false;
  for (;;) {
    await pause(delay, watch.signal);
    if (watch.signal.aborted) return ExitCode.Ok;
    let events: EventView[];
    try {
      events = await log.list(query);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError) || error instanceof TableNotFoundError) throw error;
      if (!failing) ctx.err(`warning: cannot read the table (${error.message}); retrying\n`);
      failing = true;
      delay = nextDelay(delay, { ...policy, maxMs: 30_000 });
      continue;
    }
    failing = false;
    const fresh = events.filter((e) => seen.get(seriesKey(e)) !== e.lastTimestamp + e.count);
    for (const e of fresh) seen.set(seriesKey(e), e.lastTimestamp + e.count);
    if (fresh.length > 0) {
      // Rows only (no header), padded like a table of their own.
      const [, ...rows] = eventRows(fresh, options.allNamespaces, ctx.now());
      ctx.out(alignColumns(rows));
    }
    delay = fresh.length > 0 ? policy.initialMs : nextDelay(delay, policy);
  }
}
