/** `fargatectl diff -f FILES`: a unified YAML diff of each document against its record (exit 0 same, 1 differs, 2 error). */
import { NotFoundError } from "../../store/errors.js";
import type { ResourceDocument, ResourceStore, StoredResource } from "../../store/types.js";
import type { CliContext } from "../context.js";
import { diffTexts, subjectOfDocument, subjectOfRecord } from "../diff-view.js";
import { ExitCode } from "../errors.js";
import { type LoadedDocument, loadDocuments, readSources, readStdin } from "../input.js";
import { unifiedDiff } from "../unified-diff.js";

/** Options of `diff`. */
export interface DiffOptions {
  files: string[];
  namespace?: string;
}

/** Runs `diff`; returns the exit code. */
export async function runDiff(ctx: CliContext, options: DiffOptions): Promise<number> {
  const loaded = loadDocuments(
    await readSources(options.files, readStdin),
    options.namespace === undefined ? {} : { namespace: options.namespace },
  );
  if (loaded.errors.length > 0) {
    for (const line of loaded.errors) ctx.err(`${line}\n`);
    ctx.err(`nothing compared: ${loaded.errors.length} error(s)\n`);
    return ExitCode.Failure;
  }
  if (loaded.documents.length === 0) ctx.err("no documents found\n");
  const store = ctx.store();
  let differing = 0;
  for (const loadedDoc of loaded.documents) {
    const text = documentDiff(loadedDoc, await readCurrent(store, loadedDoc.document));
    if (text !== "") {
      differing += 1;
      ctx.out(text);
    }
  }
  return differing > 0 ? ExitCode.Negative : ExitCode.Ok;
}

/** The unified diff of one document against its stored record (absent: every line added). Pure. */
export function documentDiff(loaded: LoadedDocument, current: StoredResource | undefined): string {
  const doc = loaded.document;
  const namespace = doc.metadata.namespace ?? "default";
  const { from, to } = diffTexts(
    current === undefined ? undefined : subjectOfRecord(current),
    subjectOfDocument(doc),
  );
  const absent = current === undefined ? " (absent)" : "";
  const deleting = current?.metadata.deletionTimestamp === undefined ? "" : " (being deleted)";
  return unifiedDiff(from, to, {
    fromLabel: `table ${doc.kind} ${namespace}/${doc.metadata.name}${absent}${deleting}`,
    toLabel: `${loaded.source}${loaded.index > 0 ? ` (document ${loaded.index + 1})` : ""}`,
  });
}

/** The stored record, or undefined when there is none. */
export async function readCurrent(
  store: ResourceStore,
  doc: ResourceDocument,
): Promise<StoredResource | undefined> {
  try {
    return await store.get(doc.kind, doc.metadata.namespace ?? "default", doc.metadata.name);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}
