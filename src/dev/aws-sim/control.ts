import { type MetricResult, type MetricSample, readMetricSample } from "./autoscaling/scaler.js";
import type { CallCounters, OperationCounters } from "./counters.js";
import { isTaskFailure, TaskFailure } from "./ecs/task-failures.js";
import type { FaultInjector, FaultSettings } from "./faults.js";
import { isJsonObject, type JsonObject } from "./input.js";
import type { CheckedRequest, EcsRequestModel } from "./request-model.js";
import { seededRandom } from "./rng.js";
import type { EcsThrottler } from "./throttle.js";

/** Everything the `/_sim/...` endpoint can do, callable in-process too. */
export interface SimulatorControl {
  /** Injects faults (replacing earlier settings); `seed` restarts the fault RNG for a reproducible run. */
  setFaults(settings: FaultSettings, seed?: number): void;
  /** Stops injecting faults. */
  clearFaults(): void;
  /** The fault settings in force. */
  faults(): FaultSettings;
  /** Switches the ECS token buckets on or off. */
  setThrottling(enabled: boolean): void;
  /** Refills every token bucket. */
  resetThrottling(): void;
  /** Bucket settings, time scale and whether throttling is on. */
  throttling(): ReturnType<EcsThrottler["settings"]>;
  /**
   * Makes tasks of `image` fail, by default crashing (exit code 1); see ecs/task-failures.ts for the other ways
   * and the tag conventions (`-crashloop`, `-missing`, `-unhealthy`, `-oom`) that fail without a call.
   */
  failImage(image: string, failure?: TaskFailure): void;
  /** Lets `image` start again. */
  healImage(image: string): void;
  /** Images set to fail by {@link failImage}. */
  failingImages(): string[];
  /** Images set to fail by {@link failImage}, with how they fail. */
  failingImageModes(): Record<string, TaskFailure>;
  /** Per-operation counters keyed `ecs:Operation` / `servicediscovery:Operation`. */
  counters(): Record<string, OperationCounters>;
  /** Zeroes every counter. */
  resetCounters(): void;
  /** ECS requests checked against AWS's model since the last reset (strict mode; none in lenient mode). */
  requests(): CheckedRequest[];
  /** Forgets the checked requests. */
  resetRequests(): void;
  /** Sets a CloudWatch alarm's state; deployments that watch it react at once. */
  setAlarm(name: string, state: AlarmState): void;
  /** Alarm states set so far (any other alarm is OK). */
  alarms(): Record<string, AlarmState>;
  /** Makes every invocation of the lifecycle hook target `arn` fail (`fail: false` lets it succeed again). */
  failHook(arn: string, fail: boolean): void;
  /** Hook targets set to fail. */
  failingHooks(): string[];
  /** Feeds a metric of an ECS service to its target-tracking policies, which may move its desiredCount. */
  feedMetric(sample: MetricSample): MetricResult;
}

/** The parts of the simulator the control API steers. */
export interface ControlTargets {
  /** The fault injector. */
  readonly faults: FaultInjector;
  /** The ECS throttler. */
  readonly throttler: EcsThrottler;
  /** The call counters. */
  readonly counters: CallCounters;
  /** Images set to fail, and how (the ECS state's map). */
  readonly failingImages: Map<string, TaskFailure>;
  /** The model check of ECS requests (strict mode only). */
  readonly requestModel?: EcsRequestModel;
  /** CloudWatch alarm states the ECS deployments watch. */
  readonly alarmStates: Map<string, AlarmState>;
  /** Lifecycle hook targets that fail. */
  readonly failingHooks: Set<string>;
  /** Re-plans the deployments under way after an alarm or a hook changed. */
  readonly wakeDeployments: () => void;
  /** Application Auto Scaling's metric evaluation. */
  readonly feedMetric: (sample: MetricSample) => MetricResult;
}

