/**
 * GitOps sync's plan: which records a directory creates, updates, adopts, leaves alone or prunes, and what it
 * refuses to touch. Pure: the command reads the table and carries the plan out.
 */
import { canonicalJson, specHash } from "../crds/index.js";
import type { Kind } from "../crds/meta.js";
import type { ResourceDocument, StoredResource } from "../store/types.js";

/** The label sync writes on every record it applies: the source (repository) that owns the record. */
export const SOURCE_LABEL = "fargate-operator/source";

// A Kubernetes label value: the source name is written into metadata.labels.
const SOURCE_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Parses `--source`; throws an Error saying what a name may contain. */
export function parseSourceName(raw: string): string {
  if (!SOURCE_NAME.test(raw)) {
    throw new Error(
      `--source ${JSON.stringify(raw)}: use 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (e.g. my-repo)`,
    );
  }
  return raw;
}

/** What sync does to one record. */
export const SyncAction = {
  Create: "create",
  Update: "update",
  /** Take over a record of another source (or a hand-written one): only with --force-adopt. */
  Adopt: "adopt",
  Unchanged: "unchanged",
  Delete: "delete",
} as const;

/** One of the SyncAction values. */
export type SyncAction = (typeof SyncAction)[keyof typeof SyncAction];

/** A record's identity. */
export interface RecordRef {
  kind: Kind;
  namespace: string;
  name: string;
}

/** One step of the plan. */
export interface PlannedChange {
  action: SyncAction;
  ref: RecordRef;
  /** The labelled document to write (absent for deletes). */
  document?: ResourceDocument;
  /** The record as read while planning (absent for creates). */
  current?: StoredResource;
  /** Extra words for the plan line (`was source other-repo`). */
  note?: string;
}

/** The plan, and every reason not to carry it out. */
export interface SyncPlan {
  changes: PlannedChange[];
  refusals: string[];
}

/** What planning needs. */
export interface SyncPlanInput {
  source: string;
  /** Documents from the directory, validated, already labelled with `withSourceLabel`. */
  documents: readonly ResourceDocument[];
  /** The stored record for each document's key (`keyOf`), when it exists. */
  current: ReadonlyMap<string, StoredResource>;
  /** Records labelled with this source (read only with --prune). */
  owned: readonly StoredResource[];
  prune: boolean;
  forceAdopt: boolean;
}

/** `Kind/namespace/name`. */
export function keyOf(ref: RecordRef): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}

/** The identity of a document (namespace defaulted). */
export function refOfDocument(doc: ResourceDocument): RecordRef {
  return { kind: doc.kind, namespace: doc.metadata.namespace ?? "default", name: doc.metadata.name };
}

/** The identity of a stored record. */
export function refOfRecord(resource: StoredResource): RecordRef {
  return { kind: resource.kind, namespace: resource.metadata.namespace, name: resource.metadata.name };
}

/** `fargateservice/web`, with ` (namespace ns)` outside `default` — as `apply` prints records. */
export function describeRecordRef(ref: RecordRef): string {
  return `${ref.kind.toLowerCase()}/${ref.name}${ref.namespace === "default" ? "" : ` (namespace ${ref.namespace})`}`;
}

/**
 * The document with the source label set; an error text when the document already names another source
 * (a file cannot claim to belong to another repository).
 */
export function withSourceLabel(doc: ResourceDocument, source: string): ResourceDocument | string {
  const labels = doc.metadata.labels ?? {};
  const given = labels[SOURCE_LABEL];
  if (given !== undefined && given !== source) {
    return `${describeRecordRef(refOfDocument(doc))}: metadata.labels["${SOURCE_LABEL}"] is "${given}" but --source is "${source}" (remove the label: sync sets it)`;
  }
  return { ...doc, metadata: { ...doc.metadata, labels: { ...labels, [SOURCE_LABEL]: source } } };
}

