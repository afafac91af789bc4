/**
 * `fargatectl controller`: resolve settings once, build the store, register a reconciler per kind, run the
 * manager until SIGTERM/SIGINT, then stop gracefully and return the exit code. The CLI's commander wiring
 * calls `runControllerCommand`; `--help` lists `controllerSettingsHelp()`.
 */
import type { DestinationStream } from "pino";
import { createAwsGateways } from "../aws/index.js";
import { createSecretReader, type SecretReader } from "../aws/secrets.js";
import type { AwsGateways } from "../aws/types.js";
import { type Clock, systemClock } from "../clock.js";
import { resolveEndpoints } from "../config/common.js";
import { allowedTokenVariables } from "../config/consul-token.js";
import {
  type ControllerCommandSettings,
  parseListenAddress,
  resolveControllerSettings,
} from "../config/controller.js";
import { eventingGateways } from "../events/aws-events.js";
import { EventRecorder, type EventSink, NO_EVENTS } from "../events/recorder.js";
import { withEvents } from "../events/scope.js";
import { createLogger, type Logger } from "../log.js";
import { type ControllerMetrics, createMetrics } from "../metrics.js";
import type { LeaseBackend } from "../runtime/lease-backend.js";
import { Manager, type ManagerSettings } from "../runtime/manager.js";
import type { KindReconciler } from "../runtime/reconciler.js";
import { tombstoneAwareStore } from "../runtime/tombstone-store.js";
import { Tombstones } from "../runtime/tombstones.js";
import { createDynamoResourceStore } from "../store/index.js";
import type { ResourceStore } from "../store/types.js";
import { createSyncEngine, syncLeaseName } from "../sync/index.js";
import { type EventLister, type StatusPage, startControllerStatusPage } from "../ui/index.js";
import type { SyncOwnerBackend } from "./catalog-sync/namespace-owner.js";
import { NO_POLICIES } from "./catalog-sync/reconciler.js";
import type { SyncEngineRuntime } from "./catalog-sync/run-sync.js";
import type { CatalogSyncReconcilerSettings } from "./catalog-sync/steps.js";
import type { FargateServiceSettings } from "./fargate-service/context.js";
import { CONTROLLER_FINALIZER } from "./finalizer.js";
import { orphanSweepTasks } from "./orphan-sweep/index.js";
import { CachedPolicyLookup } from "./policy/cache.js";
import type { PolicyLookup } from "./policy/lookup.js";
import { policyTrigger } from "./policy/reconciler.js";
import { buildReconcilers } from "./reconcilers.js";

/** Exit codes of the controller command. */
export const ControllerExit = { Ok: 0, StartFailed: 1 } as const;

export { controllerOptionSpecs, controllerSettingsHelp, flagsFromOptions } from "./command-options.js";

/** Where signals come from; `process` in production, an EventEmitter in tests. */
export interface SignalSource {
  on(signal: "SIGTERM" | "SIGINT", listener: () => void): unknown;
  off(signal: "SIGTERM" | "SIGINT", listener: () => void): unknown;
}

/** Replaceable parts, for tests and the dev stack. */
export interface ControllerCommandDeps {
  store?: ResourceStore;
  leases?: LeaseBackend;
  /** Reconcilers to register; every kind's real reconciler (see reconcilers.ts) when omitted. */
  reconcilers?: (store: ResourceStore, clock: Clock) => KindReconciler[];
  /** ECS and Cloud Map gateways; built from the settings when omitted. */
  aws?: AwsGateways;
  /** Static credentials for the store and AWS clients (the local stack); the SDK's default chain when omitted. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  logDestination?: DestinationStream;
  signals?: SignalSource;
  clock?: Clock;
  /** Called once the manager has started (HTTP server listening). */
  onStarted?: (manager: Manager) => void;
  /** The catalog sync engine (src/sync) by default. */
  syncRuntime?: SyncEngineRuntime;
  /** Reads CatalogSync `tokenFrom.secretArn`; a Secrets Manager client from the settings by default. */
  secrets?: Pick<SecretReader, "readSecretString">;
  /** CatalogSync namespace owners; the store's owner items by default (in memory with an injected store). */
  syncOwners?: SyncOwnerBackend;
  /** The NamespacePolicy lookup; none governs anything by default. */
  policies?: PolicyLookup;
  /** A record's events for the status page; the page shows no events section without it. */
  uiEvents?: EventLister;
  /** Called once the status page listens (not when `--ui-address` is empty or it could not listen). */
  onStatusPage?: (page: StatusPage) => void;
  /** Where events go; a recorder on the store's events (when it keeps any) by default. */
  events?: EventSink;
}

