import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EcsService, EcsUpdateServiceInput } from "../../../../src/aws/types.js";
import {
  desiredUpdateFor,
  diffService,
  SERVICE_FIELDS,
  type ServiceDifference,
} from "../../../../src/reconcilers/fargate-service/diff.js";
import { renderEcsService } from "../../../../src/render/index.js";
import { contextFor, validSpec } from "../../render/fixtures.js";
import { deployment, tdArn } from "./ecs-fixtures.js";

const REGISTRY = "arn:aws:servicediscovery:eu-west-1:000000000000:service/srv-0123456789abcdef";

function desired(over: Partial<EcsUpdateServiceInput> = {}): EcsUpdateServiceInput {
  return {
    cluster: "apps",
    service: "default-web",
    taskDefinition: tdArn(2),
    desiredCount: 2,
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: ["subnet-a", "subnet-b"],
        securityGroups: ["sg-1", "sg-2"],
        assignPublicIp: "DISABLED",
      },
    },
    deploymentConfiguration: {
      deploymentCircuitBreaker: { enable: true, rollback: true },
      minimumHealthyPercent: 100,
      maximumPercent: 200,
    },
    serviceRegistries: [{ registryArn: REGISTRY, containerName: "web", containerPort: 8080 }],
    propagateTags: "SERVICE",
    enableECSManagedTags: true,
    ...over,
  };
}

/** The same service as ECS describes it: lists reordered, defaults omitted, members of its own added. */
function steadyObserved(over: Partial<EcsService> = {}): EcsService {
  return {
    serviceArn: "arn:aws:ecs:eu-west-1:000000000000:service/apps/default-web",
    serviceName: "default-web",
    status: "ACTIVE",
    taskDefinition: tdArn(2),
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    networkConfiguration: {
      awsvpcConfiguration: { subnets: ["subnet-b", "subnet-a"], securityGroups: ["sg-2", "sg-1"] },
    },
    deploymentConfiguration: {
      deploymentCircuitBreaker: { enable: true, rollback: true },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      alarms: { alarmNames: [], enable: false, rollback: false },
      strategy: "ROLLING",
      bakeTimeInMinutes: 0,
    },
    serviceRegistries: [{ containerPort: 8080, containerName: "web", registryArn: REGISTRY }],
    propagateTags: "SERVICE",
    enableECSManagedTags: true,
    deployments: [deployment({ rolloutState: "COMPLETED" })],
    events: [{ id: "e1", message: "(service default-web) has reached a steady state." }],
    ...over,
  };
}