/** Builds the in-process control API over the simulator's parts. */
export function createControl(targets: ControlTargets): SimulatorControl {
  return {
    setFaults(settings, seed) {
      if (seed !== undefined) targets.faults.reseed(seededRandom(seed));
      targets.faults.set(settings);
    },
    clearFaults: () => targets.faults.set({}),
    faults: () => targets.faults.settings,
    setThrottling: (enabled) => targets.throttler.setEnabled(enabled),
    resetThrottling: () => targets.throttler.reset(),
    throttling: () => targets.throttler.settings(),
    failImage: (image, failure = TaskFailure.crash) => {
      targets.failingImages.set(image, failure);
    },
    healImage: (image) => {
      targets.failingImages.delete(image);
    },
    failingImages: () => [...targets.failingImages.keys()].sort(),
    failingImageModes: () =>
      Object.fromEntries([...targets.failingImages].sort(([a], [b]) => a.localeCompare(b))),
    counters: () => targets.counters.snapshot(),
    resetCounters: () => targets.counters.reset(),
    requests: () => targets.requestModel?.requests() ?? [],
    resetRequests: () => targets.requestModel?.reset(),
    setAlarm: (name, state) => {
      targets.alarmStates.set(name, state);
      targets.wakeDeployments();
    },
    alarms: () => Object.fromEntries([...targets.alarmStates].sort(([a], [b]) => a.localeCompare(b))),
    failHook: (arn, fail) => {
      if (fail) targets.failingHooks.add(arn);
      else targets.failingHooks.delete(arn);
    },
    failingHooks: () => [...targets.failingHooks].sort(),
    feedMetric: (sample) => targets.feedMetric(sample),
  };
}

function failingImagesBody(control: SimulatorControl): JsonObject {
  return { images: control.failingImages(), failures: control.failingImageModes() };
}

/** A CloudWatch alarm state. */
export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

const ALARM_STATES: readonly string[] = ["OK", "ALARM", "INSUFFICIENT_DATA"];

/** A control endpoint answer: HTTP status and JSON body. */
export interface ControlResponse {
  /** HTTP status. */
  readonly status: number;
  /** JSON body. */
  readonly body: unknown;
}

function readFaults(body: JsonObject): { settings: FaultSettings; seed: number | undefined } {
  const num = (name: string): number | undefined => {
    const v = body[name];
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isFinite(v)) throw new TypeError(`${name} must be a number`);
    return v;
  };
  const ops = body.operations;
  if (ops !== undefined && !(Array.isArray(ops) && ops.every((o) => typeof o === "string"))) {
    throw new TypeError("operations must be a list of strings");
  }
  const pick = (name: string) => {
    const v = num(name);
    return v === undefined ? {} : { [name]: v };
  };
  return {
    settings: {
      ...pick("throttlePercent"),
      ...pick("serverErrorPercent"),
      ...pick("dropPercent"),
      ...pick("latencyMs"),
      ...(ops === undefined ? {} : { operations: ops as string[] }),
    },
    seed: num("seed"),
  };
}

/**
 * Routes `/_sim/...` requests (JSON in, JSON out):
 * GET health | GET,PUT,DELETE faults | GET,PUT throttling ({enabled}) | POST throttling/reset |
 * GET,POST,DELETE failing-images ({image, failure?}) | GET counters | POST counters/reset |
 * GET requests (strict mode's model check: {checked, invalid, requests}) | POST requests/reset.
 * POST autoscaling/metrics ({cluster, service, metric: cpu|memory|albRequestCountPerTarget, value}).
 * GET,PUT alarms ({name, state: OK|ALARM|INSUFFICIENT_DATA}) | GET,POST,DELETE failing-hooks ({hookTargetArn}).
 */
