/**
 * The local stack behind `fargatectl dev`: DynamoDB Local (moto's DynamoDB when Java is missing), the ECS, Cloud
 * Map, Application Auto Scaling and Secrets Manager simulator, the Consul simulator with a `vault` service, the
 * table, and a real `fargatectl catalog-sync` process for each simulated sync task (task-runner.ts). No AWS
 * account needed.
 */
import { createStoreClients } from "../store/clients.js";
import { createTable } from "../store/table.js";
import { type AwsSimulator, startAwsSimulator } from "./aws-sim/index.js";
import { type ConsulSimulator, startConsulSimulator } from "./consul-sim/index.js";
import { type DevTlsConsul, startDevTlsConsul } from "./consul-tls-front.js";
import { startDynamoDbLocal } from "./dynamodb-local.js";
import type { RunningServer } from "./launch-process.js";
import { startMoto } from "./moto.js";
import { startSyncTasks } from "./sync-tasks.js";
import type { FargatectlCommand, TaskProcess } from "./task-runner.js";

/** Dummy credentials every local server accepts (DynamoDB Local allows only letters and digits in the key id). */
export const DEV_CREDENTIALS = { accessKeyId: "fargateoperatordev", secretAccessKey: "fargateoperatordev" };

/** Options of `startDevStack`. */
export interface DevStackOptions {
  region: string;
  table: string;
  /** Called with a line of progress (to stderr in the CLI). */
  progress?: (line: string) => void;
  /**
   * Where the `fargatectl catalog-sync` process of each simulated sync task (placement: task) writes its log;
   * without it no process is started for them.
   */
  taskLogDir?: string;
  /** How to start fargatectl for those processes (default: the program running now). */
  fargatectl?: FargatectlCommand;
}

/** A running local stack. */
export interface DevStack {
  /** Which DynamoDB is serving: DynamoDB Local, or moto as the fallback. */
  dynamodbKind: "dynamodb-local" | "moto";
  dynamodbEndpoint: string;
  aws: AwsSimulator;
  consul: ConsulSimulator;
  /** The https-only Consul with a private CA and its two CatalogSync examples; absent without openssl. */
  consulTls: DevTlsConsul | undefined;
  /** `export NAME=value` pairs another shell needs to reach the stack. */
  environment: Record<string, string>;
  /** The `fargatectl catalog-sync` processes running for simulated sync tasks now. */
  syncProcesses(): TaskProcess[];
  stop(): Promise<void>;
}

/** Starts every part in parallel, creates the table, registers `vault` in Consul; stops all on any failure. */
export async function startDevStack(options: DevStackOptions): Promise<DevStack> {
  const progress = options.progress ?? (() => {});
  const started: Array<{ stop(): Promise<void> }> = [];
  const track = <T extends { stop(): Promise<void> }>(part: T): T => {
    started.push(part);
    return part;
  };
  try {
    const [dynamodb, aws, consul, consulTls] = await Promise.all([
      startDynamoDb(progress).then((d) => {
        track(d.server);
        return d;
      }),
      startAwsSimulator({ mode: "lenient", region: options.region }).then(track),
      startConsulSimulator({ port: 0 }).then(track),
      startDevTlsConsul(progress).then((tls) => (tls === undefined ? undefined : track(tls))),
    ]);
    progress(`${dynamodb.kind} on ${dynamodb.server.endpoint}`);
    progress(`ECS, Cloud Map and Application Auto Scaling simulator on ${aws.endpoint}`);
    progress(`Consul simulator on ${consul.url} (datacenter ${consul.datacenter})`);
    const clients = createStoreClients(
      { region: options.region, endpoint: dynamodb.server.endpoint, credentials: DEV_CREDENTIALS },
      3,
    );
    try {
      await createTable(clients.dynamodb, options.table);
    } finally {
      clients.dynamodb.destroy();
    }
    // Vault runs outside Fargate; the CatalogSync mirrors it into Cloud Map as vault.<dnsName>.
    consul.control.registerService({ name: "vault", port: 8200, address: "10.0.10.5", node: "vault-1" });
    const environment: Record<string, string> = {
      AWS_ENDPOINT_URL_ECS: aws.endpoint,
      AWS_ENDPOINT_URL_SERVICEDISCOVERY: aws.endpoint,
      AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING: aws.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.server.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: dynamodb.server.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
      AWS_REGION: options.region,
      // boto3 and the AWS CLI read the region from here, not from AWS_REGION.
      AWS_DEFAULT_REGION: options.region,
      AWS_ACCESS_KEY_ID: DEV_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DEV_CREDENTIALS.secretAccessKey,
      FARGATE_OPERATOR_TABLE: options.table,
      CONSUL_HTTP_ADDR: consul.address,
      ...consulTls?.environment,
    };
    // Started last and stopped first: a sync process writes its last report to the table as it stops.
    const syncTasks =
      options.taskLogDir === undefined
        ? undefined
        : startSyncTasks({
            aws,
            consulAddress: consul.url,
            region: options.region,
            credentials: DEV_CREDENTIALS,
            environment,
            logDir: options.taskLogDir,
            ...(options.fargatectl === undefined ? {} : { fargatectl: options.fargatectl }),
            notice: progress,
          });
    return {
      dynamodbKind: dynamodb.kind,
      dynamodbEndpoint: dynamodb.server.endpoint,
      aws,
      consul,
      consulTls,
      environment,
      syncProcesses: () => syncTasks?.processes() ?? [],
      stop: async () => {
        await syncTasks?.stop();
        await stopAll(started);
      },
    };
  } catch (error) {
    await stopAll(started);
    throw error;
  }
}

async function startDynamoDb(
  progress: (line: string) => void,
): Promise<{ kind: "dynamodb-local" | "moto"; server: RunningServer }> {
  try {
    return { kind: "dynamodb-local", server: await startDynamoDbLocal({ fastStart: true }) };
  } catch (error) {
    progress(
      `DynamoDB Local did not start (${error instanceof Error ? error.message : String(error)}); using moto`,
    );
    return { kind: "moto", server: await startMoto() };
  }
}

async function stopAll(parts: Array<{ stop(): Promise<void> }>): Promise<void> {
  await Promise.allSettled(parts.reverse().map((p) => p.stop()));
}
