/** Small hand-made ECS inputs for the import tests: one per shape teams keep definitions in. */

/** A register-task-definition --cli-input-json document (also ecspresso's ecs-task-def.json shape). */
export function registerInput(): Record<string, unknown> {
  return {
    family: "orders",
    requiresCompatibilities: ["FARGATE"],
    networkMode: "awsvpc",
    cpu: "256",
    memory: "512",
    taskRoleArn: "arn:aws:iam::123456789012:role/orders-task",
    executionRoleArn: "arn:aws:iam::123456789012:role/ecs-exec",
    containerDefinitions: [
      {
        name: "app",
        image: "public.ecr.aws/nginx/nginx:1.27",
        essential: true,
        portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: "tcp" }],
        environment: [
          { name: "B", value: "2" },
          { name: "A", value: "1" },
        ],
        secrets: [
          { name: "DB", valueFrom: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf" },
        ],
        healthCheck: { command: ["CMD-SHELL", "curl -f localhost:8080"], interval: 10 },
        logConfiguration: {
          logDriver: "awslogs",
          options: {
            "awslogs-group": "/ecs/orders",
            "awslogs-region": "eu-west-1",
            "awslogs-stream-prefix": "app",
          },
        },
        mountPoints: [],
        volumesFrom: [],
      },
    ],
    tags: [{ key: "team", value: "orders" }],
  };
}

/** `aws ecs describe-task-definition --include TAGS` output of the same definition. */
export function describeOutput(): Record<string, unknown> {
  const { tags, ...td } = registerInput();
  return {
    taskDefinition: {
      ...td,
      taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/orders:7",
      revision: 7,
      status: "ACTIVE",
      requiresAttributes: [{ name: "com.amazonaws.ecs.capability.logging-driver.awslogs" }],
      compatibilities: ["EC2", "FARGATE"],
      registeredAt: "2026-01-01T00:00:00.000Z",
      registeredBy: "arn:aws:iam::123456789012:user/ci",
    },
    tags,
  };
}

/** A create-service --cli-input-json document (ecspresso's ecs-service-def.json shape). */
export function createServiceInput(): Record<string, unknown> {
  return {
    cluster: "apps",
    serviceName: "orders",
    taskDefinition: "orders:7",
    desiredCount: 2,
    launchType: "FARGATE",
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: ["subnet-1", "subnet-2"],
        securityGroups: ["sg-1"],
        assignPublicIp: "DISABLED",
      },
    },
    deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 200 },
    tags: [{ key: "owner", value: "shop" }],
  };
}

/** `aws ecs describe-services` output of the same service. */
export function describeServicesOutput(): Record<string, unknown> {
  const { cluster: _c, ...service } = createServiceInput();
  return {
    services: [
      {
        ...service,
        serviceArn: "arn:aws:ecs:eu-west-1:123456789012:service/apps/orders",
        clusterArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/apps",
        status: "ACTIVE",
        runningCount: 2,
        pendingCount: 0,
        deployments: [{ id: "ecs-svc/1", status: "PRIMARY" }],
        events: [],
        createdAt: "2026-01-01T00:00:00.000Z",
        createdBy: "arn:aws:iam::123456789012:role/ci",
        roleArn: "arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
        platformFamily: "Linux",
        platformVersion: "LATEST",
        propagateTags: "NONE",
        enableECSManagedTags: false,
        schedulingStrategy: "REPLICA",
        deploymentController: { type: "ECS" },
        placementConstraints: [],
        placementStrategy: [],
      },
    ],
    failures: [],
  };
}
