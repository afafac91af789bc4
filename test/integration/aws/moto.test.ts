/**
 * The gateways against moto_server, for what moto models: task definitions, the service lifecycle and Cloud
 * Map namespaces and services. Where moto departs from AWS (see MOTO_KNOWN_WRONG in
 * test/integration/aws-sim/contract.test.ts), the test asserts what moto does and says why.
 */
import { randomBytes } from "node:crypto";
import { CreateClusterCommand, ECSClient } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { AwsInvalidRequestError, AwsNotFoundError } from "../../../src/aws/errors.js";
import type { AwsGateways, CloudMapGateway } from "../../../src/aws/types.js";
import { motoEc2 } from "../../support/moto-ec2.js";
import { fargateTaskDefinition, gatewaysAt, rejectionOf, TEST_CREDENTIALS } from "./support.js";

const endpoint = inject("motoEndpoint");
const run = randomBytes(4).toString("hex");
let aws: AwsGateways;
let network: { awsvpcConfiguration: { subnets: string[]; securityGroups: string[] } };

const ec2 = (params: Record<string, string>, tag: string) => motoEc2(endpoint, params, tag);
const newVpc = () => ec2({ Action: "CreateVpc", CidrBlock: "10.0.0.0/16" }, "vpcId");

beforeAll(async () => {
  aws = gatewaysAt(endpoint).aws;
  const vpc = await newVpc();
  const subnet = await ec2({ Action: "CreateSubnet", VpcId: vpc, CidrBlock: "10.0.1.0/24" }, "subnetId");
  const group = await ec2(
    { Action: "CreateSecurityGroup", GroupName: `gw-${run}`, GroupDescription: "gateway tests", VpcId: vpc },
    "groupId",
  );
  network = { awsvpcConfiguration: { subnets: [subnet], securityGroups: [group] } };
});

afterAll(() => {
  aws?.destroy();
});

describe("EcsGateway on moto", () => {
  it("registers, lists, describes with tags and deregisters task definitions", async () => {
    const family = `gw-td-${run}`;
    const first = await aws.ecs.registerTaskDefinition(fargateTaskDefinition(family, { owner: "me" }));
    expect(first).toMatchObject({ family, revision: 1, status: "ACTIVE", tags: { owner: "me" } });
    const second = await aws.ecs.registerTaskDefinition(fargateTaskDefinition(family));
    await aws.ecs.registerTaskDefinition(fargateTaskDefinition(`${family}-other`));
    // Whatever moto does with familyPrefix, the gateway keeps the exact family only; moto ignores sort DESC
    // (it lists oldest first), so this also checks that the gateway orders newest first by itself.
    expect(await aws.ecs.listActiveRevisions(family)).toEqual([second.arn, first.arn]);
    expect(await aws.ecs.describeTaskDefinition(first.arn)).toEqual({
      ...first,
      content: expect.objectContaining({ taskDefinitionArn: first.arn, family: first.family }),
    });

    await aws.ecs.tagResource(second.arn, { extra: "1" });
    expect((await aws.ecs.describeTaskDefinition(second.arn)).tags).toEqual({ extra: "1" });

    await aws.ecs.deregisterTaskDefinition(first.arn);
    expect(await aws.ecs.listActiveRevisions(family)).toEqual([second.arn]);
    expect(await aws.ecs.listActiveRevisions(`gw-none-${run}`)).toEqual([]);
    expect(await rejectionOf(aws.ecs.describeTaskDefinition(`gw-none-${run}:1`))).toBeInstanceOf(
      AwsNotFoundError,
    );
    expect(await rejectionOf(aws.ecs.deregisterTaskDefinition(`gw-none-${run}:3`))).toBeInstanceOf(
      AwsNotFoundError,
    );
  });

  it("creates, describes, updates and deletes a service", async () => {
    const cluster = `gw-cluster-${run}`;
    const raw = new ECSClient({
      endpoint,
      region: "us-east-1",
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
    });
    try {
      await raw.send(new CreateClusterCommand({ clusterName: cluster }));
    } finally {
      raw.destroy();
    }
    const td = await aws.ecs.registerTaskDefinition(fargateTaskDefinition(`gw-svc-${run}`));
    const input = {
      cluster,
      serviceName: "web",
      taskDefinition: td.arn,
      desiredCount: 1,
      launchType: "FARGATE" as const,
      networkConfiguration: network,
      clientToken: `token-${run}`,
      tags: [{ key: "fargate-operator:uid", value: run }],
    };
    const created = await aws.ecs.createService(input);
    expect(created).toMatchObject({ serviceName: "web", status: "ACTIVE", desiredCount: 1 });
    expect((await aws.ecs.createService(input)).serviceArn).toBe(created.serviceArn);

    const described = await aws.ecs.describeService(cluster, "web", { maxAgeMs: 0 });
    expect(described).toMatchObject({ serviceArn: created.serviceArn, status: "ACTIVE" });
    expect(described?.tags).toEqual([{ key: "fargate-operator:uid", value: run }]);
    expect(await aws.ecs.describeService(cluster, "ghost")).toBeUndefined();
    // moto runs no service tasks, so none stopped; the request (startedBy beside desiredStatus) is accepted.
    const deploymentId = described?.deployments?.[0]?.id ?? "ecs-svc/0";
    expect(await aws.ecs.listStoppedTasks?.(cluster, "web", deploymentId)).toEqual([]);

    const updated = await aws.ecs.updateService({ cluster, service: "web", desiredCount: 0 });
    expect(updated.desiredCount).toBe(0);
    expect(
      await rejectionOf(aws.ecs.updateService({ cluster, service: "ghost", desiredCount: 1 })),
    ).toBeInstanceOf(AwsNotFoundError);

    // moto answers INACTIVE at once where AWS drains (MOTO_KNOWN_WRONG.deleteServiceDrains).
    const deleted = await aws.ecs.deleteService(cluster, "web");
    expect(deleted?.status).toBe("INACTIVE");
    expect(await aws.ecs.describeService(cluster, "web", { maxAgeMs: 60_000 })).toBeUndefined();
    expect(await aws.ecs.describeService(cluster, "web", { maxAgeMs: 0 })).toBeUndefined();
    expect(await aws.ecs.deleteService(cluster, "ghost")).toBeUndefined();
  });
});