export function handleControlRequest(
  control: SimulatorControl,
  info: JsonObject,
  method: string,
  path: string,
  rawBody: string,
): ControlResponse {
  const route = `${method} ${path.replace(/\/+$/, "")}`;
  try {
    let body: JsonObject = {};
    if (rawBody.trim() !== "") {
      const parsed: unknown = JSON.parse(rawBody);
      if (!isJsonObject(parsed)) return { status: 400, body: { error: "body must be a JSON object" } };
      body = parsed;
    }
    switch (route) {
      case "GET /_sim/health":
        return { status: 200, body: { ok: true, ...info } };
      case "GET /_sim/faults":
        return { status: 200, body: control.faults() };
      case "PUT /_sim/faults": {
        const { settings, seed } = readFaults(body);
        control.setFaults(settings, seed);
        return { status: 200, body: control.faults() };
      }
      case "DELETE /_sim/faults":
        control.clearFaults();
        return { status: 200, body: control.faults() };
      case "GET /_sim/throttling":
        return { status: 200, body: control.throttling() };
      case "PUT /_sim/throttling":
        if (typeof body.enabled !== "boolean")
          return { status: 400, body: { error: "enabled must be a boolean" } };
        control.setThrottling(body.enabled);
        return { status: 200, body: control.throttling() };
      case "POST /_sim/throttling/reset":
        control.resetThrottling();
        return { status: 200, body: control.throttling() };
      case "GET /_sim/failing-images":
        return { status: 200, body: failingImagesBody(control) };
      case "POST /_sim/failing-images":
      case "DELETE /_sim/failing-images": {
        if (typeof body.image !== "string") return { status: 400, body: { error: "image must be a string" } };
        if (body.failure !== undefined && !isTaskFailure(body.failure)) {
          return { status: 400, body: { error: "failure must be crash, pull, unhealthy or oom" } };
        }
        if (method === "POST") control.failImage(body.image, body.failure);
        else control.healImage(body.image);
        return { status: 200, body: failingImagesBody(control) };
      }
      case "GET /_sim/counters":
        return { status: 200, body: control.counters() };
      case "POST /_sim/counters/reset":
        control.resetCounters();
        return { status: 200, body: control.counters() };
      case "GET /_sim/requests": {
        const requests = control.requests();
        const invalid = requests.filter((r) => r.violations.length > 0).length;
        return {
          status: 200,
          body: { strict: info.mode === "strict", checked: requests.length, invalid, requests },
        };
      }
      case "POST /_sim/requests/reset":
        control.resetRequests();
        return { status: 200, body: { checked: 0, invalid: 0, requests: [] } };
      case "GET /_sim/alarms":
        return { status: 200, body: { alarms: control.alarms() } };
      case "PUT /_sim/alarms": {
        const { name, state } = body;
        if (typeof name !== "string" || name === "")
          return { status: 400, body: { error: "name must be a string" } };
        if (typeof state !== "string" || !ALARM_STATES.includes(state)) {
          return { status: 400, body: { error: "state must be OK, ALARM or INSUFFICIENT_DATA" } };
        }
        control.setAlarm(name, state as AlarmState);
        return { status: 200, body: { alarms: control.alarms() } };
      }
      case "GET /_sim/failing-hooks":
        return { status: 200, body: { hookTargetArns: control.failingHooks() } };
      case "POST /_sim/failing-hooks":
      case "DELETE /_sim/failing-hooks": {
        if (typeof body.hookTargetArn !== "string")
          return { status: 400, body: { error: "hookTargetArn must be a string" } };
        control.failHook(body.hookTargetArn, method === "POST");
        return { status: 200, body: { hookTargetArns: control.failingHooks() } };
      }
      case "POST /_sim/autoscaling/metrics":
        return { status: 200, body: control.feedMetric(readMetricSample(body)) };
      default:
        return { status: 404, body: { error: `no control route ${route}` } };
    }
  } catch (error) {
    if (error instanceof TypeError || error instanceof SyntaxError)
      return { status: 400, body: { error: error.message } };
    throw error;
  }
}
