/** Shared metadata, condition and envelope types for every kind. Pure: no I/O. */

/** The one API version every record carries. */
export const API_VERSION = "fargate-operator/v1alpha1" as const;

/** The kinds this operator knows, in their canonical spelling. */
export const KINDS = ["FargateService", "CloudMapNamespace", "CatalogSync", "NamespacePolicy"] as const;

/** One of the kinds this operator knows. */
export type Kind = (typeof KINDS)[number];

/** RFC 3339 date-time as the controller writes it (`toISOString`); `Date.parse` alone accepts "0" or "1". */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch of an RFC 3339 timestamp; undefined for anything else (never a made-up 1970). */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value !== "string" || !RFC3339.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The tenancy partition used when a document names none. */
export const DEFAULT_NAMESPACE = "default";

/** A record's owner, for children such as a CatalogSync's `<name>-sync` FargateService. */
export interface OwnerReference {
  kind: Kind;
  name: string;
  uid: string;
}

/** Metadata as the store returns it: every field present but `creationTimestamp` (until the controller stamps it). */
export interface ObjectMeta {
  name: string;
  namespace: string;
  /** Identifies the key: derived from namespace, kind and name, never read from what a writer stored. */
  uid: string;
  /** Rises when `apply` changes `spec`; informational (a put-item resets it), the spec hash is the truth. */
  generation: number;
  /** Opaque to clients; every write is conditional on it. A decimal counter in this store. */
  resourceVersion: string;
  /** Stamped by the controller before a record's first pass; absent until then (shown as `<unknown>`). */
  creationTimestamp?: string;
  deletionTimestamp?: string;
  finalizers: string[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  ownerReferences: OwnerReference[];
}

/** Metadata as a user writes it in a document: only `name` is required. */
export interface ObjectMetaInput {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** When present, `apply` is a compare-and-set on it instead of re-read-and-retry. */
  resourceVersion?: string;
  ownerReferences?: OwnerReference[];
}

/** Condition status values, as Kubernetes API conventions define them. */
export const ConditionStatus = { True: "True", False: "False", Unknown: "Unknown" } as const;

/** One of `True`, `False`, `Unknown`. */
export type ConditionStatus = (typeof ConditionStatus)[keyof typeof ConditionStatus];

/** A status condition, following the Kubernetes API conventions. */
export interface Condition {
  type: string;
  status: ConditionStatus;
  /** CamelCase, machine-readable. */
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration: number;
}

/** Status fields every kind shares. */
export interface CommonStatus {
  observedGeneration?: number;
  /** `specHash` of the spec the controller last acted on (hand edits of `spec` do not raise generation). */
  observedSpecHash?: string;
  conditions?: Condition[];
}

/** A stored record of one kind. */
export interface Resource<K extends Kind, Spec, Status extends CommonStatus> {
  apiVersion: typeof API_VERSION;
  kind: K;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}

/** A document as a user writes it (before the store fills metadata). */
export interface ResourceInput<K extends Kind, Spec> {
  apiVersion: typeof API_VERSION;
  kind: K;
  metadata: ObjectMetaInput;
  spec: Spec;
}

/** The work-queue key of a record: `kind/namespace/name`. */
export type ResourceKey = `${Kind}/${string}/${string}`;

/** Builds the work-queue key of a record. */
export function resourceKey(kind: Kind, namespace: string, name: string): ResourceKey {
  return `${kind}/${namespace}/${name}`;
}

/** Splits a work-queue key back into its parts; throws on a malformed key. */
export function parseResourceKey(key: string): { kind: Kind; namespace: string; name: string } {
  const [kind, namespace, name, ...rest] = key.split("/");
  if (!kind || !namespace || !name || rest.length > 0 || !(KINDS as readonly string[]).includes(kind)) {
    throw new Error(`malformed resource key ${JSON.stringify(key)}: expected kind/namespace/name`);
  }
  return { kind: kind as Kind, namespace, name };
}
