/** Settings every command shares: the AWS region and endpoints, the table, Consul. */
import { parseToken, parseUrl, type ResolvedSettings, setting } from "./settings.js";

/** The store, AWS and Consul settings shared by the CLI and the controller. */
export const commonSettings = {
  region: setting<string>({
    flag: "region",
    env: ["AWS_REGION", "AWS_DEFAULT_REGION"],
    default: "us-east-1",
    description: "AWS region of the table, ECS and Cloud Map.",
    parse: parseToken,
  }),
  table: setting<string>({
    flag: "table",
    env: ["FARGATE_OPERATOR_TABLE"],
    default: "fargate-operator",
    description: "DynamoDB table holding the records.",
    parse: (raw) => {
      if (!/^[A-Za-z0-9_.-]{3,255}$/.test(raw))
        throw new Error("must be a DynamoDB table name ([A-Za-z0-9_.-], 3-255)");
      return raw;
    },
  }),
  endpoint: setting<string>({
    flag: "endpoint-url",
    env: ["AWS_ENDPOINT_URL"],
    default: undefined,
    description: "Endpoint for every AWS service (local stacks); per-service variables override it.",
    parse: parseUrl,
  }),
  dynamodbEndpoint: setting<string>({
    flag: "dynamodb-endpoint-url",
    env: ["AWS_ENDPOINT_URL_DYNAMODB"],
    default: undefined,
    description: "Endpoint for DynamoDB.",
    parse: parseUrl,
  }),
  dynamodbStreamsEndpoint: setting<string>({
    flag: "dynamodb-streams-endpoint-url",
    env: ["AWS_ENDPOINT_URL_DYNAMODB_STREAMS"],
    default: undefined,
    description: "Endpoint for DynamoDB Streams (defaults to the DynamoDB endpoint when that is set).",
    parse: parseUrl,
  }),
  ecsEndpoint: setting<string>({
    flag: "ecs-endpoint-url",
    env: ["AWS_ENDPOINT_URL_ECS"],
    default: undefined,
    description: "Endpoint for ECS.",
    parse: parseUrl,
  }),
  serviceDiscoveryEndpoint: setting<string>({
    flag: "servicediscovery-endpoint-url",
    env: ["AWS_ENDPOINT_URL_SERVICEDISCOVERY"],
    default: undefined,
    description: "Endpoint for Cloud Map (servicediscovery).",
    parse: parseUrl,
  }),
  applicationAutoScalingEndpoint: setting<string>({
    flag: "application-autoscaling-endpoint-url",
    env: ["AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING"],
    default: undefined,
    description: "Endpoint for Application Auto Scaling.",
    parse: parseUrl,
  }),
  consulAddress: setting<string>({
    flag: "consul-address",
    env: ["CONSUL_HTTP_ADDR"],
    default: undefined,
    description: "Default Consul HTTP address for CatalogSyncs that name none (host:port or URL).",
    parse: parseToken,
  }),
} as const;

/** Resolved common settings. */
export type CommonSettings = ResolvedSettings<typeof commonSettings>;

/** Endpoints per AWS service after applying the generic endpoint as a fallback. */
export interface AwsEndpoints {
  dynamodb?: string;
  dynamodbStreams?: string;
  ecs?: string;
  serviceDiscovery?: string;
  applicationAutoScaling?: string;
}

/** Works out each service's endpoint: its own setting, else the generic one, else the SDK's default. */
export function resolveEndpoints(settings: CommonSettings): AwsEndpoints {
  const out: AwsEndpoints = {};
  const dynamodb = settings.dynamodbEndpoint ?? settings.endpoint;
  const streams = settings.dynamodbStreamsEndpoint ?? dynamodb;
  const ecs = settings.ecsEndpoint ?? settings.endpoint;
  const sd = settings.serviceDiscoveryEndpoint ?? settings.endpoint;
  const autoScaling = settings.applicationAutoScalingEndpoint ?? settings.endpoint;
  if (dynamodb !== undefined) out.dynamodb = dynamodb;
  if (streams !== undefined) out.dynamodbStreams = streams;
  if (ecs !== undefined) out.ecs = ecs;
  if (sd !== undefined) out.serviceDiscovery = sd;
  if (autoScaling !== undefined) out.applicationAutoScaling = autoScaling;
  return out;
}
