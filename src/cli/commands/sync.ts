/**
 * `fargatectl sync DIR --source NAME [--prune] [--dry-run]`: makes the table match a directory of specs.
 * Everything is validated and every ownership question answered before the first write; nothing is written
 * when any document is invalid or any record belongs to someone else.
 */
import { KINDS } from "../../crds/index.js";
import { ConflictError, NotFoundError } from "../../store/errors.js";
import type { ResourceDocument, ResourceStore, StoredResource } from "../../store/types.js";
import type { CliContext } from "../context.js";
import { CliError, ExitCode } from "../errors.js";
import { loadDocuments, readSources, readStdin } from "../input.js";
import {
  countActions,
  duplicateErrors,
  formatPlanLine,
  keyOf,
  type PlannedChange,
  planDocument,
  planSync,
  refOfDocument,
  SOURCE_LABEL,
  SyncAction,
  withSourceLabel,
} from "../sync-plan.js";
import { readCurrent } from "./diff.js";

/** Options of `sync`. */
export interface SyncOptions {
  dir: string;
  source: string;
  prune: boolean;
  dryRun: boolean;
  forceAdopt: boolean;
  /** With --prune, allow a directory with no documents (which deletes every record of the source). */
  allowEmpty: boolean;
  /** Limit the sync (documents and prune) to one namespace. */
  namespace?: string;
}

const MAX_CONFLICT_RETRIES = 5;
const READ_CONCURRENCY = 8;

/** Runs `sync`; returns the exit code (0 done or nothing to do, 1 dry run found changes, 2 error). */
export async function runSync(ctx: CliContext, options: SyncOptions): Promise<number> {
  if (options.dir === "-") throw new CliError("sync reads a directory, not stdin", ExitCode.Failure);
  const documents = await loadDirectory(ctx, options);
  if (documents === undefined) return ExitCode.Failure;
  if (documents.length === 0 && options.prune && !options.allowEmpty) {
    throw new CliError(
      `${options.dir} holds no documents; with --prune that would delete every record of source "${options.source}" (pass --allow-empty if that is what you want)`,
      ExitCode.Failure,
    );
  }

  const store = ctx.store();
  const current = await readAll(store, documents);
  const owned = options.prune ? await listOwned(store, options) : [];
  const plan = planSync({
    source: options.source,
    documents,
    current,
    owned,
    prune: options.prune,
    forceAdopt: options.forceAdopt,
  });
  if (plan.refusals.length > 0) {
    for (const refusal of plan.refusals) ctx.err(`${refusal}\n`);
    ctx.err(`nothing applied: ${plan.refusals.length} record(s) refused\n`);
    return ExitCode.Failure;
  }

  for (const change of plan.changes) ctx.out(`${formatPlanLine(change)}\n`);
  const counts = countActions(plan.changes);
  const pending = counts.create + counts.update + counts.adopt + counts.delete;
  if (options.dryRun) {
    ctx.out(`${summary(counts, true)} (source ${options.source}, dry run: nothing written)\n`);
    return pending > 0 ? ExitCode.Negative : ExitCode.Ok;
  }

  let done = 0;
  for (const change of plan.changes) {
    if (change.action === SyncAction.Unchanged) continue;
    try {
      await carryOut(store, change, options);
    } catch (error) {
      ctx.err(`stopped after ${done} of ${pending} change(s)\n`);
      throw error;
    }
    done += 1;
  }
  ctx.out(`${summary(counts, false)} (source ${options.source})\n`);
  return ExitCode.Ok;
}

/** Loads, validates and labels every document; prints every error and returns undefined when any. */
async function loadDirectory(ctx: CliContext, options: SyncOptions): Promise<ResourceDocument[] | undefined> {
  const loaded = loadDocuments(
    await readSources([options.dir], readStdin),
    options.namespace === undefined ? {} : { namespace: options.namespace },
  );
  const errors = [...loaded.errors, ...duplicateErrors(loaded.documents)];
  const documents: ResourceDocument[] = [];
  for (const { source, document } of loaded.documents) {
    const labelled = withSourceLabel(document, options.source);
    if (typeof labelled === "string") errors.push(`${source}: ${labelled}`);
    else documents.push(labelled);
  }
  if (errors.length === 0) return documents;
  for (const line of errors) ctx.err(`${line}\n`);
  ctx.err(`nothing applied: ${errors.length} error(s)\n`);
  return undefined;
}