/** Resync periods in which every cached Cloud Map tag set is read again (src/aws/cloud-map-cache.ts). */
const TAG_CYCLE_RESYNCS = 20;

/** The FargateService reconciler's settings from the controller's (the bench builds its reconcilers with it too). */
export function fargateServiceSettingsFrom(settings: ControllerCommandSettings): FargateServiceSettings {
  return {
    region: settings.region,
    keepRevisions: settings.keepRevisions,
    pollIntervalMs: settings.rolloutPollIntervalMs,
    steadyStateMaxAgeMs: settings.serviceCacheMaxAgeMs,
    ...(settings.ownRoleArns === undefined ? {} : { ownRoleArns: settings.ownRoleArns }),
    ...(settings.resyncPeriodMs > 0
      ? { cloudMapTagCycleMs: TAG_CYCLE_RESYNCS * settings.resyncPeriodMs }
      : {}),
  };
}

/** How often a CatalogSync's status is rewritten when only its sync times moved. */
const SYNC_STATUS_HEARTBEAT_MS = 30_000;

/** The CatalogSync reconciler's settings from the controller's (token values never logged). */
export function catalogSyncSettingsFrom(
  settings: ControllerCommandSettings,
  env: Readonly<Record<string, string | undefined>>,
): CatalogSyncReconcilerSettings {
  return {
    pollIntervalMs: settings.rolloutPollIntervalMs,
    consul: {
      defaultAddress: settings.consulAddress,
      hasDefaultToken: settings.consulToken !== undefined,
      defaultToken: settings.consulToken,
      tokenEnvAllow: settings.consulTokenEnvAllow,
      tokenSecretPrefixes: settings.consulTokenSecretPrefixes,
      tokenVariables: allowedTokenVariables(env, settings.consulTokenEnvAllow),
    },
    syncImage: settings.syncImage,
    table: settings.table,
    region: settings.region,
    identity: settings.identity,
    lease: { durationMs: settings.leaseDurationMs, heartbeatMs: settings.leaseHeartbeatMs },
    statusHeartbeatMs: SYNC_STATUS_HEARTBEAT_MS,
  };
}

/** The manager settings a resolved configuration describes. */
export function managerSettingsFrom(settings: ControllerCommandSettings): ManagerSettings {
  return {
    concurrency: settings.concurrency,
    resyncPeriodMs: settings.resyncPeriodMs,
    resyncJitter: 0.1,
    reconcileTimeoutMs: settings.reconcileTimeoutMs,
    shutdownTimeoutMs: settings.shutdownTimeoutMs,
    leaseName: settings.leaseName,
    leaseDurationMs: settings.leaseDurationMs,
    leaseHeartbeatMs: settings.leaseHeartbeatMs,
    identity: settings.identity,
    rateLimits: {
      baseDelayMs: settings.retryBaseDelayMs,
      maxDelayMs: settings.retryMaxDelayMs,
      ratePerSecond: settings.retryRatePerSecond,
      burst: settings.retryBurst,
    },
    http: parseListenAddress(settings.metricsAddress),
    ...(settings.watchPollIntervalMs === undefined
      ? {}
      : { watchPollIntervalMs: settings.watchPollIntervalMs }),
  };
}

/**
 * Runs the controller until SIGTERM or SIGINT, then stops gracefully (passes in flight finish within the
 * shutdown timeout, the lease is released, servers close) and returns 0. Invalid settings throw ConfigError
 * before anything starts; a start failure (port in use) returns 1.
 */
