/**
 * The last ECS fields of issue 14 end to end on the strict AWS simulator: a FargateService with Service Connect
 * (its namespace a CloudMapNamespace reference), a CANARY strategy, an appProtocol port and a port range reaches
 * Ready, ECS has what it asked for, and a resync makes no UpdateService call.
 */
import {
  CreateClusterCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadDocuments } from "../../../src/cli/input.js";
import type { ResourceDocument } from "../../../src/store/types.js";
import { clientsFor } from "../aws-sim/support.js";
import { isReady, type ReconcileBench, startReconcileBench } from "./reconcile-harness.js";

const TG = "arn:aws:elasticloadbalancing:eu-west-1:000000000000:targetgroup/search/0123456789abcdef";
const TG_GREEN =
  "arn:aws:elasticloadbalancing:eu-west-1:000000000000:targetgroup/search-green/0123456789abcdef";
const LISTENER_RULE =
  "arn:aws:elasticloadbalancing:eu-west-1:000000000000:listener-rule/app/search/0123456789abcdef/0123456789abcdef/0123456789abcdef";
const ELB_ROLE = "arn:aws:iam::000000000000:role/ecs-elb";

/** Validated documents from JSON-able objects. */
function documents(...docs: object[]): ResourceDocument[] {
  const loaded = loadDocuments(docs.map((d, i) => ({ source: `doc-${i}.json`, text: JSON.stringify(d) })));
  if (loaded.errors.length > 0) throw new Error(loaded.errors.join("\n"));
  return loaded.documents.map((d) => d.document);
}

const NAMESPACE = {
  apiVersion: "fargate-operator/v1alpha1",
  kind: "CloudMapNamespace",
  metadata: { name: "mesh", namespace: "team-search" },
  spec: { dnsName: "mesh.internal", vpcId: "vpc-0a1b2c3d4e5f60718" },
};

function searchService(timeout: number): object {
  return {
    apiVersion: "fargate-operator/v1alpha1",
    kind: "FargateService",
    metadata: { name: "search", namespace: "team-search" },
    spec: {
      cluster: "apps",
      cpu: 512,
      memory: 1024,
      containers: [
        {
          name: "app",
          image: "registry.example/search:1.0.0",
          ports: [
            { containerPort: 8080, name: "http", appProtocol: "http" },
            { containerPortRange: "9000-9010", protocol: "udp" },
          ],
        },
      ],
      network: { subnets: ["subnet-0a1b2c3d4e5f60718"], securityGroups: ["sg-0123456789abcdef0"] },
      loadBalancers: [
        {
          targetGroupArn: TG,
          containerName: "app",
          containerPort: 8080,
          advancedConfiguration: {
            alternateTargetGroupArn: TG_GREEN,
            productionListenerRule: LISTENER_RULE,
            roleArn: ELB_ROLE,
          },
        },
      ],
      serviceConnectConfiguration: {
        enabled: true,
        namespaceRef: { name: "mesh" },
        services: [
          { portName: "http", clientAliases: [{ port: 80 }], timeout: { perRequestTimeoutSeconds: timeout } },
        ],
      },
      deployment: {
        strategy: "CANARY",
        canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 5 },
        bakeTimeInMinutes: 10,
      },
      deploymentController: { type: "ECS" },
      availabilityZoneRebalancing: "DISABLED",
    },
  };
}

let bench: ReconcileBench;

beforeEach(async () => {
  bench = await startReconcileBench({ sim: { mode: "strict" } });
  // Strict mode: the cluster must exist.
  await clientsFor(bench.sim.endpoint).ecs.send(new CreateClusterCommand({ clusterName: "apps" }));
});

afterEach(async () => {
  await bench.close();
});

describe("Service Connect, deployment strategy and the port fields on the simulator", () => {
  it("reach Ready with the namespace's ARN; ECS has them; a resync makes no UpdateService call", async () => {
    const [namespace, service] = documents(NAMESPACE, searchService(15));
    if (namespace === undefined || service === undefined) throw new Error("no documents");
    await bench.store.apply(service);
    // Until the CloudMapNamespace is Ready the record waits, and nothing reaches ECS.
    await bench.pass("FargateService", "team-search", "search");
    const waiting = await bench.read("FargateService", "team-search", "search");
    expect(JSON.stringify(waiting?.status)).toContain("serviceConnectConfiguration: CloudMapNamespace");
    expect(bench.sim.control.counters()["ecs:CreateService"]?.calls ?? 0).toBe(0);

    await bench.store.apply(namespace);
    const ns = await bench.converge("CloudMapNamespace", "team-search", "mesh", isReady);
    // CANARY: the first deployment, too, shifts 10% for 5 minutes and bakes 10 more (polled every 5 s).
    const record = await bench.converge("FargateService", "team-search", "search", isReady, 250);
    // No Cloud Map registration here: the wait for the namespace left no CloudMapRegistered condition behind.
    expect(JSON.stringify(record?.status?.conditions)).not.toContain("CloudMapRegistered");
    const { ecs } = clientsFor(bench.sim.endpoint);
    const described = await ecs.send(
      new DescribeServicesCommand({ cluster: "apps", services: [String(record?.status?.serviceArn)] }),
    );
    const seen = described.services?.[0];
    expect(seen?.deploymentConfiguration).toMatchObject({
      strategy: "CANARY",
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 5 },
      bakeTimeInMinutes: 10,
    });
    expect(seen?.availabilityZoneRebalancing).toBe("DISABLED");
    expect(seen?.deploymentController).toEqual({ type: "ECS" });
    const primary = seen?.deployments?.find((d) => d.status === "PRIMARY");
    expect(primary?.serviceConnectConfiguration).toMatchObject({
      enabled: true,
      namespace: String(ns?.status?.namespaceArn),
      services: [{ portName: "http", discoveryName: "http", clientAliases: [{ port: 80 }] }],
    });
    const td = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: String(record?.status?.taskDefinitionArn) }),
    );
    expect(td.taskDefinition?.containerDefinitions?.[0]?.portMappings).toEqual([
      { containerPort: 8080, hostPort: 8080, protocol: "tcp", name: "http", appProtocol: "http" },
      { containerPortRange: "9000-9010", protocol: "udp" },
    ]);

    bench.sim.control.resetCounters();
    for (let i = 0; i < 3; i++) await bench.pass("FargateService", "team-search", "search");
    expect(bench.sim.control.counters()["ecs:UpdateService"]?.calls ?? 0).toBe(0);

    // A Service Connect change is one UpdateService call carrying it, and a new deployment.
    const [changed] = documents(searchService(30));
    if (changed === undefined) throw new Error("no document");
    await bench.store.apply(changed);
    bench.sim.control.resetCounters();
    await bench.converge("FargateService", "team-search", "search", (r) => isReady(r), 250);
    for (let i = 0; i < 2; i++) await bench.pass("FargateService", "team-search", "search");
    expect(bench.sim.control.counters()["ecs:UpdateService"]?.calls).toBe(1);
    const after = await ecs.send(
      new DescribeServicesCommand({ cluster: "apps", services: ["team-search-search"] }),
    );
    const newest = after.services?.[0]?.deployments?.find((d) => d.status === "PRIMARY");
    expect(newest?.serviceConnectConfiguration?.services?.[0]?.timeout).toEqual({
      perRequestTimeoutSeconds: 30,
    });
  });
});
