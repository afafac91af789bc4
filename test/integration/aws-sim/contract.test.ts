/**
 * Contract suite: the same ECS and Cloud Map calls against moto_server and the simulator (strict mode).
 * Where moto models a behaviour, both must agree (response shapes: every member moto sends, the simulator
 * sends with the same JSON type; error codes). Where moto is known to be wrong, the case is listed in
 * MOTO_KNOWN_WRONG with its AWS reference and only the simulator is held to AWS.
 */

import { randomBytes } from "node:crypto";
import * as Ecs from "@aws-sdk/client-ecs";
import * as CloudMap from "@aws-sdk/client-servicediscovery";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsSimulator, ManualClock, startAwsSimulator } from "../../../src/dev/aws-sim/index.js";
import type { RunningServer } from "../../../src/dev/launch-process.js";
import { startMoto } from "../../../src/dev/moto.js";
import { motoEc2 } from "../../support/moto-ec2.js";
import { errorOf, type Outcome, okOf, outcome, shapeGaps } from "./contract-support.js";
import { clientsFor } from "./support.js";

/** Cases where moto departs from documented AWS behaviour; the simulator follows AWS. */
const MOTO_KNOWN_WRONG = {
  describeServicesAtMostTen:
    "ECS API Reference, DescribeServices: `services` takes at most 10 names; moto describes any number.",
  createServiceIdempotency:
    "ECS API Reference, CreateService clientToken / InvalidParameterException 'Creation of service was not idempotent.' for an ACTIVE name with another token; moto accepts it.",
  updateServiceEchoesArn:
    "ECS API Reference, Service.taskDefinition: 'The task definition to use for tasks in the service' as an ARN; moto's UpdateService echoes 'family:revision' as given.",
  deleteServiceDrains:
    "ECS API Reference, DeleteService: the status moves from ACTIVE to DRAINING, and to INACTIVE once all tasks are STOPPED; moto answers INACTIVE at once.",
  fargateTaskSizeChecked:
    "ECS Developer Guide, 'Task CPU and memory' for Fargate: 256 CPU allows 512–2048 MiB; moto registers 256/4096.",
  listTasksUnknownService:
    "ECS API Reference, ListTasks errors: ServiceNotFoundException for an unknown serviceName; moto lists nothing.",
  describeTasksReportsMissing:
    "ECS API Reference, DescribeTasks: unknown tasks come back in `failures` (reason MISSING); moto drops them.",
  namespaceAlreadyExists:
    "Cloud Map API Reference, CreatePrivateDnsNamespace errors: NamespaceAlreadyExists; moto answers ConflictingDomainExists, which is not in the Cloud Map API model.",
  serviceAlreadyExists:
    "Cloud Map API Reference, CreateService errors: ServiceAlreadyExists; moto creates a second service with the same name.",
  serviceNeedsNamespace:
    "Cloud Map API Reference, CreateService errors: NamespaceNotFound; moto creates a service in a namespace that does not exist.",
  registerInstanceUpserts:
    "Cloud Map API Reference, RegisterInstance: 'If the instance already exists … updates'; moto appends a duplicate instance.",
  registerInstanceNeedsIp:
    "Cloud Map API Reference, RegisterInstance Attributes: AWS_INSTANCE_IPV4 is required for A records; moto accepts none.",
  revisionIncreases:
    "Cloud Map API Reference, DiscoverInstancesRevision: 'The increasing revision associated to the response Instances list'; moto's drops when an instance is deregistered.",
  deleteServiceInUse:
    "Cloud Map API Reference, DeleteService errors: ResourceInUse while instances are registered; moto deletes.",
  deleteNamespaceInUse:
    "Cloud Map API Reference, DeleteNamespace errors: ResourceInUse while it contains services; moto deletes.",
  customHealthNotFound:
    "Cloud Map API Reference, UpdateInstanceCustomHealthStatus errors: CustomHealthNotFound without HealthCheckCustomConfig; moto accepts.",
  tagsOfMissingResource:
    "Cloud Map API Reference, ListTagsForResource errors: ResourceNotFoundException; moto answers an empty list.",
  hostedZoneIdShape:
    "Cloud Map API Reference, DnsProperties.HostedZoneId is a Route 53 zone id (Z…); moto returns '/hostedzone/…'.",
  namespacesShareVpc:
    "Cloud Map Developer Guide, private DNS namespaces: a VPC can be associated with several namespaces whose domains do not overlap; moto answers ConflictingDomainExists for any second namespace in a VPC.",
  createServiceKeepsEcsFields:
    "ECS API Reference, Service: capacityProviderStrategy, enableExecuteCommand, healthCheckGracePeriodSeconds, enableECSManagedTags and deploymentConfiguration (alarms, bakeTimeInMinutes) are returned as set by CreateService; moto's CreateService drops them.",
  launchTypeWithCapacityProviders:
    "ECS API Reference, CreateService launchType: 'If a capacityProviderStrategy is specified, the launchType parameter must be omitted', and the service then has no launchType; moto sets launchType EC2.",
  vpcIdChecked:
    "Cloud Map API Reference, CreatePrivateDnsNamespace Vpc: an existing VPC id; moto accepts any string (strict simulator checks the shape).",
} as const;

/** One side of the contract. */
interface Target {
  readonly name: "moto" | "simulator";
  readonly ecs: Ecs.ECSClient;
  readonly cloudMap: CloudMap.ServiceDiscoveryClient;
  readonly network: { awsvpcConfiguration: { subnets: string[]; securityGroups: string[] } };
  /** A VPC for one namespace (moto allows one private namespace per VPC; see MOTO_KNOWN_WRONG). */
  newVpc(): Promise<string>;
  /** Lets simulated time pass (moto has none). */
  advance(ms: number): void;
}

