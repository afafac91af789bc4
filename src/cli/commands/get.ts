/** `fargatectl get KIND [NAME]` and `fargatectl describe KIND NAME`. */
import { resolveKind } from "../../crds/index.js";
import type { Kind } from "../../crds/meta.js";
import { NotFoundError } from "../../store/errors.js";
import type { CliContext } from "../context.js";
import { CliError, ExitCode } from "../errors.js";
import { formatEventsSection } from "../event-view.js";
import { formatDescription, formatRecords, formatTable, type OutputFormat } from "../output.js";

/** Options of `get`. */
export interface GetOptions {
  kind: string;
  name?: string;
  namespace: string;
  allNamespaces: boolean;
  output: OutputFormat;
}

/** Runs `get`; returns the exit code. */
export async function runGet(ctx: CliContext, options: GetOptions): Promise<number> {
  const kind = resolveKind(options.kind);
  const store = ctx.store();
  if (options.name !== undefined) {
    if (options.allNamespaces)
      throw new CliError("-A lists; give -n NS to get one record by name", ExitCode.Failure);
    const ref = `${kind.toLowerCase()}/${options.name} in namespace ${options.namespace}`;
    const record = await getOrNotFound(ctx, ref, () =>
      store.get(kind, options.namespace, options.name ?? ""),
    );
    if (record === undefined) return ExitCode.Negative;
    if (options.output === "table") ctx.out(formatTable(kind, [record], false, ctx.now()));
    else ctx.out(formatRecords([record], options.output, true));
    return ExitCode.Ok;
  }
  const records = await store.list(kind, options.allNamespaces ? {} : { namespace: options.namespace });
  if (options.output !== "table") {
    ctx.out(formatRecords(records, options.output, false));
  } else if (records.length === 0) {
    ctx.err(
      options.allNamespaces
        ? `no ${kind} records\n`
        : `no ${kind} records in namespace ${options.namespace}\n`,
    );
  } else {
    ctx.out(formatTable(kind, records, options.allNamespaces, ctx.now()));
  }
  return ExitCode.Ok;
}

/** Runs `describe`; returns the exit code. */
export async function runDescribe(
  ctx: CliContext,
  kindName: string,
  name: string,
  namespace: string,
): Promise<number> {
  const kind = resolveKind(kindName);
  const ref = `${kind.toLowerCase()}/${name} in namespace ${namespace}`;
  const record = await getOrNotFound(ctx, ref, () => ctx.store().get(kind, namespace, name));
  if (record === undefined) return ExitCode.Negative;
  ctx.out(formatDescription(record, ctx.now()));
  ctx.out(await eventsSection(ctx, kind, namespace, name));
  return ExitCode.Ok;
}

/** describe's `Events:`; a read that fails (no access to the events' key) says so instead of failing describe. */
async function eventsSection(ctx: CliContext, kind: Kind, namespace: string, name: string): Promise<string> {
  const events = ctx.store().events;
  try {
    const list = await events?.list({ namespace, involved: { kind, name } });
    return formatEventsSection(list, ctx.now());
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return `Events:       <unavailable: ${message}>\n`;
  }
}

async function getOrNotFound<T>(
  ctx: CliContext,
  ref: string,
  read: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof NotFoundError) {
      ctx.err(`not found: ${ref}\n`);
      return undefined;
    }
    throw error;
  }
}
