/**
 * The catalog sync test bed: the Consul simulator and the AWS simulator on ONE ManualClock, real gateways and a
 * real ConsulClient over 127.0.0.1, a private DNS namespace, and engines on the same clock. Timing claims are in
 * simulated time: `within` advances the clock step by step, giving the HTTP round trips real time in between.
 */
import { DiscoverInstancesCommand, type ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import { createCloudMapClient } from "../../../src/aws/clients.js";
import { createAwsGateways } from "../../../src/aws/index.js";
import type { AwsGateways } from "../../../src/aws/types.js";
import { ManualClock } from "../../../src/clock.js";
import { ConsulClient, type ConsulTlsOptions } from "../../../src/consul/client.js";
import type { ConsulTokenSource } from "../../../src/consul/token.js";
import { type AwsSimulator, startAwsSimulator } from "../../../src/dev/aws-sim/index.js";
import {
  type ConsulSimulator,
  type ConsulSimulatorTls,
  startConsulSimulator,
} from "../../../src/dev/consul-sim/index.js";
import { silentLogger } from "../../../src/log.js";
import {
  createSyncEngine,
  type SyncEngine,
  type SyncEngineConfig,
  type SyncEngineDeps,
} from "../../../src/sync/index.js";

/** Dummy credentials: the simulator accepts any. */
const CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

/** Everything one test needs. */
export interface SyncBed {
  clock: ManualClock;
  consulSim: ConsulSimulator;
  awsSim: AwsSimulator;
  aws: AwsGateways;
  consul: ConsulClient;
  /** A plain SDK client (host prefix off) for DiscoverInstances, as a Fargate task's resolver would ask. */
  discovery: ServiceDiscoveryClient;
  namespace: { id: string; dnsName: string };
  /** Starts an engine on the bed (stopped by `close`). */
  engine(config?: Partial<SyncEngineConfig>, deps?: Partial<SyncEngineDeps>): Promise<SyncEngine>;
  close(): Promise<void>;
}

/** The CatalogSync uid of the bed's engines. */
export const UID = "4f1c2a8e-0000-4000-8000-00000000sync";

/** How the bed's Consul is reached (plain http without ACLs by default). */
export interface SyncBedConsul {
  /** The simulator's https front, and the client's TLS settings for it. */
  tls?: { server: ConsulSimulatorTls; client: ConsulTlsOptions };
  /** The simulator's management token, and the client's token (or its source). */
  aclToken?: string;
  token?: string | ConsulTokenSource;
}

/** Starts both simulators, the clients and a namespace `<dnsName>`. */
export async function startSyncBed(
  dnsName = "prod.internal",
  bedConsul: SyncBedConsul = {},
): Promise<SyncBed> {
  const clock = new ManualClock();
  const consulSim = await startConsulSimulator({
    clock,
    random: () => 0,
    ...(bedConsul.tls === undefined ? {} : { tls: bedConsul.tls.server }),
    ...(bedConsul.aclToken === undefined ? {} : { aclToken: bedConsul.aclToken }),
  });
  const awsSim = await startAwsSimulator({ clock, throttling: false });
  const config = {
    region: "us-east-1",
    endpoints: { ecs: awsSim.endpoint, serviceDiscovery: awsSim.endpoint },
    credentials: CREDENTIALS,
    maxAttempts: 1,
    ecsBuckets: false as const,
    clock,
  };
  const aws = createAwsGateways(config);
  const discovery = createCloudMapClient(config);
  const consul = new ConsulClient({
    address: consulSim.url,
    ...(bedConsul.tls === undefined ? {} : { tls: bedConsul.tls.client }),
    ...(bedConsul.token === undefined ? {} : { token: bedConsul.token }),
  });
  const op = await aws.cloudMap.createPrivateDnsNamespace({
    name: dnsName,
    vpc: "vpc-1",
    creatorRequestId: "ns-req",
    tags: {},
  });
  await clock.advance(1_000);
  const namespace = { id: (await aws.cloudMap.getOperation(op)).targets.NAMESPACE ?? "", dnsName };
  const engines: SyncEngine[] = [];
  return {
    clock,
    consulSim,
    awsSim,
    aws,
    consul,
    discovery,
    namespace,
    async engine(overrides = {}, deps = {}) {
      const engine = createSyncEngine(engineConfig(namespace, overrides), {
        consul,
        cloudMap: aws.cloudMap,
        clock,
        log: silentLogger(),
        ...deps,
      });
      engines.push(engine);
      await engine.start();
      return engine;
    },
    async close() {
      await Promise.all(engines.map((e) => e.stop()));
      consul.close();
      aws.destroy();
      discovery.destroy();
      await consulSim.stop();
      await awsSim.stop();
    },
  };
}

/** An engine configuration for the bed's namespace: both directions, everything included, no prefixes. */
export function engineConfig(
  namespace: { id: string; dnsName: string },
  overrides: Partial<SyncEngineConfig> = {},
): SyncEngineConfig {
  const all = { enabled: true, include: [], exclude: [], prefix: "" };
  return {
    owner: { uid: UID, namespace: "default", name: "sync" },
    cloudMapNamespace: namespace,
    toCloudMap: all,
    toConsul: all,
    pollIntervalMs: 1_000,
    deleteGraceMs: 30_000,
    ...overrides,
  };
}

const realDelay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Advances simulated time in `stepMs` steps until `condition` holds, giving the HTTP round trips up to
 * `realMs` of real time at each step; returns the simulated time it took. Throws past `limitMs` simulated.
 */
export async function within(
  clock: ManualClock,
  limitMs: number,
  condition: () => Promise<boolean> | boolean,
  options: { stepMs?: number; realMs?: number } = {},
): Promise<number> {
  const start = clock.now();
  const stepMs = options.stepMs ?? 100;
  for (;;) {
    const until = Date.now() + (options.realMs ?? 60);
    do {
      if (await condition()) return clock.now() - start;
      await realDelay(5);
    } while (Date.now() < until);
    if (clock.now() - start + stepMs > limitMs)
      throw new Error(`condition not met within ${limitMs} ms of simulated time`);
    await clock.advance(stepMs);
  }
}

/** Advances simulated time by `ms` in steps, letting real I/O run at each (for "nothing happens" claims). */
export async function passTime(clock: ManualClock, ms: number, stepMs = 500, realMs = 20): Promise<void> {
  for (let left = ms; left > 0; left -= stepMs) {
    await clock.advance(Math.min(stepMs, left));
    await realDelay(realMs);
  }
}

/** Instances of a Cloud Map name as DiscoverInstances answers (what a Fargate task's resolver gets). */
export async function discover(bed: SyncBed, serviceName: string) {
  try {
    const out = await bed.discovery.send(
      new DiscoverInstancesCommand({ NamespaceName: bed.namespace.dnsName, ServiceName: serviceName }),
    );
    return out.Instances ?? [];
  } catch (error) {
    if ((error as { name?: string }).name === "ServiceNotFound") return [];
    throw error;
  }
}

/** Consul registrations on a node, from the simulator's own view (works during an outage). */
export function consulServicesOn(bed: SyncBed, node: string) {
  return bed.consulSim.control.snapshot().services.filter((s) => s.Node === node);
}

/** Check statuses by service ID on a node, from the simulator's own view. */
export function checkStatusesOn(bed: SyncBed, node: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of bed.consulSim.control.snapshot().checks)
    if (c.Node === node && c.ServiceID !== "") out[c.ServiceID] = c.Status;
  return out;
}