/** Every member moto sends, the simulator sends with the same JSON type (recursing into structures and lists). */
function expectCovers(sim: unknown, moto: unknown): void {
  expect(shapeGaps(sim, moto)).toEqual([]);
}

let moto: RunningServer;
let sim: AwsSimulator;
let targets: Target[];

beforeAll(async () => {
  const clock = new ManualClock();
  [moto, sim] = await Promise.all([
    startMoto(),
    startAwsSimulator({ mode: "strict", clock, throttling: false, operationSeconds: 1 }),
  ]);
  // moto's ECS checks subnets and security groups against its EC2, so make real ones there.
  const vpc = await motoEc2(moto.endpoint, { Action: "CreateVpc", CidrBlock: "10.0.0.0/16" }, "vpcId");
  const subnet = await motoEc2(
    moto.endpoint,
    { Action: "CreateSubnet", VpcId: vpc, CidrBlock: "10.0.1.0/24" },
    "subnetId",
  );
  const group = await motoEc2(
    moto.endpoint,
    { Action: "CreateSecurityGroup", GroupName: "contract", GroupDescription: "contract", VpcId: vpc },
    "groupId",
  );
  targets = [
    {
      name: "moto",
      ...clientsFor(moto.endpoint),
      network: { awsvpcConfiguration: { subnets: [subnet], securityGroups: [group] } },
      newVpc: () => motoEc2(moto.endpoint, { Action: "CreateVpc", CidrBlock: "10.1.0.0/16" }, "vpcId"),
      advance: () => undefined,
    },
    {
      name: "simulator",
      ...clientsFor(sim.endpoint),
      network: {
        awsvpcConfiguration: {
          subnets: ["subnet-0123456789abcdef0"],
          securityGroups: ["sg-0123456789abcdef0"],
        },
      },
      newVpc: async () => `vpc-${randomBytes(9).toString("hex").slice(0, 17)}`,
      advance: (ms) => clock.advanceSync(ms),
    },
  ];
}, 120_000);

afterAll(async () => {
  for (const t of targets ?? []) {
    t.ecs.destroy();
    t.cloudMap.destroy();
  }
  await Promise.allSettled([moto?.stop(), sim?.stop()]);
});

/** Runs `scenario` on both targets (moto first) and returns [moto, simulator] results. */
async function both<T>(scenario: (t: Target) => Promise<T>): Promise<[T, T]> {
  const [m, s] = targets;
  if (m === undefined || s === undefined) throw new Error("targets not started");
  return [await scenario(m), await scenario(s)];
}

const taskDefinition = (family: string, over: Partial<Ecs.RegisterTaskDefinitionCommandInput> = {}) => ({
  family,
  networkMode: "awsvpc" as const,
  requiresCompatibilities: ["FARGATE" as const],
  cpu: "256",
  memory: "512",
  containerDefinitions: [{ name: "app", image: `${family}:1`, portMappings: [{ containerPort: 8080 }] }],
  ...over,
});

