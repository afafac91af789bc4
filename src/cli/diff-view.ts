/**
 * The YAML both sides of `diff` are rendered to: the spec (defaults applied), preceded by labels and
 * annotations when either side has any (apply writes them too). Pure.
 */
import { stringify } from "yaml";
import type { ResourceDocument, StoredResource } from "../store/types.js";

/** What `apply` writes for a record, and so what `diff` compares. */
export interface DiffSubject {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: Record<string, unknown>;
}

/** The subject of a document about to be applied. */
export function subjectOfDocument(doc: ResourceDocument): DiffSubject {
  return { labels: doc.metadata.labels ?? {}, annotations: doc.metadata.annotations ?? {}, spec: doc.spec };
}

/** The subject of a stored record. */
export function subjectOfRecord(resource: StoredResource): DiffSubject {
  return {
    labels: resource.metadata.labels,
    annotations: resource.metadata.annotations,
    spec: resource.spec,
  };
}

/**
 * Both sides as YAML text. The stored side's keys follow the desired side's order (DynamoDB maps do not keep
 * the file's order), so only real differences show; keys only the table has come after, sorted.
 */
export function diffTexts(
  stored: DiffSubject | undefined,
  desired: DiffSubject,
): { from: string; to: string } {
  const withMetadata =
    hasEntries(desired.labels) ||
    hasEntries(desired.annotations) ||
    (stored !== undefined && (hasEntries(stored.labels) || hasEntries(stored.annotations)));
  const to = view(desired, withMetadata);
  return {
    from: stored === undefined ? "" : render(orderLike(view(stored, withMetadata), to)),
    to: render(to),
  };
}

function view(subject: DiffSubject, withMetadata: boolean): Record<string, unknown> {
  if (!withMetadata) return { spec: subject.spec };
  const metadata: Record<string, unknown> = {};
  if (hasEntries(subject.labels)) metadata.labels = sortedKeys(subject.labels);
  if (hasEntries(subject.annotations)) metadata.annotations = sortedKeys(subject.annotations);
  return { metadata, spec: subject.spec };
}

function render(value: unknown): string {
  return stringify(value, { lineWidth: 0 });
}

/** `value` with its object keys (at every depth) in `reference`'s order; keys `reference` lacks come last, sorted. */
export function orderLike(value: unknown, reference: unknown): unknown {
  if (Array.isArray(value)) {
    const ref = Array.isArray(reference) ? reference : [];
    return value.map((item, i) => orderLike(item, ref[i]));
  }
  if (!isPlainObject(value)) return value;
  const ref = isPlainObject(reference) ? reference : {};
  const known = Object.keys(ref).filter((k) => k in value);
  const extra = Object.keys(value)
    .filter((k) => !(k in ref))
    .sort();
  return Object.fromEntries([...known, ...extra].map((k) => [k, orderLike(value[k], ref[k])]));
}

function sortedKeys(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => a.localeCompare(b)));
}

function hasEntries(map: Record<string, string>): boolean {
  return Object.keys(map).length > 0;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