async function namespaceOn(cloudMap: CloudMapGateway, name: string, vpc: string, creatorRequestId: string) {
  const op = await cloudMap.createPrivateDnsNamespace({ name, vpc, creatorRequestId, tags: { owner: run } });
  // moto finishes operations at once; there is no time to move.
  const done = await cloudMap.getOperation(op);
  expect(done.status).toBe("SUCCESS");
  return done.targets.NAMESPACE ?? "";
}

describe("CloudMapGateway on moto", () => {
  it("creates, reads, tags and deletes a namespace; a second one in the VPC is refused", async () => {
    const vpc = await newVpc();
    const name = `gw-${run}.internal`;
    const id = await namespaceOn(aws.cloudMap, name, vpc, `req-${run}`);
    const ns = await aws.cloudMap.getNamespace(id);
    expect(ns).toMatchObject({ id, name, type: "DNS_PRIVATE", creatorRequestId: `req-${run}` });
    // moto's zone id is "/hostedzone/…" where AWS gives "Z…" (MOTO_KNOWN_WRONG.hostedZoneIdShape).
    expect(ns.hostedZoneId).toEqual(expect.any(String));
    expect(await aws.cloudMap.listTags(ns.arn)).toEqual({ owner: run });
    await aws.cloudMap.tagResource(ns.arn, { more: "1" });
    expect(await aws.cloudMap.listTags(ns.arn)).toEqual({ owner: run, more: "1" });

    // AWS answers NamespaceAlreadyExists (→ AwsAlreadyExistsError); moto answers ConflictingDomainExists,
    // which is not in Cloud Map's model, so the gateway can only call it an invalid request
    // (MOTO_KNOWN_WRONG.namespaceAlreadyExists).
    const clash = await rejectionOf(
      aws.cloudMap.createPrivateDnsNamespace({ name, vpc, creatorRequestId: "other", tags: {} }),
    );
    expect(clash).toBeInstanceOf(AwsInvalidRequestError);
    expect(clash).toMatchObject({ code: "ConflictingDomainExists" });

    const op = await aws.cloudMap.deleteNamespace(id);
    expect((await aws.cloudMap.getOperation(op)).status).toBe("SUCCESS");
    expect(await rejectionOf(aws.cloudMap.getNamespace(id))).toBeInstanceOf(AwsNotFoundError);
    expect(await rejectionOf(aws.cloudMap.getOperation(`nope-${run}`))).toBeInstanceOf(AwsNotFoundError);
  });

  it("creates, gets, lists and deletes services", async () => {
    const nsId = await namespaceOn(aws.cloudMap, `gw-svc-${run}.internal`, await newVpc(), `req-svc-${run}`);
    const svc = await aws.cloudMap.createService({
      Name: "db",
      NamespaceId: nsId,
      CreatorRequestId: `db-${run}`,
      DnsConfig: { RoutingPolicy: "MULTIVALUE", DnsRecords: [{ Type: "A", TTL: 10 }] },
    });
    expect(svc).toMatchObject({ name: "db", namespaceId: nsId, creatorRequestId: `db-${run}` });
    expect(await aws.cloudMap.getService(svc.id)).toMatchObject({
      id: svc.id,
      dnsRecords: [{ Type: "A", TTL: 10 }],
    });
    await aws.cloudMap.createService({ Name: "cache", NamespaceId: nsId });
    // moto's ListServices ignores the NAMESPACE_ID filter (it answers every namespace's services, and suites
    // share one moto), so only this namespace's two names are checked here; the simulator filters like AWS.
    const mine = (list: Array<{ name: string }>) =>
      list
        .map((s) => s.name)
        .filter((n) => n === "cache" || n === "db")
        .sort();
    expect(mine(await aws.cloudMap.listServices(nsId))).toEqual(["cache", "db"]);
    expect(await aws.cloudMap.listInstanceIds(svc.id)).toEqual([]);

    await aws.cloudMap.deleteService(svc.id);
    expect(await rejectionOf(aws.cloudMap.getService(svc.id))).toBeInstanceOf(AwsNotFoundError);
    expect(mine(await aws.cloudMap.listServices(nsId))).toEqual(["cache"]);
  });
});
