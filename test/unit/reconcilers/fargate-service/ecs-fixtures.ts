/** ECS service and deployment shapes (as the SDK decodes them) for the FargateService helper tests. */
import type { EcsService } from "../../../../src/aws/types.js";

/** One deployment of a service. */
export type Deployment = NonNullable<EcsService["deployments"]>[number];

/** Fixed start of every scenario. */
export const T0 = Date.UTC(2025, 0, 1);

/** A task-definition ARN of the `default-web` family. */
export const tdArn = (revision: number): string =>
  `arn:aws:ecs:eu-west-1:000000000000:task-definition/default-web:${revision}`;

/** A deployment: PRIMARY, IN_PROGRESS, revision 2, created at T0, unless overridden. */
export function deployment(over: Partial<Deployment> = {}): Deployment {
  return {
    id: "ecs-svc/1000000000000000002",
    status: "PRIMARY",
    taskDefinition: tdArn(2),
    desiredCount: 3,
    runningCount: 0,
    pendingCount: 0,
    failedTasks: 0,
    createdAt: new Date(T0),
    updatedAt: new Date(T0),
    launchType: "FARGATE",
    rolloutState: "IN_PROGRESS",
    rolloutStateReason: "ECS deployment ecs-svc/1000000000000000002 in progress.",
    ...over,
  };
}

/** An ACTIVE service with the given deployments (desired 3). */
export function service(deployments: Deployment[] | undefined, over: Partial<EcsService> = {}): EcsService {
  return {
    serviceArn: "arn:aws:ecs:eu-west-1:000000000000:service/apps/default-web",
    serviceName: "default-web",
    status: "ACTIVE",
    desiredCount: 3,
    runningCount: 1,
    pendingCount: 2,
    taskDefinition: deployments?.find((d) => d.status === "PRIMARY")?.taskDefinition ?? tdArn(2),
    ...(deployments === undefined ? {} : { deployments }),
    ...over,
  };
}
