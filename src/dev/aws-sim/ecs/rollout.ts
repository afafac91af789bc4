import type { RolloutState } from "./state.js";

/** A live (not yet STOPPED) task as the planner sees it. */
export interface PlanTask {
  /** Task id. */
  readonly id: string;
  /** Deployment the task belongs to. */
  readonly deploymentId: string;
  /** starting = PROVISIONING/PENDING, running = RUNNING, stopping = asked to stop but not STOPPED yet. */
  readonly phase: "starting" | "running" | "stopping";
}

/** A deployment as the planner sees it. */
export interface PlanDeployment {
  /** Deployment id. */
  readonly id: string;
  /** True for the PRIMARY deployment. */
  readonly primary: boolean;
  /** IN_PROGRESS, COMPLETED or FAILED. */
  readonly rolloutState: RolloutState;
  /** Tasks of this deployment that failed to start. */
  readonly failedTasks: number;
}

/** Everything the planner needs about one service. */
export interface PlanInput {
  /** ACTIVE, or DRAINING after DeleteService. */
  readonly serviceStatus: "ACTIVE" | "DRAINING";
  /** The service's desiredCount. */
  readonly desiredCount: number;
  /** deploymentConfiguration.minimumHealthyPercent. */
  readonly minimumHealthyPercent: number;
  /** deploymentConfiguration.maximumPercent. */
  readonly maximumPercent: number;
  /** deploymentConfiguration.deploymentCircuitBreaker. */
  readonly circuitBreaker: { readonly enable: boolean; readonly rollback: boolean };
  /** True when an earlier deployment reached COMPLETED, so a rollback has a target. */
  readonly hasRollbackTarget: boolean;
  /** Deployments, the PRIMARY among them. */
  readonly deployments: readonly PlanDeployment[];
  /** Tasks that are not STOPPED. */
  readonly tasks: readonly PlanTask[];
  /**
   * A traffic-shifting deployment (or an alarm bake) is under way: the PRIMARY scales to its full count beside
   * the previous revision, whose running tasks stay, and the deployment is not COMPLETED yet.
   */
  readonly hold?: boolean;
}

/** What the scheduler should do next for a service (apply, then plan again until `idle`). */
export type RolloutDecision =
  | { readonly kind: "fail"; readonly rollback: boolean }
  | {
      readonly kind: "act";
      /** New tasks to start for the PRIMARY deployment. */
      readonly launch: number;
      /** Tasks to stop. */
      readonly stop: readonly string[];
      /** Non-primary deployments with no tasks left, to remove. */
      readonly retire: readonly string[];
      /** The PRIMARY deployment reached steady state: mark it COMPLETED. */
      readonly complete: boolean;
      /** A DRAINING service has no tasks left: it becomes INACTIVE. */
      readonly inactive: boolean;
    };

/** Nothing left to do. */
export function isIdle(decision: RolloutDecision): boolean {
  return (
    decision.kind === "act" &&
    decision.launch === 0 &&
    decision.stop.length === 0 &&
    decision.retire.length === 0 &&
    !decision.complete &&
    !decision.inactive
  );
}

/** ECS's circuit-breaker failure threshold: half the desired count, at least 3, at most 200. */
export function circuitBreakerThreshold(desiredCount: number): number {
  return Math.min(200, Math.max(3, Math.ceil(desiredCount / 2)));
}

const act = (
  launch: number,
  stop: string[],
  retire: string[],
  complete: boolean,
  inactive: boolean,
): RolloutDecision => ({ kind: "act", launch, stop, retire, complete, inactive });

/**
 * One step of ECS's rolling update, as documented: the PRIMARY deployment scales up within
 * `maximumPercent` of the desired count; older deployments' tasks stop while at least
 * `minimumHealthyPercent` stay RUNNING; drained deployments are removed; the rollout is COMPLETED when
 * the PRIMARY runs exactly the desired count alone; the circuit breaker fails it after enough failed tasks.
 */
export function planRollout(input: PlanInput): RolloutDecision {
  const live = input.tasks.filter((t) => t.phase !== "stopping");
  if (input.serviceStatus === "DRAINING") {
    return act(
      0,
      live.map((t) => t.id),
      [],
      false,
      input.tasks.length === 0,
    );
  }
  const primary = input.deployments.find((d) => d.primary);
  if (primary === undefined) return act(0, [], [], false, false);
  if (
    primary.rolloutState === "IN_PROGRESS" &&
    input.circuitBreaker.enable &&
    primary.failedTasks >= circuitBreakerThreshold(input.desiredCount)
  ) {
    return { kind: "fail", rollback: input.circuitBreaker.rollback && input.hasRollbackTarget };
  }
  const desired = input.desiredCount;
  const primaryTasks = live.filter((t) => t.deploymentId === primary.id);
  const stop: string[] = [];
  let launch = 0;
  const need = desired - primaryTasks.length;
  if (need > 0 && primary.rolloutState !== "FAILED" && input.hold === true) {
    launch = need;
  } else if (need > 0 && primary.rolloutState !== "FAILED") {
    const maxTotal = Math.floor((desired * input.maximumPercent) / 100);
    launch = Math.min(need, Math.max(0, maxTotal - live.length));
  } else if (need < 0) {
    const surplus = [...primaryTasks].sort(
      (a, b) => (a.phase === "starting" ? -1 : 0) - (b.phase === "starting" ? -1 : 0),
    );
    stop.push(...surplus.slice(0, -need).map((t) => t.id));
  }
  const old = live.filter((t) => t.deploymentId !== primary.id);
  stop.push(...old.filter((t) => t.phase === "starting").map((t) => t.id));
  if (primary.rolloutState !== "FAILED" && input.hold !== true) {
    const running = live.filter((t) => t.phase === "running" && !stop.includes(t.id));
    const minHealthy = Math.ceil((desired * input.minimumHealthyPercent) / 100);
    const allowed = Math.max(0, running.length - minHealthy);
    stop.push(
      ...old
        .filter((t) => t.phase === "running")
        .slice(0, allowed)
        .map((t) => t.id),
    );
  }
  const retire = input.deployments
    .filter((d) => !d.primary && !input.tasks.some((t) => t.deploymentId === d.id))
    .map((d) => d.id);
  const othersLeft = input.deployments.some((d) => !d.primary && !retire.includes(d.id));
  const primaryRunning = primaryTasks.filter((t) => t.phase === "running").length;
  const complete =
    input.hold !== true &&
    primary.rolloutState === "IN_PROGRESS" &&
    launch === 0 &&
    stop.length === 0 &&
    !othersLeft &&
    primaryRunning === desired &&
    primaryTasks.length === desired;
  return act(launch, stop, retire, complete, false);
}