async function readAll(
  store: ResourceStore,
  documents: readonly ResourceDocument[],
): Promise<Map<string, StoredResource>> {
  const out = new Map<string, StoredResource>();
  for (let i = 0; i < documents.length; i += READ_CONCURRENCY) {
    const batch = documents.slice(i, i + READ_CONCURRENCY);
    const records = await Promise.all(batch.map((doc) => readCurrent(store, doc)));
    records.forEach((record, j) => {
      const doc = batch[j];
      if (record !== undefined && doc !== undefined) out.set(keyOf(refOfDocument(doc)), record);
    });
  }
  return out;
}

async function listOwned(store: ResourceStore, options: SyncOptions): Promise<StoredResource[]> {
  const scope = options.namespace === undefined ? {} : { namespace: options.namespace };
  const lists = await Promise.all(KINDS.map((kind) => store.list(kind, scope)));
  return lists.flat().filter((r) => r.metadata.labels[SOURCE_LABEL] === options.source);
}

/**
 * Writes one change. Updates are conditional on the version read while planning; when someone wrote in
 * between, the record is read again and planned again, so a record another source took meanwhile is refused.
 */
async function carryOut(store: ResourceStore, planned: PlannedChange, options: SyncOptions): Promise<void> {
  let change = planned;
  for (let attempt = 0; ; attempt++) {
    try {
      await write(store, change, options.source);
      return;
    } catch (error) {
      if (!(error instanceof ConflictError) || change.document === undefined) throw error;
      if (attempt >= MAX_CONFLICT_RETRIES) {
        throw new CliError(
          `${formatPlanLine(change)}: still conflicting after ${attempt + 1} tries`,
          ExitCode.Failure,
          {
            cause: error,
          },
        );
      }
      const fresh = await readCurrent(store, change.document);
      const replanned = planDocument(change.document, fresh, options.source, options.forceAdopt);
      if (typeof replanned === "string") throw new CliError(replanned, ExitCode.Failure, { cause: error });
      change = replanned;
    }
  }
}

async function write(store: ResourceStore, change: PlannedChange, source: string): Promise<void> {
  const { kind, namespace, name } = change.ref;
  switch (change.action) {
    case SyncAction.Create:
      if (change.document !== undefined) await store.create(change.document);
      return;
    case SyncAction.Update:
    case SyncAction.Adopt:
      if (change.document !== undefined) {
        await store.apply(
          change.document,
          change.current === undefined
            ? {}
            : { expectedResourceVersion: change.current.metadata.resourceVersion },
        );
      }
      return;
    case SyncAction.Delete: {
      // Read again just before deleting: a record adopted by another source since the listing stays.
      let fresh: StoredResource;
      try {
        fresh = await store.get(kind, namespace, name);
      } catch (error) {
        if (error instanceof NotFoundError) return;
        throw error;
      }
      if (fresh.metadata.labels[SOURCE_LABEL] !== source || fresh.metadata.deletionTimestamp !== undefined)
        return;
      await store.delete(kind, namespace, name);
      return;
    }
    case SyncAction.Unchanged:
      return;
  }
}

function summary(counts: ReturnType<typeof countActions>, dryRun: boolean): string {
  const parts = dryRun
    ? [
        `${counts.create} to create`,
        `${counts.update} to update`,
        ...(counts.adopt > 0 ? [`${counts.adopt} to adopt`] : []),
        `${counts.delete} to delete`,
      ]
    : [
        `${counts.create} created`,
        `${counts.update} updated`,
        ...(counts.adopt > 0 ? [`${counts.adopt} adopted`] : []),
        `${counts.delete} deleted`,
      ];
  return `${[...parts, `${counts.unchanged} unchanged`].join(", ")}`;
}
