/** The adapters' configuration and the SDK clients built from it (pinned SDK, explicit retry settings). */
import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import type { Clock } from "../clock.js";
import type { Logger } from "../log.js";
import type { AwsCallRecorder } from "../metrics.js";
import type { EcsApiCategory, EcsBucketSettings } from "./throttle.js";

/** Static AWS credentials (tests, the local stack); omit them to use the SDK's default provider chain. */
export interface AwsStaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Configuration of {@link createAwsGateways}. */
export interface AwsGatewayConfig {
  region: string;
  /** Endpoint overrides (the simulator, moto). */
  endpoints?: { ecs?: string; serviceDiscovery?: string; applicationAutoScaling?: string };
  credentials?: AwsStaticCredentials;
  /** SDK attempts per call in "standard" retry mode (default 3; moto tests pass 1). */
  maxAttempts?: number;
  /** Clock of the client-side buckets (default the system clock). */
  clock?: Clock;
  /** Debug lines per call (default silent). */
  log?: Logger;
  /** Counts every call by service, operation and outcome. */
  recordCall?: AwsCallRecorder;
  /** Overrides of the ECS buckets, or false for no client-side pacing. */
  ecsBuckets?: Partial<Record<EcsApiCategory, EcsBucketSettings>> | false;
  /** Sockets per client (default 50). */
  maxSockets?: number;
  /** Steady-state age of ECS service observations: older ones are refreshed along with any read (default 60 s). */
  serviceCacheMaxAgeMs?: number;
}

const DEFAULT_MAX_ATTEMPTS = 3;
const DEFAULT_MAX_SOCKETS = 50;
// A connect that takes this long is a dead endpoint; a slow answer gets longer before it counts as lost.
const CONNECTION_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 30_000;

function commonClientConfig(config: AwsGatewayConfig, endpoint: string | undefined) {
  const maxSockets = config.maxSockets ?? DEFAULT_MAX_SOCKETS;
  return {
    region: config.region,
    maxAttempts: config.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: "standard",
    requestHandler: {
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      httpAgent: { keepAlive: true, maxSockets },
      httpsAgent: { keepAlive: true, maxSockets },
    },
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(config.credentials === undefined ? {} : { credentials: { ...config.credentials } }),
  };
}

/** The ECS client (no SDK logger, so request bodies are never logged). */
export function createEcsClient(config: AwsGatewayConfig): ECSClient {
  return new ECSClient(commonClientConfig(config, config.endpoints?.ecs));
}

/**
 * The Cloud Map client. With an endpoint override, host prefixes are off: DiscoverInstances would otherwise
 * send to `data-<endpoint host>`, which a local simulator or moto does not answer.
 */
export function createCloudMapClient(config: AwsGatewayConfig): ServiceDiscoveryClient {
  const endpoint = config.endpoints?.serviceDiscovery;
  return new ServiceDiscoveryClient({
    ...commonClientConfig(config, endpoint),
    ...(endpoint === undefined ? {} : { disableHostPrefix: true }),
  });
}

/** The Application Auto Scaling client (scalable targets, policies and scheduled actions of ECS services). */
export function createApplicationAutoScalingClient(config: AwsGatewayConfig): ApplicationAutoScalingClient {
  return new ApplicationAutoScalingClient(
    commonClientConfig(config, config.endpoints?.applicationAutoScaling),
  );
}