/** Errors for records defined twice in one directory (the later would silently win). */
export function duplicateErrors(
  documents: ReadonlyArray<{ source: string; document: ResourceDocument }>,
): string[] {
  const seen = new Map<string, string>();
  const errors: string[] = [];
  for (const { source, document } of documents) {
    const ref = refOfDocument(document);
    const first = seen.get(keyOf(ref));
    if (first === undefined) seen.set(keyOf(ref), source);
    else errors.push(`${source}: ${describeRecordRef(ref)} is also defined in ${first} (keep one)`);
  }
  return errors;
}

/** True when writing `doc` would change the record (the store's own notion of "unchanged"). */
export function needsWrite(doc: ResourceDocument, current: StoredResource): boolean {
  return !(
    current.specHash === specHash(doc.spec) &&
    current.apiVersion === doc.apiVersion &&
    sameJson(doc.metadata.labels ?? {}, current.metadata.labels) &&
    sameJson(doc.metadata.annotations ?? {}, current.metadata.annotations) &&
    sameJson(doc.metadata.ownerReferences ?? [], current.metadata.ownerReferences)
  );
}

/** Plans one document against its stored record: a change, or a refusal text. */
export function planDocument(
  doc: ResourceDocument,
  current: StoredResource | undefined,
  source: string,
  forceAdopt: boolean,
): PlannedChange | string {
  const ref = refOfDocument(doc);
  if (current === undefined) return { action: SyncAction.Create, ref, document: doc };
  const what = describeRecordRef(ref);
  if (current.metadata.deletionTimestamp !== undefined) {
    return `${what} is being deleted (since ${current.metadata.deletionTimestamp}); wait until it is gone (fargatectl wait ${ref.kind.toLowerCase()}/${ref.name} -n ${ref.namespace} --for delete) and sync again`;
  }
  const owner = current.metadata.labels[SOURCE_LABEL];
  if (owner !== source) {
    const held =
      owner === undefined
        ? "has no source label (written by hand or by apply)"
        : `belongs to source "${owner}"`;
    if (!forceAdopt) {
      return `${what} exists and ${held}; sync does not take over records it does not own (pass --force-adopt to make "${source}" its owner)`;
    }
    return {
      action: SyncAction.Adopt,
      ref,
      document: doc,
      current,
      note: owner === undefined ? "was unlabelled" : `was source ${owner}`,
    };
  }
  return {
    action: needsWrite(doc, current) ? SyncAction.Update : SyncAction.Unchanged,
    ref,
    document: doc,
    current,
  };
}

/**
 * The whole plan: one change per document (in directory order), then, with prune, a delete for every record
 * of this source that the directory no longer defines. Records of other sources and unlabelled ones are never
 * deleted; records already being deleted are left to finish.
 */
export function planSync(input: SyncPlanInput): SyncPlan {
  const changes: PlannedChange[] = [];
  const refusals: string[] = [];
  const wanted = new Set<string>();
  for (const doc of input.documents) {
    const key = keyOf(refOfDocument(doc));
    wanted.add(key);
    const planned = planDocument(doc, input.current.get(key), input.source, input.forceAdopt);
    if (typeof planned === "string") refusals.push(planned);
    else changes.push(planned);
  }
  if (input.prune) {
    for (const record of input.owned) {
      const ref = refOfRecord(record);
      if (wanted.has(keyOf(ref))) continue;
      if (record.metadata.labels[SOURCE_LABEL] !== input.source) continue;
      if (record.metadata.deletionTimestamp !== undefined) continue;
      changes.push({ action: SyncAction.Delete, ref, current: record });
    }
  }
  return { changes, refusals };
}

/** Counts of each action. */
export function countActions(changes: readonly PlannedChange[]): Record<SyncAction, number> {
  const counts: Record<SyncAction, number> = { create: 0, update: 0, adopt: 0, unchanged: 0, delete: 0 };
  for (const change of changes) counts[change.action] += 1;
  return counts;
}

/** One plan line: the action padded to a column, then the record. */
export function formatPlanLine(change: PlannedChange): string {
  const note = change.note === undefined ? "" : ` (${change.note})`;
  return `${change.action.padEnd(9)} ${describeRecordRef(change.ref)}${note}`;
}

function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
