/**
 * ECS's deployment strategies on the simulator's clock, as the ECS developer guide describes them: BLUE_GREEN
 * (green tasks start beside blue, production traffic moves at once), LINEAR (stepPercent every
 * stepBakeTimeInMinutes) and CANARY (canaryPercent, canaryBakeTimeInMinutes, then the rest), each followed by
 * bakeTimeInMinutes with both revisions running and then CLEAN_UP (blue stops). ROLLING keeps the planner's
 * rolling update; with deployment alarms on it bakes for bakeTimeInMinutes after steady state. Alarms named in
 * `deploymentConfiguration.alarms` fail the deployment while it runs or bakes; lifecycle hooks run instantly
 * and succeed unless their target was set to fail (a Lambda cannot run here).
 */
import type { JsonObject } from "../input.js";
import { boolField, field, isJsonObject, numField, objListField, strListField } from "../input.js";
import type { EcsService, EcsServiceDeployment, EcsState, LifecycleStage } from "./state.js";

const MINUTE_MS = 60_000;

/** A reason the deployment must fail now, and whether ECS rolls it back. */
export interface StrategyFailure {
  readonly reason: string;
  readonly rollback: boolean;
}

/** What the scheduler learns from {@link advanceDeployment}. */
export interface StrategyStep {
  /** Keep the previous revision's tasks and do not complete yet. */
  readonly hold: boolean;
  /** Fail the deployment (alarm or lifecycle hook). */
  readonly fail?: StrategyFailure;
}

/** Facts about the PRIMARY deployment's tasks the stages wait on. */
export interface GreenFacts {
  /** Every desired task of the new revision runs (and is a healthy target behind its load balancers). */
  readonly ready: boolean;
  /** Tasks of other revisions are still running or stopping. */
  readonly othersLeft: boolean;
}

/** The strategy of a deployment configuration (ROLLING when absent). */
export function strategyOf(config: JsonObject): string {
  return field(config, "strategy") ?? "ROLLING";
}

/** Deployment alarms that are switched on, or undefined. */
function enabledAlarms(config: JsonObject): { names: string[]; rollback: boolean } | undefined {
  const alarms = isJsonObject(config.alarms) ? config.alarms : undefined;
  if (alarms === undefined || boolField(alarms, "enable") !== true) return undefined;
  return { names: strListField(alarms, "alarmNames"), rollback: boolField(alarms, "rollback") ?? false };
}

/** Alarms of the deployment currently in ALARM. */
function alarmsFiring(
  state: EcsState,
  config: JsonObject,
): { names: string[]; rollback: boolean } | undefined {
  const alarms = enabledAlarms(config);
  if (alarms === undefined) return undefined;
  const names = alarms.names.filter((n) => state.alarmStates.get(n) === "ALARM");
  return names.length === 0 ? undefined : { names, rollback: alarms.rollback };
}

/** Traffic steps (percent of production traffic on the new revision) and the wait after each but the last. */
function trafficPlan(config: JsonObject): { steps: number[]; waitMs: number } {
  const strategy = strategyOf(config);
  const linear = isJsonObject(config.linearConfiguration) ? config.linearConfiguration : undefined;
  const canary = isJsonObject(config.canaryConfiguration) ? config.canaryConfiguration : undefined;
  if (strategy === "LINEAR") {
    // ECS's defaults: 10 percent steps, 6 minutes each.
    const step = numField(linear, "stepPercent") ?? 10;
    const steps: number[] = [];
    for (let p = step; p < 100; p = Math.round((p + step) * 10) / 10) steps.push(p);
    return { steps: [...steps, 100], waitMs: (numField(linear, "stepBakeTimeInMinutes") ?? 6) * MINUTE_MS };
  }
  if (strategy === "CANARY") {
    // ECS's defaults: 5 percent for 10 minutes.
    const percent = numField(canary, "canaryPercent") ?? 5;
    const waitMs = (numField(canary, "canaryBakeTimeInMinutes") ?? 10) * MINUTE_MS;
    return { steps: percent >= 100 ? [100] : [percent, 100], waitMs };
  }
  return { steps: [100], waitMs: 0 };
}

/** Runs the lifecycle hooks registered for `stage`; the first failing one fails the deployment. */
function runHooks(
  state: EcsState,
  sd: EcsServiceDeployment,
  stage: string,
  now: number,
): StrategyFailure | undefined {
  for (const hook of objListField(sd.deploymentConfiguration, "lifecycleHooks")) {
    if (!strListField(hook, "lifecycleStages").includes(stage)) continue;
    const targetArn = field(hook, "hookTargetArn") ?? "";
    const failed = state.failingHooks.has(targetArn);
    sd.hooks.push({
      hookId: state.ctx.ids.uuid(),
      stage,
      targetType: field(hook, "targetType") ?? "AWS_LAMBDA",
      targetArn,
      status: failed ? "FAILED" : "SUCCEEDED",
      expiresAt: now,
    });
    if (failed) return { reason: `Lifecycle hook ${targetArn} failed at ${stage}.`, rollback: true };
  }
  return undefined;
}

