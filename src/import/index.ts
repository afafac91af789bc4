/** `fargatectl import`'s pure room: ECS JSON in, one FargateService document and its losses out. */
export { importFargateService, PLACEHOLDER_SECURITY_GROUP, PLACEHOLDER_SUBNET, rolesOf } from "./convert.js";
export {
  canonical,
  normaliseService,
  normaliseTaskDefinition,
  type RoleContext,
  roleArnOf,
} from "./normalise.js";
export {
  ImportInputError,
  type ParsedText,
  parseText,
  quoteBareTemplates,
  serviceInputOf,
  serviceOf,
  taskDefinitionInputOf,
  taskDefinitionOf,
} from "./parse.js";
export type {
  EcsInput,
  ImportLoss,
  ImportOptions,
  ImportResult,
  LiveAutoscaling,
  LiveCloudMap,
} from "./types.js";
