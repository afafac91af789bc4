/** CloudMapNamespace: one Cloud Map private DNS namespace for one VPC. Types of its spec and status. Pure. */
import type { DocumentMeta } from "./common.js";
import type { DeletionPolicy } from "./fargate-service.js";
import type { API_VERSION, CommonStatus, Resource } from "./meta.js";

/** CloudMapNamespace spec (defaults: `adopt` false, `deletionPolicy` Delete). */
export type CloudMapNamespaceSpec = {
  dnsName: string;
  vpcId: string;
  description?: string;
  /** Take over an existing, unowned namespace of the same name in the same VPC. */
  adopt: boolean;
  /** Delete the namespace with the record, or leave it in place. */
  deletionPolicy: DeletionPolicy;
};

/** Observed state of a CloudMapNamespace. */
export type CloudMapNamespaceStatus = CommonStatus & {
  namespaceId?: string;
  namespaceArn?: string;
  hostedZoneId?: string;
  /** Cloud Map operation still running (namespace creation is asynchronous), so a restart resumes it. */
  operationId?: string;
};

/** A CloudMapNamespace document as validated: defaults applied, no status. */
export type CloudMapNamespaceDocument = {
  apiVersion: typeof API_VERSION;
  kind: "CloudMapNamespace";
  metadata: DocumentMeta;
  spec: CloudMapNamespaceSpec;
};

/** A stored CloudMapNamespace record. */
export type CloudMapNamespace = Resource<"CloudMapNamespace", CloudMapNamespaceSpec, CloudMapNamespaceStatus>;
