/**
 * `fargatectl catalog-sync`: runs one catalog sync engine (what a CatalogSync with placement: task runs in its
 * Fargate task) from the config in FARGATE_OPERATOR_SYNC_CONFIG or flags. With a table it holds the namespace's
 * sync lease (one writer per namespace) and writes its reports onto the CatalogSync's status, exactly as the
 * controller placement does. SIGTERM/SIGINT stop it cleanly (lease released, last report written): exit 0.
 */
import { readFile } from "node:fs/promises";
import type { DestinationStream } from "pino";
import { type AwsStaticCredentials, createAwsGateways } from "../../aws/index.js";
import { createSecretReader, type SecretReader } from "../../aws/secrets.js";
import { type Clock, systemClock } from "../../clock.js";
import {
  type CatalogSyncCommandSettings,
  resolveCatalogSyncSettings,
} from "../../config/catalog-sync-resolve.js";
import { resolveEndpoints } from "../../config/common.js";
import { ConfigError } from "../../config/errors.js";
import type { ConsulTlsOptions } from "../../consul/client.js";
import { splitClientCertPem } from "../../consul/pem.js";
import { type ConsulTokenSource, RereadableToken } from "../../consul/token.js";
import { eventingGateways } from "../../events/aws-events.js";
import { EventRecorder } from "../../events/recorder.js";
import { inEventScope } from "../../events/scope.js";
import { createLogger, type Logger } from "../../log.js";
import { INSECURE_TLS_WARNING } from "../../reconcilers/catalog-sync/report-conditions.js";
import type { SyncEngineRuntime } from "../../reconcilers/catalog-sync/run-sync.js";
import { startSync } from "../../reconcilers/catalog-sync/run-sync.js";
import type { SignalSource } from "../../reconcilers/command.js";
import { NotFoundError } from "../../store/errors.js";
import { createDynamoResourceStore, type DynamoResourceStore } from "../../store/index.js";
import { createSyncEngine, syncLeaseName } from "../../sync/index.js";
import { ExitCode } from "../errors.js";

export {
  catalogSyncFlagsFromOptions,
  catalogSyncOptionSpecs,
  catalogSyncSettingsHelp,
} from "./catalog-sync-options.js";

/** Replaceable parts, for tests. */
export interface CatalogSyncCommandDeps {
  runtime?: SyncEngineRuntime;
  credentials?: AwsStaticCredentials;
  logDestination?: DestinationStream;
  signals?: SignalSource;
  clock?: Clock;
  /** Called once the engine has started. */
  onStarted?: () => void;
}

/** The generation of the CatalogSync the engine belongs to, when the table has it (else no conditions). */
async function ownerGeneration(
  store: DynamoResourceStore,
  settings: CatalogSyncCommandSettings,
  log: Logger,
): Promise<number> {
  const { owner } = settings.task;
  try {
    const record = await store.get("CatalogSync", owner.namespace, owner.name);
    if (record.metadata.uid === owner.uid) return record.metadata.generation;
    log.warn({ owner }, "the CatalogSync in the table has another uid: reports will not be written");
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    log.warn({ owner }, "the CatalogSync is not in the table: reports will not be written");
  }
  return -1;
}

/**
 * The client's TLS options, as Consul's CLI takes them: files named by --ca-file/--client-cert/--client-key
 * (CONSUL_CACERT, ...) win over the task config's CA and the one-PEM client secret ECS hands a sync task.
 * Undefined when nothing is set (the system trust store and the address's host name).
 */
