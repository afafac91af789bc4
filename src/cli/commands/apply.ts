/** `fargatectl apply -f … [--dry-run]`: validates everything first, then writes each spec (or says what would change). */
import { specHash } from "../../crds/index.js";
import { ConflictError, NotFoundError } from "../../store/errors.js";
import {
  type ApplyOutcome,
  ApplyOutcome as Outcome,
  type ResourceDocument,
  type ResourceStore,
} from "../../store/types.js";
import type { CliContext } from "../context.js";
import { CliError, ExitCode } from "../errors.js";
import { loadDocuments, readSources, readStdin } from "../input.js";

/** Options of `apply`. */
export interface ApplyOptions {
  files: string[];
  namespace?: string;
  dryRun: boolean;
}

const MAX_CONFLICT_RETRIES = 8;

/** Runs `apply`; returns the exit code. */
export async function runApply(ctx: CliContext, options: ApplyOptions): Promise<number> {
  const loaded = loadDocuments(
    await readSources(options.files, readStdin),
    options.namespace === undefined ? {} : { namespace: options.namespace },
  );
  const errors = loaded.errors;
  if (errors.length > 0) {
    for (const line of errors) ctx.err(`${line}\n`);
    ctx.err(`nothing applied: ${errors.length} error(s)\n`);
    return ExitCode.Negative;
  }
  const store = ctx.store();
  const counts: Record<ApplyOutcome, number> = { created: 0, updated: 0, unchanged: 0 };
  for (const { document } of loaded.documents) {
    const doc = document;
    const outcome = options.dryRun ? await predictOutcome(store, doc) : await applyWithRetry(store, doc);
    counts[outcome] += 1;
    ctx.out(`${describeRef(doc)} ${outcome}${options.dryRun ? " (dry run)" : ""}\n`);
  }
  if (loaded.documents.length === 0) ctx.err("no documents found\n");
  return ExitCode.Ok;
}

/** `kind/name` in lower case, as kubectl prints it, with the namespace when it is not `default`. */
export function describeRef(doc: ResourceDocument): string {
  const ns = doc.metadata.namespace ?? "default";
  return `${doc.kind.toLowerCase()}/${doc.metadata.name}${ns === "default" ? "" : ` (namespace ${ns})`}`;
}

/** Applies one document; re-reads and retries on a conflict unless the document pins a resourceVersion. */
async function applyWithRetry(store: ResourceStore, doc: ResourceDocument): Promise<ApplyOutcome> {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await store.apply(doc)).outcome;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      if (doc.metadata.resourceVersion !== undefined) {
        throw new CliError(
          `${describeRef(doc)}: conflict: the record changed since resourceVersion ${doc.metadata.resourceVersion} (now ${error.current?.metadata.resourceVersion ?? "deleted"}); re-read it or drop metadata.resourceVersion`,
          ExitCode.Failure,
          { cause: error },
        );
      }
      if (attempt >= MAX_CONFLICT_RETRIES) {
        throw new CliError(
          `${describeRef(doc)}: still conflicting after ${attempt + 1} tries`,
          ExitCode.Failure,
          {
            cause: error,
          },
        );
      }
      await new Promise((r) => setTimeout(r, Math.random() * 50 * 2 ** Math.min(attempt, 5)));
    }
  }
}

/** What `apply` would do, without writing. */
async function predictOutcome(store: ResourceStore, doc: ResourceDocument): Promise<ApplyOutcome> {
  try {
    const current = await store.get(doc.kind, doc.metadata.namespace ?? "default", doc.metadata.name);
    const same =
      current.specHash === specHash(doc.spec) &&
      sameMap(current.metadata.labels, doc.metadata.labels) &&
      sameMap(current.metadata.annotations, doc.metadata.annotations);
    return same ? Outcome.Unchanged : Outcome.Updated;
  } catch (error) {
    if (error instanceof NotFoundError) return Outcome.Created;
    throw error;
  }
}

function sameMap(a: Record<string, string>, b: Record<string, string> | undefined): boolean {
  const bb = b ?? {};
  const ka = Object.keys(a);
  return ka.length === Object.keys(bb).length && ka.every((k) => a[k] === bb[k]);
}