export async function runControllerCommand(
  flags: Readonly<Record<string, string | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
  deps: ControllerCommandDeps = {},
): Promise<number> {
  const settings = resolveControllerSettings(flags, env);
  const log = createLogger({
    level: settings.logLevel,
    base: { component: "controller" },
    ...(deps.logDestination === undefined ? {} : { destination: deps.logDestination }),
  });
  const clock = deps.clock ?? systemClock;
  const owned =
    deps.store === undefined
      ? createDynamoResourceStore({
          tableName: settings.table,
          region: settings.region,
          endpoints: resolveEndpoints(settings),
          ...(deps.credentials === undefined ? {} : { credentials: deps.credentials }),
        })
      : undefined;
  const store: ResourceStore = deps.store ?? (owned as ResourceStore);
  const leases = deps.leases ?? owned?.leases;
  if (leases === undefined) throw new Error("runControllerCommand: an injected store needs injected leases");
  const syncOwners = deps.syncOwners ?? owned?.syncOwners;
  const metrics = createMetrics({ processMetrics: true });
  const endpoints = resolveEndpoints(settings);
  const ownedAws =
    deps.aws === undefined && deps.reconcilers === undefined
      ? createAwsGateways({
          region: settings.region,
          endpoints: {
            ...(endpoints.ecs === undefined ? {} : { ecs: endpoints.ecs }),
            ...(endpoints.serviceDiscovery === undefined
              ? {}
              : { serviceDiscovery: endpoints.serviceDiscovery }),
            ...(endpoints.applicationAutoScaling === undefined
              ? {}
              : { applicationAutoScaling: endpoints.applicationAutoScaling }),
          },
          ...(deps.credentials === undefined ? {} : { credentials: deps.credentials }),
          maxAttempts: settings.awsMaxAttempts,
          serviceCacheMaxAgeMs: settings.serviceCacheMaxAgeMs,
          clock,
          log: log.child({ component: "aws" }),
          recordCall: metrics.recordAwsCall,
        })
      : undefined;
  const aws = deps.aws ?? ownedAws;
  const ownedSecrets =
    deps.secrets === undefined && deps.reconcilers === undefined
      ? createSecretReader({
          region: settings.region,
          ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
          ...(deps.credentials === undefined ? {} : { credentials: deps.credentials }),
          maxAttempts: settings.awsMaxAttempts,
        })
      : undefined;
  const secrets = deps.secrets ?? ownedSecrets;
  // Records that leave the table before their cleanup finished are cleaned up from their last seen copy.
  const tombstones = new Tombstones({ finalizer: CONTROLLER_FINALIZER, clock, log, metrics });
  const reconcilerStore = tombstoneAwareStore(store, tombstones);
  // Injected reconcilers (tests) run without policies; the real ones ask the NamespacePolicy cache.
  const policies =
    deps.reconcilers === undefined
      ? new CachedPolicyLookup(settings.policyNamespace, log.child({ kind: "NamespacePolicy" }))
      : undefined;
  // Events (src/events): best-effort, batched, flushed at shutdown; each pass runs in its record's event scope.
  const recorder = deps.events === undefined ? ownRecorder(store, settings, clock, log, metrics) : undefined;
  const events = deps.events ?? recorder ?? NO_EVENTS;
  const built =
    deps.reconcilers?.(reconcilerStore, clock) ??
    buildReconcilers({
      store: reconcilerStore,
      aws: eventingGateways(aws as AwsGateways),
      clock,
      fargateService: fargateServiceSettingsFrom(settings),
      catalogSync: {
        settings: catalogSyncSettingsFrom(settings, env),
        runtime: deps.syncRuntime ?? { create: createSyncEngine, leaseName: syncLeaseName },
        leases,
        ...(secrets === undefined ? {} : { secrets }),
        ...(syncOwners === undefined ? {} : { owners: syncOwners }),
        policies: deps.policies ?? policies ?? NO_POLICIES,
      },
      ...(policies === undefined
        ? {}
        : { policies: { lookup: policies, policyNamespace: settings.policyNamespace } }),
    });
  const reconcilers = built.map((reconciler) => withEvents(reconciler, events));
  const leaderTasks = orphanSweepTasks({
    intervalMs: settings.orphanSweepIntervalMs,
    mode: settings.orphanSweep,
    store,
    aws,
    clock,
    log,
    metrics,
    tombstones,
  });
  const manager = new Manager({
    store,
    leases,
    reconcilers,
    settings: managerSettingsFrom(settings),
    log,
    metrics,
    clock,
    tombstones,
    leaderTasks,
    ...(policies === undefined ? {} : { triggers: [policyTrigger(settings.policyNamespace)] }),
  });
  policies?.attach(manager.informers.informer("NamespacePolicy"));

  const signals = deps.signals ?? process;
  let onSignal: () => void = () => undefined;
  const stopRequested = new Promise<string>((resolve) => {
    let seen = false;
    onSignal = () => {
      if (seen) {
        log.warn("already stopping; waiting for passes in flight (bounded by --shutdown-timeout)");
        return;
      }
      seen = true;
      resolve("signal");
    };
  });
  const onRejection = (reason: unknown): void =>
    log.error({ err: reason }, "unhandled promise rejection (ignored)");
  signals.on("SIGTERM", onSignal);
  signals.on("SIGINT", onSignal);
  process.on("unhandledRejection", onRejection);
  let page: StatusPage | undefined;
  try {
    logStart(log, settings, reconcilers);
    try {
      await manager.start();
    } catch (error) {
      log.error({ err: error }, "controller failed to start");
      await manager.stop({ release: true });
      return ControllerExit.StartFailed;
    }
    // Reads the informer caches only: every process, standby or leader, can show the page.
    const storeEvents = store.events;
    const uiEvents: EventLister | undefined =
      deps.uiEvents ??
      (storeEvents === undefined
        ? undefined
        : (involved) =>
            storeEvents.list({
              namespace: involved.namespace,
              involved: { kind: involved.kind, name: involved.name },
            }));
    page = await startControllerStatusPage({
      address: settings.uiAddress,
      informers: manager.informers,
      log: log.child({ component: "ui" }),
      clock,
      ...(uiEvents === undefined ? {} : { events: uiEvents }),
    });
    if (page !== undefined) deps.onStatusPage?.(page);
    deps.onStarted?.(manager);
    await stopRequested;
    log.info("signal received: stopping");
    await manager.stop({ release: true });
    return ControllerExit.Ok;
  } finally {
    await page?.close();
    await recorder?.stop();
    signals.off("SIGTERM", onSignal);
    signals.off("SIGINT", onSignal);
    process.off("unhandledRejection", onRejection);
    owned?.destroy();
    ownedAws?.destroy();
    ownedSecrets?.destroy();
  }
}

