/** Public API of the resource kinds: types, schemas, defaults, validation, documents, kind names, hashing. */

export type {
  CatalogSync,
  CatalogSyncDocument,
  CatalogSyncSpec,
  CatalogSyncStatus,
  ConsulConnection,
  ConsulTls,
  ConsulTokenSource,
  SyncDirection,
  SyncEngine,
  SyncPlacement,
  SyncTaskSpec,
} from "./catalog-sync.js";
export type {
  CloudMapNamespace,
  CloudMapNamespaceDocument,
  CloudMapNamespaceSpec,
  CloudMapNamespaceStatus,
} from "./cloud-map-namespace.js";
export { type DocumentMeta, type LoggingSpec, type ObjectRef, refNamespace } from "./common.js";
export { applyDefaults, DEFAULTS } from "./defaults.js";
export {
  formatIssue,
  type ParsedDocument,
  type ParseResult,
  parseDocuments,
  type SourcePosition,
  type YamlSyntaxError,
} from "./documents.js";
export { CrdsError, SchemaLoadError, UnknownKindError } from "./errors.js";
export {
  type AutoscalingMetric,
  type AutoscalingSpec,
  type AutoscalingStatus,
  type CircuitBreaker,
  type CloudMapDiscovery,
  type ConsulDiscovery,
  type ContainerSpec,
  type CpuArchitecture,
  type DeletionPolicy,
  type DeploymentSpec,
  type DiscoverySpec,
  type DnsRecordType,
  ECS_CONTAINER_FIELDS,
  type EcsContainerField,
  type EcsContainerFields,
  type FargateService,
  type FargateServiceDocument,
  type FargateServiceSpec,
  type FargateServiceStatus,
  type HealthCheck,
  type IamSpec,
  type NetworkSpec,
  type PortMapping,
  RolloutState,
  type RuntimePlatform,
  type ScheduledScalingSpec,
  type StoppedTaskGroup,
  type StoppedTasksSummary,
  type TargetTrackingSpec,
  type VaultMode,
  type VaultSecret,
  type VaultSpec,
} from "./fargate-service.js";
export { canonicalJson, specHash } from "./hash.js";
export { type DocumentPath, formatPath, issue, type ValidationIssue } from "./issues.js";
export { describeKindForms, KIND_NAMES, type KindNames, resolveKind } from "./kinds.js";
export {
  ECS_TASK_DEFINITION_MAX_BYTES,
  formatKib,
  jsonBytes,
  MAX_ENVIRONMENT_VALUE_LENGTH,
  MAX_SPEC_BYTES,
} from "./limits.js";
export * from "./meta.js";
export {
  DEFAULT_POLICY_NAME,
  DEFAULT_POLICY_NAMESPACE,
  type NamespacePolicy,
  type NamespacePolicyDocument,
  type NamespacePolicyLimits,
  type NamespacePolicySpec,
  type NamespacePolicyStatus,
} from "./namespace-policy.js";
export { VAULT_AGENT_CONTAINER } from "./rules-containers.js";
export {
  ECS_SHAPES,
  ECS_SHAPES_FILE,
  type JsonSchema,
  SCHEMA_FILES,
  SCHEMAS,
  SCHEMAS_DIR,
} from "./schemas.js";
export { describeMemoryFor, FARGATE_TASK_CPUS, isValidTaskSize } from "./task-size.js";
export { type ValidationResult, type ValidDocument, validateDocument } from "./validate.js";