describe("diffService", () => {
  it("finds nothing for a steady state ECS describes with its own members and another order", () => {
    expect(diffService(desired(), steadyObserved())).toEqual([]);
  });

  it("finds nothing for the renderer's own update input against its echo", () => {
    const spec = validSpec({
      cluster: "apps",
      cpu: 256,
      memory: 512,
      containers: [{ name: "web", image: "web:1", ports: [{ containerPort: 8080 }] }],
      network: { subnets: ["subnet-a"], securityGroups: ["sg-1"] },
      discovery: { cloudMap: { namespaceRef: { name: "apps" } } },
    });
    const { update } = renderEcsService(spec, contextFor("web", "default"), {
      taskDefinitionArn: tdArn(2),
      cloudMapServiceArn: REGISTRY,
    });
    const observed = steadyObserved({
      desiredCount: 1,
      networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-a"], securityGroups: ["sg-1"] } },
      serviceRegistries: [{ registryArn: REGISTRY }],
    });
    expect(diffService(update, observed)).toEqual([]);
  });

  it("reports each differing field with the raw desired and observed values, in a fixed order", () => {
    const observed = steadyObserved({ taskDefinition: tdArn(1), desiredCount: 5, propagateTags: "NONE" });
    expect(diffService(desired(), observed)).toEqual([
      { field: "taskDefinition", desired: tdArn(2), observed: tdArn(1) },
      { field: "desiredCount", desired: 2, observed: 5 },
      { field: "propagateTags", desired: "SERVICE", observed: "NONE" },
    ]);
  });

  it("reads a missing assignPublicIp as DISABLED", () => {
    expect(diffService(desired(), steadyObserved())).toEqual([]);
    const publicIp = desired({
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ["subnet-a", "subnet-b"],
          securityGroups: ["sg-1", "sg-2"],
          assignPublicIp: "ENABLED",
        },
      },
    });
    expect(diffService(publicIp, steadyObserved()).map((d) => d.field)).toEqual(["networkConfiguration"]);
  });

  it("sees a changed subnet or security group set, and a missing network configuration", () => {
    const moved = steadyObserved({
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ["subnet-a", "subnet-c"], securityGroups: ["sg-1", "sg-2"] },
      },
    });
    expect(diffService(desired(), moved).map((d) => d.field)).toEqual(["networkConfiguration"]);
    const fewer = steadyObserved({
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ["subnet-a", "subnet-b"], securityGroups: ["sg-1"] },
      },
    });
    expect(diffService(desired(), fewer).map((d) => d.field)).toEqual(["networkConfiguration"]);
    const thin = steadyObserved({ networkConfiguration: {} });
    expect(diffService(desired(), thin)).toEqual([
      { field: "networkConfiguration", desired: desired().networkConfiguration, observed: {} },
    ]);
  });

  it("compares only the deployment configuration members we set, with ECS defaults for missing ones", () => {
    const noConfig = steadyObserved();
    delete noConfig.deploymentConfiguration;
    expect(diffService(desired(), noConfig).map((d) => d.field)).toEqual(["deploymentConfiguration"]);
    const ecsDefaults = desired({
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: false, rollback: false },
        minimumHealthyPercent: 100,
        maximumPercent: 200,
      },
    });
    expect(diffService(ecsDefaults, noConfig)).toEqual([]);
    const breakerOff = steadyObserved({
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: true, rollback: false },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
      },
    });
    expect(diffService(desired(), breakerOff)).toEqual([
      {
        field: "deploymentConfiguration",
        desired: desired().deploymentConfiguration,
        observed: breakerOff.deploymentConfiguration,
      },
    ]);
    const percents = steadyObserved({
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: true, rollback: true },
        maximumPercent: 150,
      },
    });
    expect(diffService(desired(), percents).map((d) => d.field)).toEqual(["deploymentConfiguration"]);
  });

  it("reads a missing propagateTags as NONE and a missing enableECSManagedTags as false", () => {
    const thin = steadyObserved();
    delete thin.propagateTags;
    delete thin.enableECSManagedTags;
    expect(diffService(desired({ propagateTags: "NONE", enableECSManagedTags: false }), thin)).toEqual([]);
    expect(diffService(desired(), thin)).toEqual([
      { field: "propagateTags", desired: "SERVICE", observed: undefined },
      { field: "enableECSManagedTags", desired: true, observed: undefined },
    ]);
  });

  it("compares service registries as sets of registryArn, containerName, containerPort and port", () => {
    const withPort = steadyObserved({ serviceRegistries: [{ registryArn: REGISTRY, port: 8080 }] });
    expect(diffService(desired(), withPort).map((d) => d.field)).toEqual(["serviceRegistries"]);
    const none = steadyObserved();
    delete none.serviceRegistries;
    expect(diffService(desired({ serviceRegistries: [] }), none)).toEqual([]);
    expect(diffService(desired({ serviceRegistries: [] }), steadyObserved()).map((d) => d.field)).toEqual([
      "serviceRegistries",
    ]);
    const two = [
      { registryArn: `${REGISTRY}1`, containerName: "a", containerPort: 1 },
      { registryArn: `${REGISTRY}2`, port: 2 },
    ];
    expect(
      diffService(
        desired({ serviceRegistries: two }),
        steadyObserved({ serviceRegistries: [...two].reverse() }),
      ),
    ).toEqual([]);
  });

  it("does not compare members the desired input leaves out", () => {
    const only = { cluster: "apps", service: "default-web", desiredCount: 2 };
    const observed = steadyObserved({ taskDefinition: tdArn(9), propagateTags: "TASK_DEFINITION" });
    delete observed.networkConfiguration;
    expect(diffService(only, observed)).toEqual([]);
  });

  it("treats a missing observed desiredCount as 0", () => {
    const observed = steadyObserved();
    delete observed.desiredCount;
    expect(diffService(desired({ desiredCount: 0 }), observed)).toEqual([]);
    expect(diffService(desired(), observed)).toEqual([
      { field: "desiredCount", desired: 2, observed: undefined },
    ]);
  });
});

describe("desiredUpdateFor", () => {
  it("keeps cluster, service and only the differing members", () => {
    const differences: ServiceDifference[] = [
      { field: "desiredCount", desired: 2, observed: 1 },
      { field: "serviceRegistries", desired: [], observed: [] },
    ];
    expect(desiredUpdateFor(desired(), differences)).toEqual({
      cluster: "apps",
      service: "default-web",
      desiredCount: 2,
      serviceRegistries: desired().serviceRegistries,
    });
  });

  it("is cluster and service alone without differences, and leaves out a cluster the input has not", () => {
    expect(desiredUpdateFor(desired(), [])).toEqual({ cluster: "apps", service: "default-web" });
    const noCluster = desired();
    delete noCluster.cluster;
    expect(
      desiredUpdateFor(noCluster, [{ field: "taskDefinition", desired: tdArn(2), observed: tdArn(1) }]),
    ).toEqual({ service: "default-web", taskDefinition: tdArn(2) });
  });

  it("copies every field when every field differs", () => {
    const all = SERVICE_FIELDS.map((field) => ({ field, desired: null, observed: null }));
    expect(desiredUpdateFor(desired(), all)).toEqual(desired());
  });
});