async function consulTls(settings: CatalogSyncCommandSettings): Promise<ConsulTlsOptions | undefined> {
  const problems: string[] = [];
  const file = async (path: string | undefined, what: string): Promise<string | undefined> => {
    if (path === undefined) return undefined;
    try {
      return await readFile(path, "utf8");
    } catch (error) {
      problems.push(`${what} ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`);
      return undefined;
    }
  };
  const fromTask = settings.task.consul.tls ?? {};
  const ca = (await file(settings.caFile, "--ca-file / CONSUL_CACERT")) ?? fromTask.caPem;
  let cert = await file(settings.clientCert, "--client-cert / CONSUL_CLIENT_CERT");
  let key = await file(settings.clientKey, "--client-key / CONSUL_CLIENT_KEY");
  if (cert === undefined && key === undefined && settings.clientPem !== undefined) {
    try {
      ({ cert, key } = splitClientCertPem(settings.clientPem));
    } catch (error) {
      problems.push(`--client-pem / FARGATE_OPERATOR_CONSUL_CLIENT_PEM: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const tls: ConsulTlsOptions = {
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    ...(fromTask.serverName === undefined ? {} : { serverName: fromTask.serverName }),
    ...(fromTask.insecureSkipVerify === true ? { insecureSkipVerify: true } : {}),
  };
  return Object.keys(tls).length === 0 ? undefined : tls;
}

/** Runs the engine until SIGTERM/SIGINT; returns the exit code. Invalid settings throw ConfigError first. */
export async function runCatalogSyncCommand(
  flags: Readonly<Record<string, string | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
  deps: CatalogSyncCommandDeps = {},
): Promise<number> {
  const settings = resolveCatalogSyncSettings(flags, env);
  const { task } = settings;
  const tls = await consulTls(settings);
  const log = createLogger({
    level: settings.logLevel,
    base: { component: "catalog-sync", catalogSync: `${task.owner.namespace}/${task.owner.name}` },
    ...(deps.logDestination === undefined ? {} : { destination: deps.logDestination }),
  });
  const clock = deps.clock ?? systemClock;
  const endpoints = resolveEndpoints({ ...settings, table: settings.table ?? "" });
  const aws = createAwsGateways({
    region: settings.region,
    endpoints:
      endpoints.serviceDiscovery === undefined ? {} : { serviceDiscovery: endpoints.serviceDiscovery },
    ...(deps.credentials === undefined ? {} : { credentials: deps.credentials }),
    maxAttempts: settings.awsMaxAttempts,
    clock,
    log: log.child({ component: "aws" }),
  });
  const store =
    settings.table === undefined
      ? undefined
      : createDynamoResourceStore({
          tableName: settings.table,
          region: settings.region,
          endpoints,
          ...(deps.credentials === undefined ? {} : { credentials: deps.credentials }),
          maxAttempts: settings.awsMaxAttempts,
        });
  const signals = deps.signals ?? process;
  let onSignal: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => {
    onSignal = () => resolve();
  });
  signals.on("SIGTERM", onSignal);
  signals.on("SIGINT", onSignal);
  // The engine's status transitions and Cloud Map writes are events of its CatalogSync, as under the controller.
  const recorder =
    store === undefined
      ? undefined
      : new EventRecorder({ events: store.events, clock, log: log.child({ component: "events" }) });
  if (tls?.insecureSkipVerify === true) log.warn({ consul: task.consul.address }, INSECURE_TLS_WARNING);
  const secretArn = settings.consulTokenSecretArn;
  const secrets: SecretReader | undefined =
    secretArn === undefined
      ? undefined
      : createSecretReader({
          region: settings.region,
          ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
          ...(deps.credentials === undefined ? {} : { credentials: deps.credentials }),
          maxAttempts: settings.awsMaxAttempts,
        });
  try {
    const token: string | ConsulTokenSource | undefined =
      secrets === undefined || secretArn === undefined
        ? settings.consulToken
        : new RereadableToken({
            initial: settings.consulToken ?? (await secrets.readSecretString(secretArn)),
            read: (signal) => secrets.readSecretString(secretArn, signal),
            clock,
            log,
          });
    const { datacenter, consul, ...rest } = task;
    const generation = store === undefined ? -1 : await ownerGeneration(store, settings, log);
    const sync = await inEventScope(recorder, { kind: "CatalogSync", ...task.owner }, startSync, {
      config: { ...rest, ...(datacenter === undefined ? {} : { datacenter }) },
      consul: { address: consul.address, token, datacenter, tls },
      cloudMap: eventingGateways({ cloudMap: aws.cloudMap }).cloudMap,
      clock,
      log,
      runtime: deps.runtime ?? { create: createSyncEngine, leaseName: syncLeaseName },
      lease:
        store === undefined
          ? undefined
          : {
              backend: store.leases,
              identity: `${settings.identity}/${task.owner.uid}`,
              durationMs: settings.leaseDurationMs,
              heartbeatMs: settings.leaseHeartbeatMs,
            },
      status:
        store === undefined || generation < 0
          ? undefined
          : {
              store,
              generation,
              spec: {
                toCloudMap: task.toCloudMap,
                toConsul: task.toConsul,
                consul: { tls: { insecureSkipVerify: tls?.insecureSkipVerify === true } },
              },
              heartbeatMs: settings.statusIntervalMs,
            },
    });
    log.info(
      {
        namespaceId: task.cloudMapNamespace.id,
        consul: consul.address,
        lease: store === undefined ? undefined : syncLeaseName(task.cloudMapNamespace.id),
      },
      "catalog sync started",
    );
    deps.onStarted?.();
    await stopRequested;
    log.info("signal received: stopping");
    await sync.close();
    log.info("catalog sync stopped");
    return ExitCode.Ok;
  } finally {
    signals.off("SIGTERM", onSignal);
    signals.off("SIGINT", onSignal);
    await recorder?.stop();
    store?.destroy();
    secrets?.destroy();
    aws.destroy();
  }
}
