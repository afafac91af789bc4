/**
 * A bench for records that leave the table behind the controller's back: a fresh table on DynamoDB Local, the AWS
 * simulator (wall clock, 10× speed), optionally the Consul simulator, and `fargatectl controller` in process
 * (started, stopped with SIGTERM, started again), its JSON log lines collected. Raw DeleteItem as Terraform's
 * destroy sends it, and an inventory of what is left in ECS, Cloud Map and Consul.
 */
import { EventEmitter } from "node:events";
import { Writable } from "node:stream";
import { ListServicesCommand, ListTaskDefinitionsCommand } from "@aws-sdk/client-ecs";
import { ListServicesCommand as ListCloudMapServicesCommand } from "@aws-sdk/client-servicediscovery";
import { DeleteCommand, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { inject } from "vitest";
import { applyDefaults } from "../../../src/crds/defaults.js";
import { API_VERSION, type Condition, type Kind } from "../../../src/crds/meta.js";
import { type AwsSimulator, startAwsSimulator } from "../../../src/dev/aws-sim/index.js";
import { type ConsulSimulator, startConsulSimulator } from "../../../src/dev/consul-sim/index.js";
import { runControllerCommand } from "../../../src/reconcilers/command.js";
import { findCondition } from "../../../src/reconcilers/conditions.js";
import type { Manager } from "../../../src/runtime/manager.js";
import type { DynamoResourceStore } from "../../../src/store/dynamo-store.js";
import { NotFoundError } from "../../../src/store/errors.js";
import { resourceItemKey } from "../../../src/store/layout.js";
import type { ResourceDocument, StoredResource } from "../../../src/store/types.js";
import { freshStore, TEST_CREDENTIALS } from "../../support/store-fixtures.js";
import { clientsFor } from "../aws-sim/support.js";
import { until } from "./support.js";

/** Tenancy namespace, ECS cluster and DNS name of the bench's records. */
export const NS = "team";
export const CLUSTER = "vanish";
export const DNS_NAME = "vanish.internal";

/** One JSON log line of the controller. */
export type LogLine = Record<string, unknown> & { msg: string };

/** What is left in the simulated account (and Consul) for the bench's records. */
export interface Leftovers {
  /** ECS services ListServices returns (ACTIVE). */
  ecsServices: string[];
  /** ACTIVE task-definition revisions. */
  revisions: string[];
  /** Cloud Map service names, every namespace. */
  cloudMapServices: string[];
  /** Consul service names registered on the sync's node(s). */
  consulServices: string[];
}

/** The bench. */
export interface VanishBench {
  store: DynamoResourceStore;
  sim: AwsSimulator;
  consul: ConsulSimulator | undefined;
  /** Every log line of every controller run so far. */
  logs: LogLine[];
  /** Starts `fargatectl controller` (extra flags override the bench's); resolves once it leads. */
  startController(flags?: Record<string, string>): Promise<Manager>;
  /** SIGTERM; resolves with the exit code. */
  stopController(): Promise<number>;
  apply(doc: ResourceDocument): Promise<StoredResource>;
  read(kind: Kind, name: string): Promise<StoredResource | undefined>;
  /** DeleteItem on the record's item, as `aws dynamodb delete-item` or Terraform destroy sends it. */
  rawDelete(kind: Kind, name: string): Promise<void>;
  /** PutItem of the record's item as it is but without finalizers (a writer that never read them). */
  rawPutWithoutFinalizers(kind: Kind, name: string): Promise<void>;
  leftovers(): Promise<Leftovers>;
  /** Polls until `check` holds (wall clock; the simulator runs 10× faster). */
  eventually<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

/** True when Ready=True for the record's current generation. */
export function isReady(record: StoredResource | undefined): boolean {
  const ready = findCondition(record?.status?.conditions as Condition[] | undefined, "Ready");
  return ready?.status === "True" && ready.observedGeneration === record?.metadata.generation;
}

/** A CloudMapNamespace `<DNS_NAME>`. */
export function namespaceDoc(): ResourceDocument {
  return {
    apiVersion: API_VERSION,
    kind: "CloudMapNamespace",
    metadata: { name: "internal", namespace: NS },
    spec: { dnsName: DNS_NAME, vpcId: "vpc-0a1b2c3d4e5f60718" },
  };
}

/** A CatalogSync (placement controller) on that namespace. */
export function catalogSyncDoc(): ResourceDocument {
  return {
    apiVersion: API_VERSION,
    kind: "CatalogSync",
    metadata: { name: "internal", namespace: NS },
    spec: { cloudMapNamespaceRef: { name: "internal" }, pollIntervalSeconds: 1 },
  };
}

/** A small FargateService in the namespace, mirrored to Consul when `consul`. */
export function serviceDoc(
  name: string,
  options: { consul?: boolean; deletionPolicy?: "Delete" | "Retain" } = {},
): ResourceDocument {
  return {
    apiVersion: API_VERSION,
    kind: "FargateService",
    metadata: { name, namespace: NS },
    spec: {
      cluster: CLUSTER,
      cpu: 256,
      memory: 512,
      desiredCount: 1,
      containers: [{ name: "web", image: "public.ecr.aws/nginx/nginx:1.27", ports: [{ containerPort: 80 }] }],
      network: { subnets: ["subnet-0a1b2c3d4e5f60718"], securityGroups: ["sg-0123456789abcdef0"] },
      discovery: {
        cloudMap: { namespaceRef: { name: "internal" } },
        ...(options.consul === true ? { consul: { register: true } } : {}),
      },
      ...(options.deletionPolicy === undefined ? {} : { deletionPolicy: options.deletionPolicy }),
    },
  };
}

/** Starts the bench (with the Consul simulator when `consul`). */
export async function startVanishBench(options: { consul?: boolean } = {}): Promise<VanishBench> {
  const store = await freshStore(inject("dynamodbLocalEndpoint"));
  const sim = await startAwsSimulator({ timeScale: 10 });
  const consul = options.consul === true ? await startConsulSimulator({}) : undefined;
  const logs: LogLine[] = [];
  let running: { exit: Promise<number>; signals: EventEmitter } | undefined;
  const eventually = async <T>(
    check: () => Promise<T | undefined | false>,
    what: string,
    timeoutMs = 60_000,
  ): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const read = async (kind: Kind, name: string) => {
    try {
      return await store.get(kind, NS, name);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  };
  const bench: VanishBench = {
    store,
    sim,
    consul,
    logs,
    async startController(flags = {}) {
      if (running !== undefined) throw new Error("a controller is already running");
      const signals = new EventEmitter();
      const logDestination = new Writable({
        write(chunk, _enc, cb) {
          for (const line of String(chunk).split("\n").filter(Boolean)) logs.push(JSON.parse(line));
          cb();
        },
      });
      let manager: Manager | undefined;
      const exit = runControllerCommand(
        {
          "metrics-address": "127.0.0.1:0",
          "lease-name": "vanish",
          "lease-duration": "1.5s",
          "lease-heartbeat": "500ms",
          "watch-poll-interval": "100ms",
          "rollout-poll-interval": "300ms",
          "retry-base-delay": "100ms",
          "retry-max-delay": "2s",
          "shutdown-timeout": "5s",
          "orphan-sweep-interval": "0",
          table: store.tableName,
          ...(consul === undefined ? {} : { "consul-address": consul.address }),
          ...flags,
        },
        { AWS_ENDPOINT_URL_ECS: sim.endpoint, AWS_ENDPOINT_URL_SERVICEDISCOVERY: sim.endpoint },
        {
          credentials: TEST_CREDENTIALS,
          store,
          leases: store.leases,
          syncOwners: store.syncOwners,
          signals,
          logDestination,
          onStarted: (m) => {
            manager = m;
          },
        },
      );
      running = { exit, signals };
      await until(() => manager?.isLeader === true, "leadership", 20_000);
      return manager as Manager;
    },
    async stopController() {
      const current = running;
      if (current === undefined) return 0;
      running = undefined;
      current.signals.emit("SIGTERM");
      return await current.exit;
    },
    async apply(doc) {
      return (await store.apply(applyDefaults(doc))).resource;
    },
    read,
    async rawDelete(kind, name) {
      await store.clients.documents.send(
        new DeleteCommand({ TableName: store.tableName, Key: resourceItemKey(kind, NS, name) }),
      );
    },
    async rawPutWithoutFinalizers(kind, name) {
      const Key = resourceItemKey(kind, NS, name);
      const { Item } = await store.clients.documents.send(
        new GetCommand({ TableName: store.tableName, Key }),
      );
      if (Item === undefined) throw new Error(`${kind} ${name} is not there`);
      const { finalizers: _dropped, ...rest } = Item;
      await store.clients.documents.send(new PutCommand({ TableName: store.tableName, Item: rest }));
    },
    async leftovers() {
      const { ecs, cloudMap } = clientsFor(sim.endpoint);
      try {
        const ecsServices = (await ecs.send(new ListServicesCommand({ cluster: CLUSTER }))).serviceArns ?? [];
        const revisions =
          (await ecs.send(new ListTaskDefinitionsCommand({ status: "ACTIVE" }))).taskDefinitionArns ?? [];
        const services = (await cloudMap.send(new ListCloudMapServicesCommand({}))).Services ?? [];
        const consulServices = (consul?.control.snapshot().services ?? [])
          .filter((s) => s.Meta?.["external-source"] === "fargate-operator")
          .map((s) => s.Service);
        return {
          ecsServices: ecsServices.map((arn) => arn.split("/").pop() ?? arn),
          revisions: revisions.map((arn) => arn.split("/").pop() ?? arn),
          cloudMapServices: services.map((s) => s.Name ?? ""),
          consulServices,
        };
      } finally {
        ecs.destroy();
        cloudMap.destroy();
      }
    },
    eventually,
    async close() {
      await bench.stopController();
      store.destroy();
      await consul?.stop();
      await sim.stop();
    },
  };
  return bench;
}