describe("diffService: properties", () => {
  const id = (prefix: string) => fc.stringMatching(/^[a-f0-9]{4}$/).map((s) => `${prefix}-${s}`);
  const registry = fc.record(
    {
      registryArn: fc.constantFrom(`${REGISTRY}1`, `${REGISTRY}2`, `${REGISTRY}3`),
      containerName: fc.constantFrom("web", "api"),
      containerPort: fc.integer({ min: 1, max: 65535 }),
      port: fc.integer({ min: 1, max: 65535 }),
    },
    { requiredKeys: ["registryArn"] },
  );
  const arbDesired: fc.Arbitrary<EcsUpdateServiceInput> = fc.record({
    cluster: fc.constant("apps"),
    service: fc.constant("default-web"),
    taskDefinition: fc.integer({ min: 1, max: 5 }).map(tdArn),
    desiredCount: fc.nat(10),
    networkConfiguration: fc.record({
      awsvpcConfiguration: fc.record({
        subnets: fc.uniqueArray(id("subnet"), { minLength: 1, maxLength: 4 }),
        securityGroups: fc.uniqueArray(id("sg"), { minLength: 1, maxLength: 4 }),
        assignPublicIp: fc.constantFrom("ENABLED" as const, "DISABLED" as const),
      }),
    }),
    deploymentConfiguration: fc.record({
      deploymentCircuitBreaker: fc.record({ enable: fc.boolean(), rollback: fc.boolean() }),
      minimumHealthyPercent: fc.integer({ min: 0, max: 100 }),
      maximumPercent: fc.integer({ min: 100, max: 200 }),
    }),
    serviceRegistries: fc.uniqueArray(registry, { maxLength: 3, selector: (r) => JSON.stringify(r) }),
    propagateTags: fc.constantFrom("SERVICE" as const, "TASK_DEFINITION" as const, "NONE" as const),
    enableECSManagedTags: fc.boolean(),
  });

  /** What ECS could describe for `x`: any order, defaults left out, members of its own added. */
  const echoOf = (x: EcsUpdateServiceInput): fc.Arbitrary<EcsService> => {
    const awsvpc = x.networkConfiguration?.awsvpcConfiguration;
    const subnets = awsvpc?.subnets ?? [];
    const groups = awsvpc?.securityGroups ?? [];
    const registries = x.serviceRegistries ?? [];
    return fc
      .record({
        subnets: fc.shuffledSubarray(subnets, { minLength: subnets.length }),
        groups: fc.shuffledSubarray(groups, { minLength: groups.length }),
        registries: fc.shuffledSubarray(registries, { minLength: registries.length }),
        omitDefaults: fc.boolean(),
        bake: fc.nat(60),
      })
      .map(({ subnets: s, groups: g, registries: r, omitDefaults, bake }) => {
        const omit = <T>(value: T, fallback: T) => (omitDefaults && value === fallback ? undefined : value);
        const publicIp = omit(awsvpc?.assignPublicIp, "DISABLED");
        const echo: EcsService = {
          serviceName: "default-web",
          status: "ACTIVE",
          taskDefinition: x.taskDefinition,
          desiredCount: x.desiredCount,
          networkConfiguration: {
            awsvpcConfiguration: {
              subnets: s,
              securityGroups: g,
              ...(publicIp === undefined ? {} : { assignPublicIp: publicIp }),
            },
          },
          deploymentConfiguration: {
            ...x.deploymentConfiguration,
            alarms: { alarmNames: [], enable: false, rollback: false },
            bakeTimeInMinutes: bake,
            strategy: "ROLLING",
          },
          // Members in another key order, as a JSON decoder may give them.
          serviceRegistries: r.map((reg) => Object.fromEntries(Object.entries(reg).reverse())),
          deployments: [deployment()],
        };
        const tags = omit(x.propagateTags, "NONE");
        if (tags !== undefined) echo.propagateTags = tags;
        const managed = omit(x.enableECSManagedTags, false);
        if (managed !== undefined) echo.enableECSManagedTags = managed;
        return echo;
      });
  };

  it("never reports a difference between an input and any ECS echo of it", () => {
    fc.assert(
      fc.property(
        arbDesired.chain((x) => echoOf(x).map((echo) => [x, echo] as const)),
        ([x, echo]) => {
          expect(diffService(x, echo)).toEqual([]);
        },
      ),
    );
  });

  it("converges: applying desiredUpdateFor's members to any other service leaves no difference", () => {
    fc.assert(
      fc.property(arbDesired, arbDesired, (x, other) => {
        const observed: EcsService = { ...other, serviceName: "default-web" };
        const differences = diffService(x, observed);
        const update = desiredUpdateFor(x, differences);
        for (const key of Object.keys(update)) {
          expect(["cluster", "service", ...differences.map((d) => d.field)]).toContain(key);
        }
        const repaired: EcsService = { ...observed, ...update };
        expect(diffService(x, repaired)).toEqual([]);
      }),
    );
  });
});
