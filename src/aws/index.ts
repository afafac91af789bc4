/** The AWS adapters: `createAwsGateways` builds the ECS and Cloud Map gateways from one configuration. */
import { systemClock } from "../clock.js";
import { silentLogger } from "../log.js";
import { applicationAutoScalingGateway } from "./application-autoscaling.js";
import type { CallContext } from "./call.js";
import {
  type AwsGatewayConfig,
  createApplicationAutoScalingClient,
  createCloudMapClient,
  createEcsClient,
} from "./clients.js";
import { createCloudMapGateway } from "./cloud-map.js";
import { createEcsGateway } from "./ecs.js";
import { addEcsPacing } from "./pacing-middleware.js";
import { EcsRateLimiter } from "./throttle.js";
import type { AwsGateways } from "./types.js";

export type { AwsGatewayConfig, AwsStaticCredentials } from "./clients.js";
export * from "./errors.js";
export {
  ECS_API_BUCKETS,
  ECS_OPERATION_CATEGORY,
  EcsApiCategory,
  type EcsBucketSettings,
  EcsRateLimiter,
} from "./throttle.js";
export type * from "./types.js";

/** Builds the ECS, Cloud Map and Application Auto Scaling gateways (SDK clients, ECS buckets, metrics, logs). */
export function createAwsGateways(config: AwsGatewayConfig): AwsGateways {
  const clock = config.clock ?? systemClock;
  const log = config.log ?? silentLogger();
  const recordCall = config.recordCall ?? (() => undefined);
  const ecsClient = createEcsClient(config);
  const cloudMapClient = createCloudMapClient(config);
  const limiter = config.ecsBuckets === false ? undefined : new EcsRateLimiter(clock, config.ecsBuckets);
  if (limiter !== undefined) addEcsPacing(ecsClient, limiter);
  const ecsContext: CallContext = { service: "ecs", log, recordCall, limiter };
  const cloudMapContext: CallContext = { service: "servicediscovery", log, recordCall, limiter: undefined };
  const scalingClient = createApplicationAutoScalingClient(config);
  const scalingContext: CallContext = {
    service: "application-autoscaling",
    log,
    recordCall,
    limiter: undefined,
  };
  return {
    ecs: createEcsGateway(ecsClient, ecsContext, clock, config.serviceCacheMaxAgeMs),
    cloudMap: createCloudMapGateway(cloudMapClient, cloudMapContext),
    applicationAutoScaling: applicationAutoScalingGateway(scalingClient, scalingContext),
    destroy() {
      ecsClient.destroy();
      cloudMapClient.destroy();
      scalingClient.destroy();
    },
  };
}
