/** NamespacePolicy: what one tenant namespace's records may reference and ask for. Types of its spec. Pure. */
import type { DocumentMeta } from "./common.js";
import type { API_VERSION, CommonStatus, Resource } from "./meta.js";

/** Upper bounds of a NamespacePolicy; an absent limit is no limit. */
export type NamespacePolicyLimits = {
  /** Largest task size in CPU units. */
  maxCpu?: number;
  /** Largest task memory in MiB. */
  maxMemory?: number;
  maxDesiredCount?: number;
  /** Most FargateServices in the namespace (ordered by creationTimestamp, then name). */
  maxServices?: number;
};

/**
 * A NamespacePolicy's spec: lists of glob patterns (`{namespace}` = the governed namespace; absent allows
 * anything, `[]` nothing) and limits. No defaults: an absent field means "not restricted".
 */
export type NamespacePolicySpec = {
  roleArns?: string[];
  secretArns?: string[];
  clusters?: string[];
  subnets?: string[];
  securityGroups?: string[];
  /** Matched against each image without its tag or digest. */
  imageRepositories?: string[];
  /** `ns/name` of CloudMapNamespace records. */
  cloudMapNamespaces?: string[];
  /** Cloud Map and Consul service names the namespace's records may claim. */
  serviceNames?: string[];
  vaultRoles?: string[];
  /** Consul addresses (`https://host:port`; an `http://` pattern must be listed to allow plain http). */
  consulAddresses?: string[];
  /** Token sources: `env:NAME` or a Secrets Manager ARN pattern. */
  consulTokenSources?: string[];
  limits?: NamespacePolicyLimits;
};

/** Observed state of a NamespacePolicy. */
export type NamespacePolicyStatus = CommonStatus & {
  /** What the policy governs, in words: `namespace team-a`, or `every namespace without its own policy`. */
  governs?: string;
};

/** A NamespacePolicy document as validated: defaults applied, no status. */
export type NamespacePolicyDocument = {
  apiVersion: typeof API_VERSION;
  kind: "NamespacePolicy";
  metadata: DocumentMeta;
  spec: NamespacePolicySpec;
};

/** A stored NamespacePolicy record. */
export type NamespacePolicy = Resource<"NamespacePolicy", NamespacePolicySpec, NamespacePolicyStatus>;

/** Name of the policy that governs every namespace without one of its own. */
export const DEFAULT_POLICY_NAME = "default";

/** The controller's policy namespace unless `--policy-namespace` says otherwise. */
export const DEFAULT_POLICY_NAMESPACE = "fargate-system";
