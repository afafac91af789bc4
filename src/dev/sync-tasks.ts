/**
 * Wires the task runner into the dev stack: the examples' Consul token secret in the simulated Secrets Manager
 * (a fresh random value each run; the Consul simulator runs without ACLs, so any token is accepted), secrets read
 * through the SDK as ECS would read them, and the stack's endpoints for every `fargatectl catalog-sync` process.
 */
import { randomUUID } from "node:crypto";
import type { AwsStaticCredentials } from "../aws/index.js";
import { createSecretReader } from "../aws/secrets.js";
import type { AwsSimulator } from "./aws-sim/index.js";
import { type FargatectlCommand, startTaskRunner, type TaskRunner } from "./task-runner.js";

/** The token secret `examples/catalog-sync.yaml` (data-internal) names. */
export const EXAMPLE_CONSUL_TOKEN_SECRET_ARN =
  "arn:aws:secretsmanager:eu-west-1:123456789012:secret:consul/catalog-sync-data-Xy12Ab";

/** What {@link startSyncTasks} needs of the stack. */
export interface SyncTasksOptions {
  aws: Pick<AwsSimulator, "endpoint" | "secrets" | "tasks">;
  /** The Consul simulator's address. */
  consulAddress: string;
  region: string;
  credentials: AwsStaticCredentials;
  /** The stack's exports (endpoints, credentials, table); CONSUL_HTTP_ADDR is left out (a flag carries it). */
  environment: Readonly<Record<string, string>>;
  logDir: string;
  fargatectl?: FargatectlCommand;
  notice?: (line: string) => void;
}

/** Seeds the example secret and starts the runner; `stop()` of the result also closes the secret reader. */
export function startSyncTasks(options: SyncTasksOptions): TaskRunner {
  options.aws.secrets.putSecret({ arn: EXAMPLE_CONSUL_TOKEN_SECRET_ARN, value: `dev-${randomUUID()}` });
  const reader = createSecretReader({
    region: options.region,
    endpoint: options.aws.endpoint,
    credentials: options.credentials,
  });
  const { CONSUL_HTTP_ADDR: _consul, ...environment } = options.environment;
  const runner = startTaskRunner({
    tasks: options.aws.tasks,
    readSecret: (arn) => reader.readSecretString(arn),
    environment,
    consulAddress: options.consulAddress,
    logDir: options.logDir,
    ...(options.fargatectl === undefined ? {} : { fargatectl: options.fargatectl }),
    ...(options.notice === undefined ? {} : { notice: options.notice }),
  });
  return {
    processes: () => runner.processes(),
    stop: async () => {
      await runner.stop();
      reader.destroy();
    },
  };
}
