/** What the CloudMapNamespace machine knows during one pass: its input, its steps' results, and readers. Pure. */
import type { CloudMapNamespaceInfo, CloudMapOperation, TagMap } from "../../aws/types.js";
import type { CloudMapNamespaceSpec, CloudMapNamespaceStatus, ObjectMeta } from "../../crds/index.js";
import type { PassOutput } from "../../runtime/machine-runner.js";
import { ConditionType, findCondition } from "../conditions.js";
import { isOurs, Ownership, ownershipOf } from "../ownership.js";
import { NamespaceReason } from "./outcomes.js";

/** What one pass starts from: the re-read record, its spec validated with defaults applied. */
export interface NamespacePassInput {
  metadata: Pick<ObjectMeta, "uid" | "name" | "namespace" | "generation" | "finalizers"> & {
    deletionTimestamp?: string | undefined;
    /** The random uid an earlier version stored in the item, if still there (its namespaces are ours too). */
    legacyUid?: string | undefined;
  };
  spec: CloudMapNamespaceSpec;
  status: CloudMapNamespaceStatus;
}

/** The kind's status as the runner's PassOutput wants it (a plain record). */
export type NamespaceStatusFields = CloudMapNamespaceStatus & Record<string, unknown>;

/** Status fields a pass sets (`undefined` removes one). */
export type NamespaceStatusPatch = PassOutput<NamespaceStatusFields>["status"];

/** A pass's outcome: the runner's PassOutput plus what the reconciler does around the status write. */
export interface NamespacePassOutput extends PassOutput<NamespaceStatusFields> {
  /** True when the status must not be written: the record was released (it may be gone) or is not ours. */
  skipStatusWrite: boolean;
  /** After the status write, fail the pass permanently with this (no retry until the spec changes). */
  permanentFailure?: { reason: string; message: string };
}

/** Result of a namespace read: NotFound is an answer, not an error. */
export type NamespaceLookup = { found: true; namespace: CloudMapNamespaceInfo } | { found: false };

/** Result of an operation read: AWS forgets old operations, so NotFound is an answer. */
export type OperationLookup = { found: true; operation: CloudMapOperation } | { found: false };

/** Result of a create request. */
export type CreateOutcome =
  | { type: "submitted"; operationId: string }
  | { type: "alreadyExists"; existingId?: string | undefined; creatorRequestId?: string | undefined };

/** Result of a delete request. */
export type DeleteOutcome = { type: "submitted"; operationId: string } | { type: "inUse" } | { type: "gone" };

/** Everything a pass has learnt so far. */
export interface NamespaceContext extends NamespacePassInput {
  /** Status fields to write at the end of the pass. */
  patch: NamespaceStatusPatch;
  /** The namespace this pass works on. */
  namespaceId?: string | undefined;
  /** A delete operation started by an earlier pass (only while deleting). */
  deleteOperationId?: string | undefined;
  lookup?: NamespaceLookup | undefined;
  operation?: OperationLookup | undefined;
  created?: CreateOutcome | undefined;
  tags?: TagMap | undefined;
  services?: string[] | undefined;
  deleted?: DeleteOutcome | undefined;
  output?: NamespacePassOutput | undefined;
}

/** A machine invariant: the value a step needs is there (a decision state made sure of it). */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`cloud-map-namespace machine: ${what} missing`);
  return value;
}

/** The namespace the last read found, if any. */
export function foundNamespace(context: NamespaceContext): CloudMapNamespaceInfo | undefined {
  return context.lookup?.found === true ? context.lookup.namespace : undefined;
}

/** The operation the last read found, if any. */
export function foundOperation(context: NamespaceContext): CloudMapOperation | undefined {
  return context.operation?.found === true ? context.operation.operation : undefined;
}

/** What AWS said about the namespace that blocked our create, if it did. */
export function existingNamespace(
  context: NamespaceContext,
): Extract<CreateOutcome, { type: "alreadyExists" }> | undefined {
  return context.created?.type === "alreadyExists" ? context.created : undefined;
}

/** True when a CreatorRequestId is this record's uid (or the legacy uid an earlier version gave it). */
export function isOurRequest(context: NamespacePassInput, creatorRequestId: string | undefined): boolean {
  const { uid, legacyUid } = context.metadata;
  return creatorRequestId !== undefined && (creatorRequestId === uid || creatorRequestId === legacyUid);
}

/** Ours: tagged with our identity, or untagged but created with our uid as CreatorRequestId. */
export function ownsNamespace(context: NamespaceContext): boolean {
  const ownership = ownershipOf(context.tags ?? {}, context.metadata);
  if (isOurs(ownership)) return true;
  return ownership === Ownership.Unowned && isOurRequest(context, foundNamespace(context)?.creatorRequestId);
}

/** True when the record's Ready condition says it adopted namespace `id` (kept so a steady pass writes nothing). */
export function wasAdopted(context: NamespaceContext, id: string): boolean {
  const ready = findCondition(context.status.conditions, ConditionType.Ready);
  return (
    ready?.status === "True" && ready.reason === NamespaceReason.Adopted && context.status.namespaceId === id
  );
}