/** Moves `sd` to `stage`. */
function enter(sd: EcsServiceDeployment, stage: LifecycleStage, now: number): void {
  sd.lifecycleStage = stage;
  sd.stageEndsAt = undefined;
  sd.updatedAt = now;
}

/** Schedules a wake-up after `ms`, remembered on `sd` so a stop or a failure cancels it. */
function wakeAfter(state: EcsState, sd: EcsServiceDeployment, ms: number, fn: () => void): void {
  sd.timer?.cancel();
  sd.stageEndsAt = state.ctx.clock.now() + ms / state.ctx.timeScale;
  sd.timer = state.ctx.after(ms, () => {
    sd.timer = undefined;
    fn();
  });
}

/**
 * Advances the service deployment of the PRIMARY deployment through its stages as far as it can go now and
 * says whether the scheduler must hold the old revision (and completion). `wake` re-runs the scheduler.
 */
export function advanceDeployment(
  state: EcsState,
  sd: EcsServiceDeployment,
  green: GreenFacts,
  wake: () => void,
): StrategyStep {
  if (sd.status !== "IN_PROGRESS" && sd.status !== "PENDING") return { hold: false };
  const now = state.ctx.clock.now();
  const config = sd.deploymentConfiguration;
  const firing = alarmsFiring(state, config);
  if (firing !== undefined) {
    sd.triggeredAlarmNames = firing.names;
    return {
      hold: false,
      fail: {
        reason: `CloudWatch alarm(s) in ALARM state: ${firing.names.join(", ")}.`,
        rollback: firing.rollback,
      },
    };
  }
  if (sd.status === "PENDING") {
    sd.status = "IN_PROGRESS";
    sd.startedAt = now;
  }
  const bakeMs = (numField(config, "bakeTimeInMinutes") ?? 0) * MINUTE_MS;
  if (sd.strategy === "ROLLING") {
    // Alarm-monitored rolling updates bake once steady before they count as COMPLETED.
    if (enabledAlarms(config) === undefined || bakeMs === 0 || sd.bakeDone) return { hold: false };
    if (sd.lifecycleStage !== "BAKE_TIME") {
      if (!green.ready || green.othersLeft) return { hold: false };
      enter(sd, "BAKE_TIME", now);
      wakeAfter(state, sd, bakeMs, () => {
        sd.bakeDone = true;
        wake();
      });
    }
    return { hold: true };
  }
  const plan = trafficPlan(config);
  const hooks = (stage: string) => runHooks(state, sd, stage, now);
  for (let guard = 0; guard < 20; guard += 1) {
    switch (sd.lifecycleStage) {
      case undefined: {
        const failed = hooks("PRE_SCALE_UP");
        if (failed !== undefined) return { hold: true, fail: failed };
        enter(sd, "SCALE_UP", now);
        continue;
      }
      case "SCALE_UP": {
        if (!green.ready) return { hold: true };
        const failed = hooks("POST_SCALE_UP") ?? hooks("TEST_TRAFFIC_SHIFT");
        if (failed !== undefined) return { hold: true, fail: failed };
        enter(sd, "POST_TEST_TRAFFIC_SHIFT", now);
        sd.testTrafficPercent = 100;
        continue;
      }
      case "POST_TEST_TRAFFIC_SHIFT": {
        const failed =
          hooks("POST_TEST_TRAFFIC_SHIFT") ??
          hooks("PRE_PRODUCTION_TRAFFIC_SHIFT") ??
          hooks("PRODUCTION_TRAFFIC_SHIFT");
        if (failed !== undefined) return { hold: true, fail: failed };
        enter(sd, "PRODUCTION_TRAFFIC_SHIFT", now);
        sd.trafficPercent = plan.steps[0] ?? 100;
        continue;
      }
      case "PRODUCTION_TRAFFIC_SHIFT": {
        if (sd.trafficPercent < 100) {
          if (sd.timer === undefined) {
            wakeAfter(state, sd, plan.waitMs, () => {
              sd.trafficPercent = plan.steps.find((p) => p > sd.trafficPercent) ?? 100;
              sd.updatedAt = state.ctx.clock.now();
              wake();
            });
          }
          return { hold: true };
        }
        const failed = hooks("POST_PRODUCTION_TRAFFIC_SHIFT");
        if (failed !== undefined) return { hold: true, fail: failed };
        enter(sd, "BAKE_TIME", now);
        sd.bakeEndsAt = now + bakeMs / state.ctx.timeScale;
        wakeAfter(state, sd, bakeMs, () => {
          enter(sd, "CLEAN_UP", state.ctx.clock.now());
          wake();
        });
        return { hold: true };
      }
      case "BAKE_TIME":
        return { hold: true };
      default:
        // CLEAN_UP: the scheduler stops the previous revision and completes.
        return { hold: false };
    }
  }
  return { hold: true };
}

/** ECS's settings a deployment keeps from the moment it starts (later UpdateService calls do not change it). */
export function deploymentConfigurationOf(svc: EcsService): JsonObject {
  return {
    ...(svc.alarms === undefined ? {} : { alarms: svc.alarms }),
    ...(svc.bakeTimeInMinutes === undefined ? {} : { bakeTimeInMinutes: svc.bakeTimeInMinutes }),
    ...svc.deploymentExtras,
  };
}
