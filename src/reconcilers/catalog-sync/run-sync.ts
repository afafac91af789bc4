/**
 * Starts one sync engine with its Consul client, lease and status writer, the same way for the controller
 * placement and `fargatectl catalog-sync`. The engine itself comes from src/sync (`createSyncEngine`), handed in
 * as `SyncEngineRuntime` so this module and its callers' tests do not depend on how it is built.
 */
import type { CloudMapGateway } from "../../aws/types.js";
import type { Clock } from "../../clock.js";
import { ConsulClient, type ConsulClientOptions, type ConsulTlsOptions } from "../../consul/client.js";
import type { ConsulTokenSource } from "../../consul/token.js";
import type { Logger } from "../../log.js";
import type { LeaseBackend } from "../../runtime/lease-backend.js";
import type { ResourceStore } from "../../store/types.js";
import type { SyncEngine, SyncEngineConfig, SyncReport } from "../../sync/types.js";
import type { RunningSync } from "./engine-registry.js";
import type { ReportSpec } from "./report-conditions.js";
import { SyncStatusWriter } from "./status-writer.js";

/** What `createSyncEngine` takes besides the config (src/sync/index.ts). */
export interface SyncEngineDeps {
  consul: ConsulClient;
  cloudMap: CloudMapGateway;
  clock: Clock;
  log: Logger;
  lease?: { backend: LeaseBackend; name: string; identity: string; durationMs: number; heartbeatMs: number };
  onReport?: (report: SyncReport) => void;
  minWriteIntervalMs?: number;
}

/** The engine's factory and its lease naming (src/sync/index.ts's `createSyncEngine` and `syncLeaseName`). */
export interface SyncEngineRuntime {
  create(config: SyncEngineConfig, deps: SyncEngineDeps): SyncEngine;
  leaseName(namespaceId: string): string;
}

/** Everything one engine is started with. */
export interface StartSyncOptions {
  config: SyncEngineConfig;
  consul: {
    address: string;
    token?: string | ConsulTokenSource | undefined;
    datacenter?: string | undefined;
    tls?: ConsulTlsOptions | undefined;
  };
  cloudMap: CloudMapGateway;
  clock: Clock;
  log: Logger;
  runtime: SyncEngineRuntime;
  /** The namespace's sync lease (one writer per namespace); none without a table. */
  lease?: { backend: LeaseBackend; identity: string; durationMs: number; heartbeatMs: number } | undefined;
  /** Where reports go: the CatalogSync's status; nowhere without a store. */
  status?:
    | {
        store: ResourceStore;
        generation: number;
        spec: ReportSpec;
        heartbeatMs: number;
      }
    | undefined;
  /** Builds the Consul client (tests inject one). */
  createConsul?: ((options: ConsulClientOptions) => ConsulClient) | undefined;
}

/** A started engine and the parts around it. */
export interface StartedSync extends RunningSync {
  engine: SyncEngine;
  writer: SyncStatusWriter | undefined;
}

/** Builds and starts the engine; `close` stops it (lease released) and flushes the last report. */
export async function startSync(options: StartSyncOptions): Promise<StartedSync> {
  const { config, clock, log, runtime } = options;
  const consul = (options.createConsul ?? ((o) => new ConsulClient(o)))({
    address: options.consul.address,
    ...(options.consul.token === undefined ? {} : { token: options.consul.token }),
    ...(options.consul.datacenter === undefined ? {} : { datacenter: options.consul.datacenter }),
    ...(options.consul.tls === undefined ? {} : { tls: options.consul.tls }),
  });
  const status = options.status;
  const writer =
    status === undefined
      ? undefined
      : new SyncStatusWriter({
          store: status.store,
          owner: config.owner,
          generation: status.generation,
          spec: status.spec,
          clock,
          log,
          heartbeatMs: status.heartbeatMs,
        });
  const lease = options.lease;
  const engine = runtime.create(config, {
    consul,
    cloudMap: options.cloudMap,
    clock,
    log,
    ...(lease === undefined
      ? {}
      : {
          lease: {
            backend: lease.backend,
            name: runtime.leaseName(config.cloudMapNamespace.id),
            identity: lease.identity,
            durationMs: lease.durationMs,
            heartbeatMs: lease.heartbeatMs,
          },
        }),
    ...(writer === undefined ? {} : { onReport: (report: SyncReport) => writer.report(report) }),
  });
  await engine.start();
  let spec = status?.spec;
  return {
    engine,
    writer,
    retarget(generation) {
      if (spec !== undefined) writer?.retarget(generation, spec);
    },
    async close() {
      try {
        await engine.stop();
      } finally {
        consul.close();
        await writer?.close();
      }
      spec = undefined;
    },
  };
}
