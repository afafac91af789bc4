import { AwsApiError } from "../errors.js";
import type { Input } from "../input.js";
import { type Page, paginate } from "../pagination.js";
import { ECS_DESIRED_COUNT, ECS_NAMESPACE, type TargetRef } from "./state.js";

// The enums of botocore's application-autoscaling model: other namespaces are valid requests that the simulator
// does not scale, so they get AWS's "unsupported" answer rather than an enum error.
const NAMESPACES = [
  "ecs",
  "elasticmapreduce",
  "ec2",
  "appstream",
  "dynamodb",
  "rds",
  "sagemaker",
  "custom-resource",
  "comprehend",
  "lambda",
  "cassandra",
  "kafka",
  "elasticache",
  "neptune",
  "workspaces",
];
const DIMENSIONS = [
  "ecs:service:DesiredCount",
  "ec2:spot-fleet-request:TargetCapacity",
  "elasticmapreduce:instancegroup:InstanceCount",
  "appstream:fleet:DesiredCapacity",
  "dynamodb:table:ReadCapacityUnits",
  "dynamodb:table:WriteCapacityUnits",
  "dynamodb:index:ReadCapacityUnits",
  "dynamodb:index:WriteCapacityUnits",
  "rds:cluster:ReadReplicaCount",
  "sagemaker:variant:DesiredInstanceCount",
  "custom-resource:ResourceType:Property",
  "comprehend:document-classifier-endpoint:DesiredInferenceUnits",
  "comprehend:entity-recognizer-endpoint:DesiredInferenceUnits",
  "lambda:function:ProvisionedConcurrency",
  "cassandra:table:ReadCapacityUnits",
  "cassandra:table:WriteCapacityUnits",
  "kafka:broker-storage:VolumeSize",
  "elasticache:cache-cluster:Nodes",
  "elasticache:replication-group:NodeGroups",
  "elasticache:replication-group:Replicas",
  "neptune:cluster:ReadReplicaCount",
  "sagemaker:variant:DesiredProvisionedConcurrency",
  "sagemaker:inference-component:DesiredCopyCount",
  "workspaces:workspacespool:DesiredUserSessions",
];
const ECS_RESOURCE = /^service\/([^/]+)\/([^/]+)$/;

/** A ValidationException with AWS's message. */
export function validation(message: string): AwsApiError {
  return new AwsApiError("ValidationException", message);
}

function enumError(value: string, member: string, allowed: readonly string[]): AwsApiError {
  return validation(
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(", ")}]`,
  );
}

/** The required ServiceNamespace, checked against the model's enum. */
export function readNamespace(input: Input): string {
  const namespace = input.str("ServiceNamespace");
  if (!NAMESPACES.includes(namespace)) throw enumError(namespace, "serviceNamespace", NAMESPACES);
  return namespace;
}

/** The ScalableDimension (required or an optional filter), checked against the model's enum. */
export function readDimension(input: Input, required: boolean): string | undefined {
  const dimension = required ? input.str("ScalableDimension") : input.optStr("ScalableDimension");
  if (dimension !== undefined && !DIMENSIONS.includes(dimension))
    throw enumError(dimension, "scalableDimension", DIMENSIONS);
  return dimension;
}

/**
 * The target a request names, as AWS checks it: namespace `ecs`, dimension `ecs:service:DesiredCount` and a
 * resource id `service/<cluster>/<service>`; anything else is "unsupported" (ValidationException).
 */
export function readTargetRef(input: Input): TargetRef & { cluster: string; service: string } {
  const namespace = readNamespace(input);
  const resourceId = input.str("ResourceId");
  const dimension = readDimension(input, true) ?? "";
  const match = ECS_RESOURCE.exec(resourceId);
  if (namespace !== ECS_NAMESPACE || dimension !== ECS_DESIRED_COUNT || !resourceId.startsWith("service/"))
    throw validation("Unsupported service namespace, resource type or scalable dimension");
  if (match === null)
    throw validation(
      `Invalid resource id: ${resourceId}. An ECS service resource id is service/<cluster-name>/<service-name>.`,
    );
  return { namespace, resourceId, dimension, cluster: match[1] ?? "", service: match[2] ?? "" };
}

/** An optional capacity (a whole number, 0 or more). */
export function readCapacity(input: Input, name: string): number | undefined {
  const value = input.optNum(name);
  if (value !== undefined && (!Number.isInteger(value) || value < 0))
    throw validation(`${name} must be a whole number, 0 or more.`);
  return value;
}

/** Pages an answer with MaxResults 1..maxSize; a token this simulator did not issue is InvalidNextTokenException. */
export function page<T>(input: Input, items: readonly T[], maxSize: number): Page<T> {
  return paginate(
    items,
    { nextToken: input.optStr("NextToken"), maxResults: input.optNum("MaxResults") },
    { defaultSize: maxSize, maxSize },
    (message) =>
      message.startsWith("Invalid nextToken")
        ? new AwsApiError("InvalidNextTokenException", "Invalid token")
        : validation(message),
  );
}
