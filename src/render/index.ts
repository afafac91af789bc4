/** Public API of the pure renderers: what a FargateService becomes in ECS and Cloud Map (DESIGN 5). */
export {
  AUTOSCALING_NAME_PREFIX,
  albResourceLabel,
  type RenderedAutoscaling,
  renderAutoscaling,
  samePolicy,
  sameScheduledAction,
} from "./autoscaling.js";
export { consulTagsOf, renderCloudMapService, renderCloudMapServiceTags } from "./cloud-map-service.js";
export { type EcsServiceRefs, type RenderedEcsService, renderEcsService, srvTarget } from "./ecs-service.js";
export { RenderError } from "./errors.js";
export { goStringLiteral } from "./go-template.js";
export {
  clientTokenOf,
  cloudMapServiceName,
  deletionPolicyTag,
  type Endpoints,
  ecsName,
  ownershipTags,
  PLACEHOLDER_ACCOUNT_ID,
  type RenderContext,
  type RenderMetadata,
  renderEndpoints,
  TagKey,
  taskDefinitionUserTags,
  userTags,
} from "./names.js";
export { type RenderedTaskDefinition, renderTaskDefinition, taskDefinitionHash } from "./task-definition.js";
export {
  taskDefinitionSizeIssues,
  validateDocumentForAws,
  worstCaseTaskDefinitionBytes,
} from "./task-definition-size.js";
export {
  DEFAULT_VAULT_IMAGE,
  type RenderedVaultAgent,
  renderVaultAgent,
  secretDestination,
  secretTemplate,
  VAULT_AGENT_SECRETS_DIR,
  VAULT_CONFIG_ENV,
  VAULT_CONFIG_FILE,
  VAULT_SECRETS_VOLUME,
  type VaultAgentConfig,
  vaultAgentConfig,
} from "./vault-agent.js";
