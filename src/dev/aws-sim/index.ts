import type { AddressInfo } from "node:net";
import { type Clock, systemClock } from "../../clock.js";
import { createAutoScaling } from "./autoscaling/index.js";
import { createCloudMap } from "./cloudmap/index.js";
import { IdFactory, type SimContext, type SimulatorMode } from "./context.js";
import { createControl, type SimulatorControl } from "./control.js";
import { CallCounters } from "./counters.js";
import { createEcs } from "./ecs/index.js";
import type { TaskLifecycleListener } from "./ecs/task-lifecycle.js";
import { FaultInjector } from "./faults.js";
import { EcsRequestModel } from "./request-model.js";
import { seededRandom } from "./rng.js";
import { createSecretsManager, type SecretsManagerControl } from "./secretsmanager/index.js";
import { createSimulatorServer } from "./server.js";
import { type BucketSettings, type EcsThrottleCategory, EcsThrottler } from "./throttle.js";

export { type Clock, ManualClock, systemClock, type TimerHandle } from "../../clock.js";
export type { MetricResult, MetricSample } from "./autoscaling/scaler.js";
export { SimulatorMode } from "./context.js";
export type { AlarmState, SimulatorControl } from "./control.js";
export type { OperationCounters } from "./counters.js";
export type { TaskLifecycleEvent, TaskLifecycleListener, TaskPhase } from "./ecs/task-lifecycle.js";
export type { FaultSettings } from "./faults.js";
export type { CheckedRequest, ModelViolation } from "./request-model.js";
export type { SecretsManagerControl } from "./secretsmanager/index.js";
export {
  type BucketSettings,
  DEFAULT_ECS_BUCKETS,
  ECS_OPERATION_CATEGORY,
  type EcsThrottleCategory,
} from "./throttle.js";

/** Options of {@link startAwsSimulator}. */
export interface AwsSimulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  readonly port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** lenient (default: clusters on first use, any ids) or strict (ids checked like AWS, clusters must exist). */
  readonly mode?: SimulatorMode;
  /** Time source (default the wall clock); pass a ManualClock in tests. */
  readonly clock?: Clock;
  /** Region in ARNs (default us-east-1). */
  readonly region?: string;
  /** Account in ARNs (default 123456789012). */
  readonly accountId?: string;
  /** Enforce the ECS token buckets (default true). */
  readonly throttling?: boolean;
  /** Override some ECS buckets. */
  readonly buckets?: Partial<Record<EcsThrottleCategory, BucketSettings>>;
  /** Simulated seconds per clock second (default 1): 10 makes rollouts and refills 10× faster. */
  readonly timeScale?: number;
  /** Simulated seconds from task launch to RUNNING (default 2). */
  readonly rolloutSeconds?: number;
  /** Simulated seconds from a stop request to STOPPED (default 1). */
  readonly stopSeconds?: number;
  /** Simulated seconds a Cloud Map operation takes to succeed (default 1). */
  readonly operationSeconds?: number;
  /** Simulated seconds from RUNNING to a healthy load-balancer target (default 1). */
  readonly targetRegistrationSeconds?: number;
  /** Seed of the fault-injection RNG (default 1). */
  readonly seed?: number;
}

/** A running simulator. */
export interface AwsSimulator {
  /** `http://host:port`: AWS_ENDPOINT_URL_ECS, _SERVICEDISCOVERY and _APPLICATION_AUTO_SCALING all point here. */
  readonly endpoint: string;
  /** The in-process twin of the `/_sim/...` control endpoint. */
  readonly control: SimulatorControl;
  /** The clock the simulator runs on. */
  readonly clock: Clock;
  /** Secrets as the simulated Secrets Manager serves them. */
  readonly secrets: SecretsManagerControl;
  /** What a container runtime would see of the simulated tasks (the dev stack runs some as processes). */
  readonly tasks: SimulatedTasks;
  /** Closes the server and every open connection. */
  stop(): Promise<void>;
}

/** The simulated tasks' lifecycle, for a runner that gives some of them a real process. */
export interface SimulatedTasks {
  /** Calls `listener` when a task reaches RUNNING, is asked to stop, and is STOPPED; returns the unsubscribe. */
  subscribe(listener: TaskLifecycleListener): () => void;
  /** Stops a task as ECS does when its essential container exits or cannot start (no-op for an unknown task). */
  stop(taskArn: string, stopCode: string, reason: string): void;
}

/** Starts the ECS + Cloud Map + Application Auto Scaling simulator (one server) and resolves once it listens. */
export async function startAwsSimulator(options: AwsSimulatorOptions = {}): Promise<AwsSimulator> {
  const clock = options.clock ?? systemClock;
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0)) throw new RangeError("timeScale must be positive");
  const ctx: SimContext = {
    clock,
    timeScale,
    region: options.region ?? "us-east-1",
    accountId: options.accountId ?? "123456789012",
    mode: options.mode ?? "lenient",
    timing: {
      startMs: (options.rolloutSeconds ?? 2) * 1000,
      stopMs: (options.stopSeconds ?? 1) * 1000,
      operationMs: (options.operationSeconds ?? 1) * 1000,
      targetRegistrationMs: (options.targetRegistrationSeconds ?? 1) * 1000,
    },
    after: (simulatedMs, fn) => clock.setTimer(fn, simulatedMs / timeScale),
    ids: new IdFactory(),
  };
  const cloudMap = createCloudMap(ctx);
  const ecs = createEcs(ctx, cloudMap.state);
  const autoScaling = createAutoScaling(ctx, ecs);
  const secretsManager = createSecretsManager(ctx);
  const throttler = new EcsThrottler(clock, {
    enabled: options.throttling ?? true,
    timeScale,
    ...(options.buckets === undefined ? {} : { buckets: options.buckets }),
  });
  const faults = new FaultInjector(seededRandom(options.seed ?? 1));
  const counters = new CallCounters();
  // Strict mode checks every ECS request against AWS's model and records it (GET /_sim/requests).
  const requestModel = ctx.mode === "strict" ? new EcsRequestModel() : undefined;
  const control = createControl({
    faults,
    throttler,
    counters,
    failingImages: ecs.state.failingImages,
    alarmStates: ecs.state.alarmStates,
    failingHooks: ecs.state.failingHooks,
    wakeDeployments: () => ecs.scheduler.wakeAll(),
    ...(requestModel === undefined ? {} : { requestModel }),
    feedMetric: (sample) => autoScaling.scaler.feedMetric(sample),
  });
  const server = createSimulatorServer({
    ecs: ecs.handlers,
    cloudMap: cloudMap.handlers,
    autoScaling: autoScaling.handlers,
    secretsManager: secretsManager.handlers,
    throttler,
    faults,
    counters,
    control,
    info: { mode: ctx.mode, region: ctx.region, accountId: ctx.accountId, timeScale },
    ...(requestModel === undefined
      ? {}
      : {
          checkRequest: (family, operation, body) => {
            if (family === "ecs") requestModel.check(operation, body);
          },
        }),
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    control,
    clock,
    secrets: secretsManager.control,
    tasks: {
      subscribe: (listener) => ecs.state.lifecycle.subscribe(listener),
      stop: (taskArn, stopCode, reason) => {
        const task = ecs.state.tasks.get(taskArn.split("/").pop() ?? taskArn);
        if (task !== undefined && task.arn === taskArn) ecs.scheduler.stopTask(task, reason, stopCode);
      },
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}
