/**
 * Parses YAML (and so JSON) text into documents that remember where each value came from, and formats issues
 * as `file:line:col: path: what is wrong (how to fix it)`. Pure: the caller reads the file.
 */
import { type Document, isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseAllDocuments } from "yaml";
import { type DocumentPath, formatPath, type ValidationIssue } from "./issues.js";

/** A 1-based line and column in the source text. */
export interface SourcePosition {
  line: number;
  col: number;
}

/** One document of a YAML stream. */
export interface ParsedDocument {
  /** Position of the document in the stream, counting from 0 (empty documents count but are not returned). */
  index: number;
  /** The document as plain JSON values. */
  value: unknown;
  /**
   * Where a path points in the source: a map entry's key, a list item's start. When the path goes further than
   * the text (a missing field), the deepest part that exists: the parent object.
   */
  positionOf(path: DocumentPath): SourcePosition;
}

/** A YAML syntax error; its document is left out of `documents`. */
export interface YamlSyntaxError {
  line: number;
  col: number;
  message: string;
  /** Position of the broken document in the stream. */
  index: number;
}

/** Documents and syntax errors of one YAML stream. */
export interface ParseResult {
  documents: ParsedDocument[];
  syntaxErrors: YamlSyntaxError[];
}

function startOf(node: unknown): number | undefined {
  return isNode(node) && node.range ? node.range[0] : undefined;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === "string" || typeof key === "number" ? String(key) : undefined;
}

/** Offset in the text of the deepest node along `path`. */
function offsetOf(document: Document.Parsed, path: DocumentPath): number {
  let node: unknown = document.contents;
  let offset = startOf(node) ?? document.range[0];
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(document);
    if (isMap(node)) {
      const pair = node.items.find((item) => keyText(item.key) === String(segment));
      if (pair === undefined) break;
      offset = startOf(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment];
      if (item === undefined) break;
      offset = startOf(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

/** yaml appends " at line L, column C:" and a code frame to its messages; the position is reported apart. */
function bareMessage(message: string): string {
  return message.replace(/ at line \d+, column \d+:?[\s\S]*$/, "").trim();
}

/** Parses a YAML or JSON stream; `source` names it in messages (a file name, or `-` for stdin). */
export function parseDocuments(text: string, source: string): ParseResult {
  const lineCounter = new LineCounter();
  const documents: ParsedDocument[] = [];
  const syntaxErrors: YamlSyntaxError[] = [];
  const stream = parseAllDocuments(text, { lineCounter, prettyErrors: true });
  stream.forEach((document, index) => {
    if (document.errors.length > 0) {
      for (const error of document.errors) {
        const at = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
        syntaxErrors.push({ line: at.line, col: at.col, message: bareMessage(error.message), index });
      }
      return;
    }
    const contents = document.contents;
    // an empty document (a lone `---` or only comments) parses as a null scalar with no source text
    if (contents === null || (isScalar(contents) && contents.value === null && !contents.source)) return;
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: 100 });
    } catch (error) {
      // e.g. an alias bomb: report it like a syntax error at the document's start
      const at = lineCounter.linePos(document.range[0]);
      const message = error instanceof Error ? error.message : String(error);
      syntaxErrors.push({ line: at.line, col: at.col, message: `${source}: ${message}`, index });
      return;
    }
    documents.push({
      index,
      value,
      positionOf: (path) => {
        const { line, col } = lineCounter.linePos(offsetOf(document, path));
        return { line, col };
      },
    });
  });
  return { documents, syntaxErrors };
}

/** `file:line:col: spec.containers[0].image: <what is wrong> (<how to fix it>)`. */
export function formatIssue(source: string, position: SourcePosition, issue: ValidationIssue): string {
  return `${source}:${position.line}:${position.col}: ${formatPath(issue.path)}: ${issue.message} (${issue.hint})`;
}
