/** Shared setup of the Application Auto Scaling simulator tests: a plain client and an ECS service to scale. */
import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  type ECSClient,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import { fargateTaskDefinition, network } from "./support.js";

/** An Application Auto Scaling client with one attempt and dummy credentials (as clientsFor makes the others). */
export function autoScalingClientFor(endpoint: string): ApplicationAutoScalingClient {
  return new ApplicationAutoScalingClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
}

/** The scalable target of an ECS service's desired count. */
export function ecsTarget(cluster: string, service: string) {
  return {
    ServiceNamespace: "ecs" as const,
    ResourceId: `service/${cluster}/${service}`,
    ScalableDimension: "ecs:service:DesiredCount" as const,
  };
}

/** Creates cluster, task definition and a FARGATE service of `desiredCount` tasks. */
export async function createEcsService(
  ecs: ECSClient,
  cluster: string,
  service: string,
  desiredCount: number,
  net: typeof network = network,
): Promise<void> {
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  await ecs.send(new RegisterTaskDefinitionCommand(fargateTaskDefinition(service, `${service}:1`)));
  await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: service,
      taskDefinition: service,
      desiredCount,
      launchType: "FARGATE",
      networkConfiguration: net,
    }),
  );
}

/** A target-tracking configuration on a predefined ECS metric. */
export function tracking(
  metric: "ECSServiceAverageCPUUtilization" | "ECSServiceAverageMemoryUtilization",
  targetValue: number,
  extra: { DisableScaleIn?: boolean } = {},
) {
  return {
    PolicyType: "TargetTrackingScaling" as const,
    TargetTrackingScalingPolicyConfiguration: {
      TargetValue: targetValue,
      PredefinedMetricSpecification: { PredefinedMetricType: metric },
      ...extra,
    },
  };
}
