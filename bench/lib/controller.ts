/**
 * The real controller (`runControllerCommand`, the real reconcilers and AWS adapters) run in process on the
 * bench's scaled clock, with two observation hooks that change nothing it does:
 * - every reconcile pass is wrapped to note when it starts and which generation its cache held;
 * - the store handed to the reconcilers notes when a status write makes a record Ready for its generation.
 */
import { EventEmitter } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { Writable } from "node:stream";
import { createAwsGateways } from "../../src/aws/index.js";
import type { Clock } from "../../src/clock.js";
import { resolveControllerSettings } from "../../src/config/controller.js";
import type { Condition, ResourceKey } from "../../src/crds/meta.js";
import { resourceKey } from "../../src/crds/meta.js";
import type { AwsCallOutcome } from "../../src/metrics.js";
import { fargateServiceSettingsFrom, runControllerCommand } from "../../src/reconcilers/command.js";
import { findCondition } from "../../src/reconcilers/conditions.js";
import { buildReconcilers } from "../../src/reconcilers/reconcilers.js";
import type { KindReconciler } from "../../src/runtime/reconciler.js";
import type { DynamoResourceStore } from "../../src/store/dynamo-store.js";
import type { ResourceStore, StoredResource } from "../../src/store/types.js";
import { waitUntil } from "./stats.js";

/** Static credentials DynamoDB Local and the simulator accept. */
export const BENCH_CREDENTIALS = { accessKeyId: "bench", secretAccessKey: "bench" } as const;

/** The region of every bench resource. */
export const BENCH_REGION = "us-east-1";

/** One pass start as the wrapper saw it. */
export interface PassStart {
  /** Wall time (performance.now()). */
  wallMs: number;
  /** Generation of the record in the informer cache when the pass started (0 when absent). */
  generation: number;
}

/** What the hooks observed; read it while the controller runs. */
export interface ControllerObservations {
  /** Pass starts per key, oldest first. */
  readonly starts: Map<ResourceKey, PassStart[]>;
  /** Per key: the clock time (simulated ms) at which a status write first made generation `g` Ready. */
  readonly readyAt: Map<ResourceKey, { generation: number; atMs: number }>;
  /** Passes started in total. */
  passes: number;
  /** Passes started per kind. */
  readonly passesByKind: Map<string, number>;
  /** Passes running now. */
  inFlight: number;
  /** Wall time (performance.now()) of the latest pass start; 0 before the first. */
  lastStartWallMs: number;
  /** The controller's own AWS call outcomes, `service:Operation:outcome` → count (client-side view). */
  readonly awsCalls: Map<string, number>;
  /** Log lines at warn or above. */
  warnings: number;
}

/** Options of {@link startBenchController}. */
export interface BenchControllerOptions {
  store: DynamoResourceStore;
  /** The AWS simulator's endpoint (ECS and Cloud Map). */
  awsEndpoint: string;
  clock: Clock;
  /** Controller flags (`resync-period`, `service-cache-max-age`, …) as `fargatectl controller` takes them. */
  flags: Record<string, string>;
  /** Where the controller's JSON log lines go. */
  logFile: string;
}

/** A running in-process controller. */
export interface BenchController {
  readonly observations: ControllerObservations;
  /** Sends SIGTERM (to the controller's own signal source) and waits for a graceful stop; returns the exit code. */
  stop(): Promise<number>;
}

/** True when `record`'s Ready condition is True for its current generation. */
export function isReadyNow(record: StoredResource): boolean {
  const ready = findCondition(record.status?.conditions as Condition[] | undefined, "Ready");
  return ready?.status === "True" && ready.observedGeneration === record.metadata.generation;
}

function observingStore(store: ResourceStore, clock: Clock, seen: ControllerObservations): ResourceStore {
  const wrapped = Object.create(store) as ResourceStore;
  wrapped.updateStatus = async (kind, namespace, name, status, resourceVersion) => {
    const out = await store.updateStatus(kind, namespace, name, status, resourceVersion);
    if (isReadyNow(out)) {
      const key = resourceKey(kind, namespace, name);
      const known = seen.readyAt.get(key);
      if (known === undefined || known.generation < out.metadata.generation)
        seen.readyAt.set(key, { generation: out.metadata.generation, atMs: clock.now() });
    }
    return out;
  };
  return wrapped;
}

