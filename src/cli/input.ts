/** Reads `-f` sources (files, directories, `-` for stdin), parses and validates every document. */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { type DocumentPath, formatIssue, parseDocuments, type SourcePosition } from "../crds/index.js";
import { validateDocumentForAws } from "../render/index.js";
import type { ResourceDocument } from "../store/types.js";

/** A document that passed validation, with where it came from. */
export interface LoadedDocument {
  source: string;
  index: number;
  document: ResourceDocument;
  /** Where a path of the document is in its source (for messages about a valid document). */
  positionOf?: (path: DocumentPath) => SourcePosition;
}

/** The outcome of loading: every valid document and every error line (formatted `file:line:col: ...`). */
export interface LoadResult {
  documents: LoadedDocument[];
  errors: string[];
}

const SPEC_FILE = /\.(ya?ml|json)$/i;

/** Expands `-f` arguments into `{source, text}` pairs; directories are walked recursively in name order. */
export async function readSources(
  paths: readonly string[],
  readStdin: () => Promise<string>,
): Promise<Array<{ source: string; text: string }>> {
  const out: Array<{ source: string; text: string }> = [];
  for (const path of paths) {
    if (path === "-") {
      out.push({ source: "<stdin>", text: await readStdin() });
      continue;
    }
    const info = await stat(path).catch((cause: unknown) => {
      throw new Error(`${path}: cannot read (${cause instanceof Error ? cause.message : String(cause)})`, {
        cause,
      });
    });
    if (info.isDirectory()) {
      for (const file of await walk(path)) out.push({ source: file, text: await readFile(file, "utf8") });
    } else {
      out.push({ source: path, text: await readFile(path, "utf8") });
    }
  }
  return out;
}

async function walk(dir: string): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const files: string[] = [];
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(full)));
    else if (entry.isFile() && SPEC_FILE.test(entry.name)) files.push(full);
  }
  return files;
}

/** Options of `loadDocuments`. */
export interface LoadOptions {
  /** `-n`: fills `metadata.namespace` where a document has none; a document naming another is an error. */
  namespace?: string;
}

/** Parses and validates every source; reports every problem of every document at once. */
export function loadDocuments(
  sources: ReadonlyArray<{ source: string; text: string }>,
  options: LoadOptions = {},
): LoadResult {
  const documents: LoadedDocument[] = [];
  const errors: string[] = [];
  for (const { source, text } of sources) {
    const parsed = parseDocuments(text, source);
    for (const syntax of parsed.syntaxErrors) {
      errors.push(`${source}:${syntax.line}:${syntax.col}: ${syntax.message} (fix the YAML syntax)`);
    }
    if (parsed.syntaxErrors.length > 0) continue;
    for (const doc of parsed.documents) {
      if (doc.value === null || doc.value === undefined) continue; // an empty document between `---`
      const pinned = namespaceOf(doc.value);
      if (options.namespace !== undefined && pinned !== undefined && pinned !== options.namespace) {
        const at = doc.positionOf(["metadata", "namespace"]);
        errors.push(
          `${source}:${at.line}:${at.col}: metadata.namespace: is "${pinned}" but -n says "${options.namespace}" (drop -n or make them agree)`,
        );
        continue;
      }
      const value = options.namespace === undefined ? doc.value : withNamespace(doc.value, options.namespace);
      const result = validateDocumentForAws(value);
      if (result.ok) {
        documents.push({
          source,
          index: doc.index,
          document: result.document as ResourceDocument,
          positionOf: (path) => doc.positionOf(path),
        });
      } else {
        for (const issue of result.issues)
          errors.push(formatIssue(source, doc.positionOf(issue.path), issue));
      }
    }
  }
  return { documents, errors };
}

function namespaceOf(value: unknown): string | undefined {
  const metadata = isObject(value) ? value.metadata : undefined;
  const namespace = isObject(metadata) ? metadata.namespace : undefined;
  return typeof namespace === "string" ? namespace : undefined;
}

function withNamespace(value: unknown, namespace: string): unknown {
  if (!isObject(value) || !isObject(value.metadata) || value.metadata.namespace !== undefined) return value;
  return { ...value, metadata: { ...value.metadata, namespace } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads all of stdin as text. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}
