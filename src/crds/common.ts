/** Types shared by several kinds' specs: document metadata, references, logging. Pure: no I/O. */
import type { OwnerReference } from "./meta.js";

/**
 * Metadata of a validated document: what a user may write, with `namespace` defaulted. The store-set fields are
 * accepted (so `get -o yaml` output can be applied again, and stored records validate) but ignored on write.
 */
export type DocumentMeta = {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  ownerReferences?: OwnerReference[];
  uid?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
};

/** A reference to another record; `namespace` defaults to the referrer's. */
export type ObjectRef = {
  name: string;
  namespace?: string;
};

/** CloudMapNamespace reference resolved against the referrer's namespace. */
export function refNamespace(ref: ObjectRef, referrerNamespace: string): string {
  return ref.namespace ?? referrerNamespace;
}

/** CloudWatch Logs (awslogs) settings of a task. */
export type LoggingSpec = {
  logGroup: string;
  /** Default `ecs`. */
  streamPrefix: string;
};