function observingReconciler(reconciler: KindReconciler, seen: ControllerObservations): KindReconciler {
  const wrapped = Object.create(reconciler) as KindReconciler;
  wrapped.reconcile = async (key, signal, context) => {
    const start: PassStart = {
      wallMs: performance.now(),
      generation: context.cache.get(key)?.metadata.generation ?? 0,
    };
    let list = seen.starts.get(key);
    if (list === undefined) {
      list = [];
      seen.starts.set(key, list);
    }
    list.push(start);
    seen.passes += 1;
    seen.passesByKind.set(reconciler.kind, (seen.passesByKind.get(reconciler.kind) ?? 0) + 1);
    seen.inFlight += 1;
    seen.lastStartWallMs = start.wallMs;
    try {
      return await reconciler.reconcile(key, signal, context);
    } finally {
      seen.inFlight -= 1;
    }
  };
  return wrapped;
}

/** A pino destination that appends to `file` and counts lines at warn (40) or above. */
function logSink(file: string, seen: ControllerObservations): { stream: Writable; file: WriteStream } {
  const out = createWriteStream(file, { flags: "w" });
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const text = chunk.toString("utf8");
      for (const m of text.matchAll(/"level":(\d+)/g)) if (Number(m[1]) >= 40) seen.warnings += 1;
      // pino may flush after the controller stopped and the file closed: those lines are dropped.
      if (out.writableEnded) callback();
      else out.write(chunk, callback);
    },
  });
  return { stream, file: out };
}

/** Starts the controller and resolves once its manager runs (caches may still be syncing). */
export async function startBenchController(options: BenchControllerOptions): Promise<BenchController> {
  const { store, clock } = options;
  const seen: ControllerObservations = {
    starts: new Map(),
    readyAt: new Map(),
    passes: 0,
    passesByKind: new Map(),
    inFlight: 0,
    lastStartWallMs: 0,
    awsCalls: new Map(),
    warnings: 0,
  };
  const flags: Record<string, string> = {
    table: store.tableName,
    region: BENCH_REGION,
    "metrics-address": "127.0.0.1:0",
    "ui-address": "127.0.0.1:0",
    ...options.flags,
  };
  const env = {
    AWS_ENDPOINT_URL_ECS: options.awsEndpoint,
    AWS_ENDPOINT_URL_SERVICEDISCOVERY: options.awsEndpoint,
    AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING: options.awsEndpoint,
  };
  // The same resolution runControllerCommand does, so the reconcilers get the settings the flags say.
  const settings = resolveControllerSettings(flags, env);
  const aws = createAwsGateways({
    region: settings.region,
    endpoints: {
      ecs: options.awsEndpoint,
      serviceDiscovery: options.awsEndpoint,
      applicationAutoScaling: options.awsEndpoint,
    },
    credentials: { ...BENCH_CREDENTIALS },
    maxAttempts: settings.awsMaxAttempts,
    clock,
    recordCall: (service: string, operation: string, outcome: AwsCallOutcome) => {
      const key = `${service}:${operation}:${outcome}`;
      seen.awsCalls.set(key, (seen.awsCalls.get(key) ?? 0) + 1);
    },
  });
  const sink = logSink(options.logFile, seen);
  const signals = new EventEmitter();
  let started = false;
  const exit = runControllerCommand(flags, env, {
    store,
    leases: store.leases,
    credentials: { ...BENCH_CREDENTIALS },
    clock,
    signals,
    logDestination: sink.stream,
    reconcilers: (s, c) =>
      buildReconcilers({
        store: observingStore(s, c, seen),
        aws,
        clock: c,
        fargateService: fargateServiceSettingsFrom(settings),
      }).map((r) => observingReconciler(r, seen)),
    onStarted: () => {
      started = true;
    },
  });
  let exitCode: number | undefined;
  let failure: unknown;
  exit.then(
    (code) => {
      exitCode = code;
    },
    (error: unknown) => {
      failure = error;
    },
  );
  const stopped = async (): Promise<void> => {
    aws.destroy();
    await new Promise<void>((resolve) => sink.file.end(() => resolve()));
  };
  try {
    await waitUntil(
      () => {
        if (failure !== undefined) throw failure;
        if (exitCode !== undefined) throw new Error(`the controller exited with ${exitCode} while starting`);
        return started;
      },
      "the in-process controller to start",
      30_000,
    );
  } catch (error) {
    signals.emit("SIGTERM");
    await exit.catch(() => undefined);
    await stopped();
    throw error;
  }
  let stopping: Promise<number> | undefined;
  return {
    observations: seen,
    stop: () => {
      stopping ??= (async () => {
        signals.emit("SIGTERM");
        try {
          return await exit;
        } finally {
          await stopped();
        }
      })();
      return stopping;
    },
  };
}
