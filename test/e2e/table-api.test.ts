/**
 * The table is the API, on `fargatectl dev` as a user in another shell would try it with a plain SDK client (no
 * fargatectl): a put-item creates a service; an update-item of the spec reaches ECS; a put-item over the Ready
 * record rolls out and keeps its identity and finalizer; a forger in a namespace whose ECS name collides, carrying
 * the record's uid, changes nothing of it; a scale-up is Ready only when the tasks run; a delete-item leaves no
 * ECS service, task definition, Cloud Map service or Consul entry. Prints how long each change took to reach ECS.
 */
import { type ChildProcess, execFile } from "node:child_process";
import { once } from "node:events";
import { promisify } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
} from "@aws-sdk/client-ecs";
import { ListServicesCommand, ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { afterAll, describe, expect, it } from "vitest";
import { specHash } from "../../src/crds/hash.js";
import { derivedUid } from "../../src/store/layout.js";
import { startDev, stopDevAfterFailure } from "./dev-support.js";

const NAMESPACE = "team-raw";
const NAME = "api";
const FAMILY = `${NAMESPACE}-${NAME}`;
const CLUSTER = "apps";
const IMAGE = "public.ecr.aws/nginx/nginx";

/** The spec a user would put: nginx, registered in Cloud Map and mirrored into Consul. */
function spec(image: string, desiredCount: number): Record<string, unknown> {
  return {
    cluster: CLUSTER,
    cpu: 256,
    memory: 512,
    desiredCount,
    containers: [{ name: "web", image, ports: [{ containerPort: 80 }] }],
    network: { subnets: ["subnet-0a1b2c3d4e5f60718"], securityGroups: ["sg-0123456789abcdef0"] },
    discovery: {
      cloudMap: { namespaceRef: { name: "apps-internal", namespace: "platform" } },
      consul: { register: true },
    },
  };
}

/** A hand-written item: the five attributes the README asks for, plus whatever `extra` forges. */
function item(namespace: string, name: string, body: Record<string, unknown>, extra = {}) {
  return {
    pk: namespace,
    sk: `FargateService#${name}`,
    kind: "FargateService",
    apiVersion: "fargate-operator/v1alpha1",
    spec: body,
    ...extra,
  };
}

/** Polls `probe` every 100 ms until it returns a value; returns it and the wait in ms. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000) {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return { value, ms: Date.now() - started };
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

type Condition = { type: string; status: string; reason: string; message?: string };

describe("the table is the API (fargatectl dev, plain SDK writes)", () => {
  let child: ChildProcess | undefined;
  afterAll(() => stopDevAfterFailure(child), 30_000);

  it("honours put-item, update-item and delete-item at once, and no forged identity reaches AWS", async () => {
    const dev = await startDev();
    child = dev.child;
    const { env } = dev;
    const credentials = {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? "",
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? "",
    };
    const region = env.AWS_REGION ?? "us-east-1";
    const TableName = env.FARGATE_OPERATOR_TABLE ?? "";
    const dynamo = new DynamoDBClient({ region, credentials, endpoint: env.AWS_ENDPOINT_URL_DYNAMODB ?? "" });
    const table = DynamoDBDocumentClient.from(dynamo);
    const ecs = new ECSClient({ region, credentials, endpoint: env.AWS_ENDPOINT_URL_ECS ?? "" });
    const cloudMap = new ServiceDiscoveryClient({
      region,
      credentials,
      endpoint: env.AWS_ENDPOINT_URL_SERVICEDISCOVERY ?? "",
      disableHostPrefix: true,
    });
    const Key = { pk: NAMESPACE, sk: `FargateService#${NAME}` };
    const read = async () =>
      (await table.send(new GetCommand({ TableName, Key, ConsistentRead: true }))).Item;
    const service = async () =>
      (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [FAMILY] }))).services?.find(
        (s) => s.status === "ACTIVE",
      );
    const imageOf = async (taskDefinition: string | undefined) =>
      taskDefinition === undefined
        ? undefined
        : (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }))).taskDefinition
            ?.containerDefinitions?.[0]?.image;
    const readyNow = async () => {
      const record = await read();
      const status = record?.status as
        | { conditions?: Condition[]; observedSpecHash?: string; replicas?: { running?: number } }
        | undefined;
      const ready = status?.conditions?.find((c) => c.type === "Ready");
      // Ready counts only for the spec the item holds now (the controller's hash of it).
      const current =
        record?.spec === undefined ? undefined : specHash(record.spec as Record<string, unknown>);
      return ready?.status === "True" && status?.observedSpecHash === current ? record : undefined;
    };
    const consulHas = async (name: string) => {
      const services = (await (
        await fetch(`http://${env.CONSUL_HTTP_ADDR}/v1/catalog/services`)
      ).json()) as Record<string, unknown>;
      return name in services;
    };
    try {
      // 1. put-item creates it.
      await table.send(new PutCommand({ TableName, Item: item(NAMESPACE, NAME, spec(`${IMAGE}:1.27`, 1)) }));
      const created = await until("the put-item record to be Ready", readyNow, 90_000);
      await until("the Consul entry", async () => ((await consulHas(NAME)) ? true : undefined));

      // 2. update-item of the spec alone (no resourceVersion, no generation) reaches ECS.
      await table.send(
        new UpdateCommand({
          TableName,
          Key,
          UpdateExpression: "SET #spec.#count = :n",
          ExpressionAttributeNames: { "#spec": "spec", "#count": "desiredCount" },
          ExpressionAttributeValues: { ":n": 2 },
        }),
      );
      const updated = await until("ECS desiredCount 2", async () =>
        (await service())?.desiredCount === 2 ? true : undefined,
      );

      // 3. put-item over the Ready record (what Terraform does) rolls out and keeps identity and finalizer.
      await until("Ready at 2", readyNow);
      await table.send(new PutCommand({ TableName, Item: item(NAMESPACE, NAME, spec(`${IMAGE}:1.28`, 2)) }));
      const replaced = await until("ECS to run the put-item's image", async () =>
        (await imageOf((await service())?.taskDefinition)) === `${IMAGE}:1.28` ? true : undefined,
      );
      const after = await until("the finalizer back", async () => {
        const record = await read();
        return (record?.finalizers as string[] | undefined)?.includes("fargate-operator/cleanup")
          ? record
          : undefined;
      });
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ["--import", "tsx", "src/cli/run.ts", "get", "fs", NAME, "-n", NAMESPACE, "-o", "json"],
        { env: { PATH: process.env.PATH ?? "", ...env } },
      );
      const shown = JSON.parse(stdout) as { metadata: { uid: string; creationTimestamp: string } };
      expect(shown.metadata.uid).toBe(derivedUid(Key));
      expect(after.value.creationTimestamp).toBe(created.value.creationTimestamp);

      // 4. A forger: `team/raw-api` has the ECS name `team-raw-api`, carries the record's uid, our finalizer and a
      // Ready status, and asks for another image. It is refused and changes nothing; deleting it neither.
      await until("Ready on 1.28", readyNow);
      const before = await service();
      const forger = { pk: "team", sk: "FargateService#raw-api" };
      await table.send(
        new PutCommand({
          TableName,
          Item: item("team", "raw-api", spec("public.ecr.aws/evil/evil:latest", 3), {
            uid: derivedUid(Key),
            finalizers: ["fargate-operator/cleanup"],
            status: { conditions: [{ type: "Ready", status: "True", reason: "RolloutComplete" }] },
          }),
        }),
      );
      const refused = await until("the forger's refusal", async () => {
        const record = (await table.send(new GetCommand({ TableName, Key: forger, ConsistentRead: true })))
          .Item;
        const ready = (record?.status as { conditions?: Condition[] } | undefined)?.conditions?.find(
          (c) => c.type === "Ready",
        );
        return ready?.status === "False" ? ready : undefined;
      });
      expect(refused.value.reason).toBe("NameConflict");
      await table.send(new DeleteCommand({ TableName, Key: forger }));
      await new Promise((r) => setTimeout(r, 3000));
      const untouched = await service();
      expect(untouched?.taskDefinition).toBe(before?.taskDefinition);
      expect(untouched?.desiredCount).toBe(2);

      // 5. Scale 2 → 5: whenever Ready is True for the new spec, ECS runs 5 tasks.
      await table.send(
        new UpdateCommand({
          TableName,
          Key,
          UpdateExpression: "SET #spec.#count = :n",
          ExpressionAttributeNames: { "#spec": "spec", "#count": "desiredCount" },
          ExpressionAttributeValues: { ":n": 5 },
        }),
      );
      const scaled = await until("Ready at 5", async () => {
        const record = await readyNow();
        const s = await service();
        if (record === undefined || (record.spec as { desiredCount?: number }).desiredCount !== 5)
          return undefined;
        const observed = (record.status as { observedSpecHash?: string }).observedSpecHash;
        if (observed !== record.specHash && record.specHash !== undefined) return undefined;
        return { running: s?.runningCount, replicas: (record.status as { replicas?: unknown }).replicas };
      });
      expect(scaled.value.running).toBe(5);
      expect(scaled.value.replicas).toMatchObject({ desired: 5, running: 5 });

      // 6. delete-item (Terraform destroy) leaves nothing behind.
      await table.send(new DeleteCommand({ TableName, Key }));
      const gone = await until("everything cleaned up", async () => {
        const ecsService = await service();
        const revisions = (
          await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: FAMILY, status: "ACTIVE" }))
        ).taskDefinitionArns;
        const cloudMapServices = (await cloudMap.send(new ListServicesCommand({}))).Services ?? [];
        const left = [
          ...(ecsService ? ["ECS service"] : []),
          ...(revisions ?? []).map((arn) => `revision ${arn}`),
          ...cloudMapServices.filter((s) => s.Name === NAME).map(() => "Cloud Map service"),
          ...((await consulHas(NAME)) ? ["Consul entry"] : []),
        ];
        return left.length === 0 ? true : undefined;
      });
      console.info(
        `[figures] table API on the dev stack: update-item → ECS ${updated.ms} ms; put-item → ECS runs the new ` +
          `image ${replaced.ms} ms; forger refused in ${refused.ms} ms; scale 2 → 5 Ready ${scaled.ms} ms; ` +
          `delete-item → nothing left ${gone.ms} ms`,
      );
    } finally {
      dynamo.destroy();
      ecs.destroy();
      cloudMap.destroy();
      dev.child.kill("SIGTERM");
      await once(dev.child, "exit");
    }
  }, 300_000);
});