async function waitForOperation(
  t: Target,
  operationId: string | undefined,
): Promise<Record<string, unknown>> {
  for (let i = 0; i < 20; i += 1) {
    const op = okOf(
      await outcome(t.cloudMap.send(new CloudMap.GetOperationCommand({ OperationId: operationId }))),
    );
    const operation = op.Operation as { Status?: string };
    if (operation.Status === "SUCCESS" || operation.Status === "FAIL") return op;
    t.advance(1_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`operation ${operationId} never finished on ${t.name}`);
}

async function namespaceIn(t: Target, name: string): Promise<{ id: string; vpc: string }> {
  const vpc = await t.newVpc();
  const created = okOf(
    await outcome(t.cloudMap.send(new CloudMap.CreatePrivateDnsNamespaceCommand({ Name: name, Vpc: vpc }))),
  );
  const op = await waitForOperation(t, created.OperationId as string);
  return { id: (op.Operation as { Targets: { NAMESPACE: string } }).Targets.NAMESPACE, vpc };
}

async function namespace(t: Target, name: string): Promise<string> {
  return (await namespaceIn(t, name)).id;
}

describe("contract: ECS (moto vs strict simulator)", () => {
  it("answers ClusterNotFoundException / MISSING for clusters that do not exist", async () => {
    const [m, s] = await both(async (t) => ({
      create: await outcome(
        t.ecs.send(
          new Ecs.CreateServiceCommand({
            cluster: "nope",
            serviceName: "x",
            taskDefinition: "x",
            networkConfiguration: t.network,
          }),
        ),
      ),
      describe: await outcome(
        t.ecs.send(new Ecs.DescribeServicesCommand({ cluster: "nope", services: ["x"] })),
      ),
      clusters: await outcome(t.ecs.send(new Ecs.DescribeClustersCommand({ clusters: ["nope"] }))),
    }));
    expect(errorOf(m.create)).toBe("ClusterNotFoundException");
    expect(errorOf(s.create)).toBe(errorOf(m.create));
    expect(errorOf(s.describe)).toBe(errorOf(m.describe));
    expect(okOf(s.clusters)).toEqual(okOf(m.clusters));
  });

  it("agrees on clusters and task definitions: shapes, ARNs, revisions, defaults, errors", async () => {
    const [m, s] = await both(async (t) => {
      const cluster = await outcome(t.ecs.send(new Ecs.CreateClusterCommand({ clusterName: "contract-td" })));
      const r1 = await outcome(t.ecs.send(new Ecs.RegisterTaskDefinitionCommand(taskDefinition("ctd"))));
      const r2 = await outcome(
        t.ecs.send(
          new Ecs.RegisterTaskDefinitionCommand(taskDefinition("ctd", { tags: [{ key: "k", value: "v" }] })),
        ),
      );
      return {
        cluster,
        r1,
        r2,
        latest: await outcome(
          t.ecs.send(new Ecs.DescribeTaskDefinitionCommand({ taskDefinition: "ctd", include: ["TAGS"] })),
        ),
        missing: await outcome(t.ecs.send(new Ecs.DescribeTaskDefinitionCommand({ taskDefinition: "nope" }))),
        deregisterMissing: await outcome(
          t.ecs.send(new Ecs.DeregisterTaskDefinitionCommand({ taskDefinition: "nope:3" })),
        ),
        deregistered: await outcome(
          t.ecs.send(new Ecs.DeregisterTaskDefinitionCommand({ taskDefinition: "ctd:1" })),
        ),
        listed: await outcome(t.ecs.send(new Ecs.ListTaskDefinitionsCommand({ familyPrefix: "ctd" }))),
      };
    });
    expectCovers(okOf(s.cluster), okOf(m.cluster));
    expect(okOf(s.cluster).cluster).toMatchObject({
      clusterArn: (okOf(m.cluster).cluster as Ecs.Cluster).clusterArn,
      status: "ACTIVE",
    });
    for (const key of ["r1", "r2", "latest", "deregistered"] as const) {
      expectCovers(okOf(s[key]), okOf(m[key]));
      const simTd = okOf(s[key]).taskDefinition as Ecs.TaskDefinition;
      const motoTd = okOf(m[key]).taskDefinition as Ecs.TaskDefinition;
      for (const field of [
        "taskDefinitionArn",
        "revision",
        "family",
        "status",
        "compatibilities",
        "cpu",
        "memory",
      ] as const) {
        expect(simTd[field], `${key}.${field}`).toEqual(motoTd[field]);
      }
    }
    expect(okOf(s.latest).tags).toEqual(okOf(m.latest).tags);
    expect(errorOf(s.missing)).toBe(errorOf(m.missing));
    expect(errorOf(s.deregisterMissing)).toBe(errorOf(m.deregisterMissing));
    expect(okOf(s.listed)).toEqual(okOf(m.listed));
  });

  it("agrees on the service lifecycle: create, idempotency, update, describe, delete", async () => {
    const [m, s] = await both(async (t) => {
      const cluster = "contract-svc";
      await t.ecs.send(new Ecs.CreateClusterCommand({ clusterName: cluster }));
      await t.ecs.send(new Ecs.RegisterTaskDefinitionCommand(taskDefinition("csvc")));
      const create = (token: string | undefined) =>
        outcome(
          t.ecs.send(
            new Ecs.CreateServiceCommand({
              cluster,
              serviceName: "web",
              taskDefinition: "csvc",
              desiredCount: 1,
              launchType: "FARGATE",
              networkConfiguration: t.network,
              ...(token === undefined ? {} : { clientToken: token }),
            }),
          ),
        );
      const created = await create("token-1");
      const missingTd = await outcome(
        t.ecs.send(
          new Ecs.CreateServiceCommand({
            cluster,
            serviceName: "other",
            taskDefinition: "nope",
            networkConfiguration: t.network,
          }),
        ),
      );
      const sameToken = await create("token-1");
      const otherToken = await create("token-2");
      await t.ecs.send(new Ecs.RegisterTaskDefinitionCommand(taskDefinition("csvc")));
      const updated = await outcome(
        t.ecs.send(new Ecs.UpdateServiceCommand({ cluster, service: "web", taskDefinition: "csvc:2" })),
      );
      const updateMissing = await outcome(
        t.ecs.send(new Ecs.UpdateServiceCommand({ cluster, service: "ghost", desiredCount: 1 })),
      );
      const described = await outcome(
        t.ecs.send(new Ecs.DescribeServicesCommand({ cluster, services: ["web", "ghost"] })),
      );
      const listed = await outcome(t.ecs.send(new Ecs.ListServicesCommand({ cluster })));
      const deleteMissing = await outcome(
        t.ecs.send(new Ecs.DeleteServiceCommand({ cluster, service: "ghost" })),
      );
      const deleted = await outcome(
        t.ecs.send(new Ecs.DeleteServiceCommand({ cluster, service: "web", force: true })),
      );
      return {
        created,
        missingTd,
        sameToken,
        otherToken,
        updated,
        updateMissing,
        described,
        listed,
        deleteMissing,
        deleted,
      };
    });
    expectCovers(okOf(s.created), okOf(m.created));
    const simSvc = okOf(s.created).service as Ecs.Service;
    const motoSvc = okOf(m.created).service as Ecs.Service;
    for (const field of [
      "serviceArn",
      "serviceName",
      "clusterArn",
      "status",
      "desiredCount",
      "taskDefinition",
      "launchType",
    ] as const) {
      expect(simSvc[field], field).toEqual(motoSvc[field]);
    }
    expect(simSvc.deployments?.[0]?.status).toBe(motoSvc.deployments?.[0]?.status);
    expect(errorOf(s.missingTd)).toBe(errorOf(m.missingTd));
    expect((okOf(s.sameToken).service as Ecs.Service).serviceArn).toBe(
      (okOf(m.sameToken).service as Ecs.Service).serviceArn,
    );
    // MOTO_KNOWN_WRONG.createServiceIdempotency: only the simulator is held to AWS here.
    expect(errorOf(s.otherToken)).toBe("InvalidParameterException");
    expectCovers(okOf(s.updated), okOf(m.updated));
    // MOTO_KNOWN_WRONG.updateServiceEchoesArn: moto echoes the request's "csvc:2".
    expect((okOf(s.updated).service as Ecs.Service).taskDefinition).toBe(
      "arn:aws:ecs:us-east-1:123456789012:task-definition/csvc:2",
    );
    expect(errorOf(s.updateMissing)).toBe(errorOf(m.updateMissing));
    expectCovers(okOf(s.described), okOf(m.described));
    expect(okOf(s.described).failures).toEqual(okOf(m.described).failures);
    expect(okOf(s.listed)).toEqual(okOf(m.listed));
    expect(errorOf(s.deleteMissing)).toBe(errorOf(m.deleteMissing));
    expectCovers(okOf(s.deleted), okOf(m.deleted));
    // MOTO_KNOWN_WRONG.deleteServiceDrains: moto answers INACTIVE at once.
    expect((okOf(s.deleted).service as Ecs.Service).status).toBe("DRAINING");
  });

  it("agrees on tagging a task definition", async () => {
    const [m, s] = await both(async (t) => {
      const td = okOf(
        await outcome(t.ecs.send(new Ecs.RegisterTaskDefinitionCommand(taskDefinition("ctag")))),
      );
      const resourceArn = (td.taskDefinition as Ecs.TaskDefinition).taskDefinitionArn;
      await t.ecs.send(
        new Ecs.TagResourceCommand({
          resourceArn,
          tags: [
            { key: "a", value: "1" },
            { key: "b", value: "2" },
          ],
        }),
      );
      await t.ecs.send(new Ecs.UntagResourceCommand({ resourceArn, tagKeys: ["a"] }));
      return await outcome(t.ecs.send(new Ecs.ListTagsForResourceCommand({ resourceArn })));
    });
    expect(okOf(s)).toEqual(okOf(m));
  });

  it("follows AWS where moto is known wrong (ECS)", async () => {
    const [, s] = await both(async (t) => {
      const cluster = "contract-aws";
      await t.ecs.send(new Ecs.CreateClusterCommand({ clusterName: cluster }));
      return {
        [MOTO_KNOWN_WRONG.describeServicesAtMostTen]: await outcome(
          t.ecs.send(
            new Ecs.DescribeServicesCommand({
              cluster,
              services: Array.from({ length: 11 }, (_, i) => `s${i}`),
            }),
          ),
        ),
        [MOTO_KNOWN_WRONG.fargateTaskSizeChecked]: await outcome(
          t.ecs.send(new Ecs.RegisterTaskDefinitionCommand(taskDefinition("cbad", { memory: "4096" }))),
        ),
        [MOTO_KNOWN_WRONG.listTasksUnknownService]: await outcome(
          t.ecs.send(new Ecs.ListTasksCommand({ cluster, serviceName: "ghost" })),
        ),
        [MOTO_KNOWN_WRONG.describeTasksReportsMissing]: await outcome(
          t.ecs.send(new Ecs.DescribeTasksCommand({ cluster, tasks: ["0123456789abcdef0123456789abcdef"] })),
        ),
      };
    });
    expect(errorOf(s[MOTO_KNOWN_WRONG.describeServicesAtMostTen])).toBe("InvalidParameterException");
    expect(errorOf(s[MOTO_KNOWN_WRONG.fargateTaskSizeChecked])).toBe("ClientException");
    expect(errorOf(s[MOTO_KNOWN_WRONG.listTasksUnknownService])).toBe("ServiceNotFoundException");
    expect(okOf(s[MOTO_KNOWN_WRONG.describeTasksReportsMissing]).failures).toEqual([
      {
        arn: "arn:aws:ecs:us-east-1:123456789012:task/contract-aws/0123456789abcdef0123456789abcdef",
        reason: "MISSING",
      },
    ]);
  });
  it("agrees on the task fields of issue 14 and ECS's container fields: registered, then described unchanged", async () => {
    const containers: Ecs.ContainerDefinition[] = [
      {
        name: "app",
        image: "cfields:1",
        portMappings: [{ containerPort: 8080, protocol: "tcp", name: "http" }],
        essential: true,
        memoryReservation: 256,
        ulimits: [{ name: "nofile", softLimit: 4096, hardLimit: 8192 }],
        linuxParameters: { initProcessEnabled: true, capabilities: { add: ["SYS_PTRACE"] } },
        dockerLabels: { team: "search" },
        mountPoints: [{ sourceVolume: "shared", containerPath: "/mnt/shared", readOnly: true }],
        dependsOn: [{ containerName: "log-router", condition: "START" }],
        logConfiguration: { logDriver: "awsfirelens", options: { Name: "cloudwatch" } },
        healthCheck: { command: ["CMD-SHELL", "true"], interval: 10, timeout: 5, retries: 3, startPeriod: 0 },
        stopTimeout: 30,
      },
      {
        name: "log-router",
        image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable",
        essential: true,
        memoryReservation: 50,
        firelensConfiguration: { type: "fluentbit", options: { "enable-ecs-log-metadata": "true" } },
      },
    ];
    const taskFields = {
      volumes: [
        {
          name: "shared",
          efsVolumeConfiguration: {
            fileSystemId: "fs-0123456789abcdef0",
            rootDirectory: "/",
            transitEncryption: "ENABLED" as const,
          },
        },
        { name: "scratch", host: {} },
      ],
      ephemeralStorage: { sizeInGiB: 50 },
      runtimePlatform: { cpuArchitecture: "ARM64" as const, operatingSystemFamily: "LINUX" as const },
      pidMode: "task" as const,
      proxyConfiguration: {
        type: "APPMESH" as const,
        containerName: "log-router",
        properties: [
          { name: "IgnoredUID", value: "1337" },
          { name: "AppPorts", value: "8080" },
        ],
      },
    };
    const [m, s] = await both(async (t) => {
      const registered = await outcome(
        t.ecs.send(
          new Ecs.RegisterTaskDefinitionCommand(
            taskDefinition("cfields", {
              cpu: "1024",
              memory: "2048",
              containerDefinitions: containers,
              ...taskFields,
            }),
          ),
        ),
      );
      return {
        registered,
        described: await outcome(
          t.ecs.send(new Ecs.DescribeTaskDefinitionCommand({ taskDefinition: "cfields" })),
        ),
      };
    });
    for (const key of ["registered", "described"] as const) {
      expectCovers(okOf(s[key]), okOf(m[key]));
      const simTd = okOf(s[key]).taskDefinition as Ecs.TaskDefinition;
      const motoTd = okOf(m[key]).taskDefinition as Ecs.TaskDefinition;
      for (const field of Object.keys(taskFields) as (keyof typeof taskFields)[]) {
        expect(simTd[field], `${key}.${field}`).toEqual(motoTd[field]);
        expect(simTd[field], `${key}.${field}`).toEqual(taskFields[field]);
      }
      for (const [i, container] of containers.entries()) {
        expect(motoTd.containerDefinitions?.[i], `moto ${key}.${container.name}`).toMatchObject(container);
        expect(simTd.containerDefinitions?.[i], `${key}.${container.name}`).toMatchObject(container);
      }
    }
  });

  it("agrees on the service fields of issue 14 that moto keeps: create, describe with tags, update", async () => {
    const loadBalancers = [
      {
        targetGroupArn:
          "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef",
        containerName: "app",
        containerPort: 8080,
      },
    ];
    const [m, s] = await both(async (t) => {
      const cluster = "contract-fields";
      await t.ecs.send(new Ecs.CreateClusterCommand({ clusterName: cluster }));
      await t.ecs.send(new Ecs.RegisterTaskDefinitionCommand(taskDefinition("cfsvc")));
      const created = await outcome(
        t.ecs.send(
          new Ecs.CreateServiceCommand({
            cluster,
            serviceName: "web",
            taskDefinition: "cfsvc",
            desiredCount: 1,
            launchType: "FARGATE",
            networkConfiguration: t.network,
            loadBalancers,
            platformVersion: "1.4.0",
            propagateTags: "SERVICE",
            tags: [{ key: "team", value: "web" }],
          }),
        ),
      );
      const described = await outcome(
        t.ecs.send(new Ecs.DescribeServicesCommand({ cluster, services: ["web"], include: ["TAGS"] })),
      );
      const updated = await outcome(
        t.ecs.send(
          new Ecs.UpdateServiceCommand({
            cluster,
            service: "web",
            healthCheckGracePeriodSeconds: 60,
            enableExecuteCommand: true,
            capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
            propagateTags: "TASK_DEFINITION",
          }),
        ),
      );
      await t.ecs.send(new Ecs.DeleteServiceCommand({ cluster, service: "web", force: true }));
      return { created, described, updated };
    });
    for (const key of ["created", "described"] as const) expectCovers(okOf(s[key]), okOf(m[key]));
    // MOTO_KNOWN_WRONG.launchTypeWithCapacityProviders: moto keeps FARGATE beside the new strategy.
    const withoutLaunchType = (svc: Ecs.Service) => ({
      ...svc,
      launchType: undefined,
      deployments: svc.deployments?.map((d) => ({ ...d, launchType: undefined })),
    });
    expectCovers(
      { service: withoutLaunchType(okOf(s.updated).service as Ecs.Service) },
      { service: withoutLaunchType(okOf(m.updated).service as Ecs.Service) },
    );
    expect((okOf(s.updated).service as Ecs.Service).launchType).toBeUndefined();
    const service = (o: Outcome, key = "service") =>
      (key === "service" ? okOf(o).service : (okOf(o).services as unknown[])[0]) as Ecs.Service;
    for (const [simSvc, motoSvc] of [
      [service(s.created), service(m.created)],
      [service(s.described, "services"), service(m.described, "services")],
    ] as const) {
      for (const field of ["loadBalancers", "platformVersion", "propagateTags"] as const)
        expect(simSvc[field], field).toEqual(motoSvc[field]);
    }
    expect(service(s.described, "services").tags).toEqual(service(m.described, "services").tags);
    expect(service(s.described, "services").tags).toEqual([{ key: "team", value: "web" }]);
    const simUpdated = service(s.updated);
    const motoUpdated = service(m.updated);
    for (const field of [
      "healthCheckGracePeriodSeconds",
      "enableExecuteCommand",
      "capacityProviderStrategy",
      "propagateTags",
      "loadBalancers",
    ] as const)
      expect(simUpdated[field], `updated.${field}`).toEqual(motoUpdated[field]);
    expect(simUpdated).toMatchObject({ healthCheckGracePeriodSeconds: 60, enableExecuteCommand: true });
  });

  it("follows AWS where moto drops service fields of issue 14", async () => {
    const [m, s] = await both(async (t) => {
      const cluster = "contract-fields-aws";
      await t.ecs.send(new Ecs.CreateClusterCommand({ clusterName: cluster }));
      await t.ecs.send(new Ecs.RegisterTaskDefinitionCommand(taskDefinition("cfaws")));
      return await outcome(
        t.ecs.send(
          new Ecs.CreateServiceCommand({
            cluster,
            serviceName: "web",
            taskDefinition: "cfaws",
            desiredCount: 0,
            networkConfiguration: t.network,
            capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
            enableExecuteCommand: true,
            healthCheckGracePeriodSeconds: 30,
            enableECSManagedTags: true,
            deploymentConfiguration: {
              alarms: { alarmNames: ["web-5xx"], enable: true, rollback: true },
              bakeTimeInMinutes: 5,
            },
          }),
        ),
      );
    });
    const simSvc = okOf(s).service as Ecs.Service;
    const motoSvc = okOf(m).service as Ecs.Service;
    // MOTO_KNOWN_WRONG.createServiceKeepsEcsFields
    expect(motoSvc.capacityProviderStrategy).toBeUndefined();
    expect(simSvc).toMatchObject({
      capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
      enableExecuteCommand: true,
      healthCheckGracePeriodSeconds: 30,
      enableECSManagedTags: true,
      deploymentConfiguration: {
        alarms: { alarmNames: ["web-5xx"], enable: true, rollback: true },
        bakeTimeInMinutes: 5,
      },
    });
    // MOTO_KNOWN_WRONG.launchTypeWithCapacityProviders
    expect(motoSvc.launchType).toBe("EC2");
    expect(simSvc.launchType).toBeUndefined();
  });
});

describe("contract: Cloud Map (moto vs strict simulator)", () => {
  it("agrees on namespaces: asynchronous creation, shape, lookups, errors", async () => {
    const [m, s] = await both(async (t) => {
      const created = await outcome(
        t.cloudMap.send(
          new CloudMap.CreatePrivateDnsNamespaceCommand({
            Name: "contract.internal",
            Vpc: await t.newVpc(),
            CreatorRequestId: "ns-req",
          }),
        ),
      );
      const op = await waitForOperation(t, okOf(created).OperationId as string);
      const id = (op.Operation as { Targets: { NAMESPACE: string } }).Targets.NAMESPACE;
      return {
        created,
        op,
        got: await outcome(t.cloudMap.send(new CloudMap.GetNamespaceCommand({ Id: id }))),
        listed: await outcome(t.cloudMap.send(new CloudMap.ListNamespacesCommand({}))),
        missing: await outcome(
          t.cloudMap.send(new CloudMap.GetNamespaceCommand({ Id: "ns-aaaaaaaaaaaaaaaa" })),
        ),
        opMissing: await outcome(t.cloudMap.send(new CloudMap.GetOperationCommand({ OperationId: "nope" }))),
      };
    });
    expectCovers(okOf(s.created), okOf(m.created));
    expectCovers(s.op, m.op);
    const simOp = s.op.Operation as CloudMap.Operation;
    const motoOp = m.op.Operation as CloudMap.Operation;
    expect([simOp.Type, simOp.Status]).toEqual([motoOp.Type, motoOp.Status]);
    const { HostedZoneId: _simZone, ...simDns } =
      (okOf(s.got).Namespace as CloudMap.Namespace).Properties?.DnsProperties ?? {};
    const { HostedZoneId: _motoZone, ...motoDns } =
      (okOf(m.got).Namespace as CloudMap.Namespace).Properties?.DnsProperties ?? {};
    expectCovers(simDns, motoDns);
    expectCovers(okOf(s.got), okOf(m.got));
    const simNs = okOf(s.got).Namespace as CloudMap.Namespace;
    const motoNs = okOf(m.got).Namespace as CloudMap.Namespace;
    for (const field of ["Name", "Type", "CreatorRequestId"] as const)
      expect(simNs[field], field).toBe(motoNs[field]);
    expect(simNs.Arn).toBe(`arn:aws:servicediscovery:us-east-1:123456789012:namespace/${simNs.Id}`);
    expect(motoNs.Arn).toBe(`arn:aws:servicediscovery:us-east-1:123456789012:namespace/${motoNs.Id}`);
    expectCovers(okOf(s.listed), okOf(m.listed));
    expect(errorOf(s.missing)).toBe(errorOf(m.missing));
    expect(errorOf(s.opMissing)).toBe(errorOf(m.opMissing));
  });

  it("agrees on services and instances: shapes, registration, discovery, revision, errors", async () => {
    const [m, s] = await both(async (t) => {
      const ns = await namespace(t, "discovery.internal");
      const created = await outcome(
        t.cloudMap.send(
          new CloudMap.CreateServiceCommand({
            Name: "db",
            NamespaceId: ns,
            CreatorRequestId: "svc-req",
            DnsConfig: { RoutingPolicy: "MULTIVALUE", DnsRecords: [{ Type: "A", TTL: 10 }] },
          }),
        ),
      );
      const serviceId = (okOf(created).Service as CloudMap.Service).Id;
      const register = (ip: string) =>
        t.cloudMap.send(
          new CloudMap.RegisterInstanceCommand({
            ServiceId: serviceId,
            InstanceId: "i-1",
            Attributes: { AWS_INSTANCE_IPV4: ip },
          }),
        );
      const revision = async () =>
        okOf(
          await outcome(
            t.cloudMap.send(
              new CloudMap.DiscoverInstancesRevisionCommand({
                NamespaceName: "discovery.internal",
                ServiceName: "db",
              }),
            ),
          ),
        ).InstancesRevision as number;
      const registered = await outcome(register("10.0.0.1"));
      const rev1 = await revision();
      const rev1again = await revision();
      const listed = await outcome(
        t.cloudMap.send(new CloudMap.ListInstancesCommand({ ServiceId: serviceId })),
      );
      const discovered = await outcome(
        t.cloudMap.send(
          new CloudMap.DiscoverInstancesCommand({ NamespaceName: "discovery.internal", ServiceName: "db" }),
        ),
      );
      const got = await outcome(t.cloudMap.send(new CloudMap.GetServiceCommand({ Id: serviceId })));
      const services = await outcome(
        t.cloudMap.send(
          new CloudMap.ListServicesCommand({
            Filters: [{ Name: "NAMESPACE_ID", Values: [ns], Condition: "EQ" }],
          }),
        ),
      );
      const deregistered = await outcome(
        t.cloudMap.send(new CloudMap.DeregisterInstanceCommand({ ServiceId: serviceId, InstanceId: "i-1" })),
      );
      const rev2 = await revision();
      const listedAfter = await outcome(
        t.cloudMap.send(new CloudMap.ListInstancesCommand({ ServiceId: serviceId })),
      );
      return {
        created,
        registered,
        rev1,
        rev1again,
        rev2,
        listed,
        discovered,
        got,
        services,
        deregistered,
        listedAfter,
        missingService: await outcome(
          t.cloudMap.send(new CloudMap.GetServiceCommand({ Id: "srv-aaaaaaaaaaaaaaaa" })),
        ),
        discoverMissingService: await outcome(
          t.cloudMap.send(
            new CloudMap.DiscoverInstancesCommand({
              NamespaceName: "discovery.internal",
              ServiceName: "nope",
            }),
          ),
        ),
        discoverMissingNamespace: await outcome(
          t.cloudMap.send(
            new CloudMap.DiscoverInstancesCommand({ NamespaceName: "nope.internal", ServiceName: "db" }),
          ),
        ),
        deleted: await outcome(t.cloudMap.send(new CloudMap.DeleteServiceCommand({ Id: serviceId }))),
      };
    });
    expectCovers(okOf(s.created), okOf(m.created));
    const simSvc = okOf(s.created).Service as CloudMap.Service;
    const motoSvc = okOf(m.created).Service as CloudMap.Service;
    for (const field of ["Name", "CreatorRequestId"] as const)
      expect(simSvc[field], field).toBe(motoSvc[field]);
    expect(simSvc.DnsConfig?.DnsRecords).toEqual(motoSvc.DnsConfig?.DnsRecords);
    expect(simSvc.Arn).toBe(`arn:aws:servicediscovery:us-east-1:123456789012:service/${simSvc.Id}`);
    expect(motoSvc.Arn).toBe(`arn:aws:servicediscovery:us-east-1:123456789012:service/${motoSvc.Id}`);
    expectCovers(okOf(s.registered), okOf(m.registered));
    expect([s.rev1, s.rev1again]).toEqual([m.rev1, m.rev1again]);
    expect(m.rev2).not.toBe(m.rev1);
    // MOTO_KNOWN_WRONG.revisionIncreases: moto's revision falls back on deregistration.
    expect(s.rev2).toBeGreaterThan(s.rev1);
    expectCovers(okOf(s.listed), okOf(m.listed));
    const ids = (o: Outcome) =>
      ((okOf(o).Instances ?? []) as { Id?: string; InstanceId?: string; Attributes?: object }[]).map((i) => [
        i.Id ?? i.InstanceId,
        i.Attributes,
      ]);
    expect(ids(s.listed)).toEqual(ids(m.listed));
    expectCovers(okOf(s.discovered), { ...okOf(m.discovered), Instances: [] });
    expect(ids(s.discovered)).toEqual(ids(m.discovered));
    expectCovers(okOf(s.got), okOf(m.got));
    expectCovers(okOf(s.services), okOf(m.services));
    expect((okOf(s.services).Services as unknown[]).length).toBe(
      (okOf(m.services).Services as unknown[]).length,
    );
    expectCovers(okOf(s.deregistered), okOf(m.deregistered));
    expect(okOf(s.listedAfter).Instances).toEqual(okOf(m.listedAfter).Instances);
    for (const key of ["missingService", "discoverMissingService", "discoverMissingNamespace"] as const) {
      expect(errorOf(s[key]), key).toBe(errorOf(m[key]));
    }
    expect(okOf(s.deleted)).toEqual(okOf(m.deleted));
  });

  it("agrees on tagging a namespace", async () => {
    const [m, s] = await both(async (t) => {
      const ns = await namespace(t, "tags.internal");
      const arn = (
        (okOf(await outcome(t.cloudMap.send(new CloudMap.GetNamespaceCommand({ Id: ns })))).Namespace ??
          {}) as CloudMap.Namespace
      ).Arn;
      await t.cloudMap.send(
        new CloudMap.TagResourceCommand({
          ResourceARN: arn,
          Tags: [
            { Key: "a", Value: "1" },
            { Key: "b", Value: "2" },
          ],
        }),
      );
      await t.cloudMap.send(new CloudMap.UntagResourceCommand({ ResourceARN: arn, TagKeys: ["a"] }));
      return await outcome(t.cloudMap.send(new CloudMap.ListTagsForResourceCommand({ ResourceARN: arn })));
    });
    expect(okOf(s)).toEqual(okOf(m));
  });

  it("follows AWS where moto is known wrong (Cloud Map)", async () => {
    const [, s] = await both(async (t) => {
      const { id: ns, vpc } = await namespaceIn(t, "aws.internal");
      const svc = okOf(
        await outcome(
          t.cloudMap.send(
            new CloudMap.CreateServiceCommand({
              Name: "db",
              NamespaceId: ns,
              DnsConfig: { DnsRecords: [{ Type: "A", TTL: 10 }] },
            }),
          ),
        ),
      ).Service as CloudMap.Service;
      const register = (ip: string) =>
        t.cloudMap.send(
          new CloudMap.RegisterInstanceCommand({
            ServiceId: svc.Id,
            InstanceId: "i-1",
            Attributes: { AWS_INSTANCE_IPV4: ip },
          }),
        );
      await register("10.0.0.1");
      await register("10.0.0.2");
      return {
        [MOTO_KNOWN_WRONG.namespaceAlreadyExists]: await outcome(
          t.cloudMap.send(new CloudMap.CreatePrivateDnsNamespaceCommand({ Name: "aws.internal", Vpc: vpc })),
        ),
        [MOTO_KNOWN_WRONG.serviceAlreadyExists]: await outcome(
          t.cloudMap.send(new CloudMap.CreateServiceCommand({ Name: "db", NamespaceId: ns })),
        ),
        [MOTO_KNOWN_WRONG.serviceNeedsNamespace]: await outcome(
          t.cloudMap.send(
            new CloudMap.CreateServiceCommand({ Name: "db", NamespaceId: "ns-aaaaaaaaaaaaaaaa" }),
          ),
        ),
        [MOTO_KNOWN_WRONG.registerInstanceUpserts]: await outcome(
          t.cloudMap.send(new CloudMap.ListInstancesCommand({ ServiceId: svc.Id })),
        ),
        [MOTO_KNOWN_WRONG.registerInstanceNeedsIp]: await outcome(
          t.cloudMap.send(
            new CloudMap.RegisterInstanceCommand({
              ServiceId: svc.Id,
              InstanceId: "i-2",
              Attributes: { X: "1" },
            }),
          ),
        ),
        [MOTO_KNOWN_WRONG.customHealthNotFound]: await outcome(
          t.cloudMap.send(
            new CloudMap.UpdateInstanceCustomHealthStatusCommand({
              ServiceId: svc.Id,
              InstanceId: "i-1",
              Status: "HEALTHY",
            }),
          ),
        ),
        [MOTO_KNOWN_WRONG.deleteServiceInUse]: await outcome(
          t.cloudMap.send(new CloudMap.DeleteServiceCommand({ Id: svc.Id })),
        ),
        [MOTO_KNOWN_WRONG.deleteNamespaceInUse]: await outcome(
          t.cloudMap.send(new CloudMap.DeleteNamespaceCommand({ Id: ns })),
        ),
        [MOTO_KNOWN_WRONG.tagsOfMissingResource]: await outcome(
          t.cloudMap.send(
            new CloudMap.ListTagsForResourceCommand({
              ResourceARN: "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-aaaaaaaaaaaaaaaa",
            }),
          ),
        ),
        [MOTO_KNOWN_WRONG.hostedZoneIdShape]: await outcome(
          t.cloudMap.send(new CloudMap.GetNamespaceCommand({ Id: ns })),
        ),
        [MOTO_KNOWN_WRONG.namespacesShareVpc]: await outcome(
          t.cloudMap.send(
            new CloudMap.CreatePrivateDnsNamespaceCommand({ Name: "other.internal", Vpc: vpc }),
          ),
        ),
        [MOTO_KNOWN_WRONG.vpcIdChecked]: await outcome(
          t.cloudMap.send(
            new CloudMap.CreatePrivateDnsNamespaceCommand({ Name: "bad.internal", Vpc: "my-vpc" }),
          ),
        ),
      };
    });
    expect(errorOf(s[MOTO_KNOWN_WRONG.namespaceAlreadyExists])).toBe("NamespaceAlreadyExists");
    expect(errorOf(s[MOTO_KNOWN_WRONG.serviceAlreadyExists])).toBe("ServiceAlreadyExists");
    expect(errorOf(s[MOTO_KNOWN_WRONG.serviceNeedsNamespace])).toBe("NamespaceNotFound");
    expect(okOf(s[MOTO_KNOWN_WRONG.registerInstanceUpserts]).Instances).toEqual([
      { Id: "i-1", Attributes: { AWS_INSTANCE_IPV4: "10.0.0.2" }, CreatedByAccount: "123456789012" },
    ]);
    expect(errorOf(s[MOTO_KNOWN_WRONG.registerInstanceNeedsIp])).toBe("InvalidInput");
    expect(errorOf(s[MOTO_KNOWN_WRONG.customHealthNotFound])).toBe("CustomHealthNotFound");
    expect(errorOf(s[MOTO_KNOWN_WRONG.deleteServiceInUse])).toBe("ResourceInUse");
    expect(errorOf(s[MOTO_KNOWN_WRONG.deleteNamespaceInUse])).toBe("ResourceInUse");
    expect(errorOf(s[MOTO_KNOWN_WRONG.tagsOfMissingResource])).toBe("ResourceNotFoundException");
    const zone = (okOf(s[MOTO_KNOWN_WRONG.hostedZoneIdShape]).Namespace as CloudMap.Namespace).Properties
      ?.DnsProperties?.HostedZoneId;
    expect(zone).toMatch(/^Z[A-Z0-9]+$/);
    expect(okOf(s[MOTO_KNOWN_WRONG.namespacesShareVpc]).OperationId).toEqual(expect.any(String));
    expect(errorOf(s[MOTO_KNOWN_WRONG.vpcIdChecked])).toBe("InvalidInput");
  });
});