/** The controller's recorder on the store's events, counted in `/metrics`; none when the store keeps no events. */
function ownRecorder(
  store: ResourceStore,
  settings: ControllerCommandSettings,
  clock: Clock,
  log: Logger,
  metrics: ControllerMetrics,
): EventRecorder | undefined {
  if (store.events === undefined) return undefined;
  return new EventRecorder({
    events: store.events,
    clock,
    log: log.child({ component: "events" }),
    ttlSeconds: Math.max(1, Math.floor(settings.eventTtlMs / 1000)),
    metrics: {
      recorded: (type, reason) => metrics.events.inc({ type, reason }),
      written: (result, count = 1) => metrics.eventWrites.inc({ result }, count),
    },
  });
}

function logStart(log: Logger, settings: ControllerCommandSettings, reconcilers: KindReconciler[]): void {
  log.info(
    {
      identity: settings.identity,
      table: settings.table,
      region: settings.region,
      kinds: reconcilers.map((r) => r.kind),
      concurrency: settings.concurrency,
      resyncPeriodMs: settings.resyncPeriodMs,
      leaseName: settings.leaseName,
      leaseDurationMs: settings.leaseDurationMs,
      leaseHeartbeatMs: settings.leaseHeartbeatMs,
      orphanSweepIntervalMs: settings.orphanSweepIntervalMs,
      orphanSweep: settings.orphanSweep,
      policyNamespace: settings.policyNamespace,
    },
    "controller starting",
  );
}
