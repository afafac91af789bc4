import type { CloudMapState } from "../cloudmap/state.js";
import { isJsonObject, strListField } from "../input.js";
import {
  deregisterFromCloudMap,
  deregisterTarget,
  registerInCloudMap,
  registerTarget,
} from "./registration.js";
import { isIdle, type PlanTask, planRollout } from "./rollout.js";
import {
  recordServiceDeployment,
  serviceDeploymentOf,
  settleRollbacks,
  startRollback,
  stopServiceDeployment,
} from "./service-deployments.js";
import type { EcsDeployment, EcsService, EcsState, EcsTask } from "./state.js";
import { advanceDeployment, type StrategyStep } from "./strategy.js";
import { failingContainer, TaskFailure, taskStop } from "./task-failures.js";

const MAX_EVENTS = 100;
const STOPPED_TASK_RETENTION_MS = 60 * 60 * 1000;
const AVAILABILITY_ZONES = ["a", "b", "c"];

/** Runs simulated tasks and deployments: applies {@link planRollout} decisions on the injected clock. */
export class EcsScheduler {
  readonly #state: EcsState;
  readonly #cloudMap: CloudMapState;
  #launches = 0;

  /** A scheduler over ECS state that registers tasks into `cloudMap`. */
  constructor(state: EcsState, cloudMap: CloudMapState) {
    this.#state = state;
    this.#cloudMap = cloudMap;
  }

  /** Adds a service event (newest first, at most 100 kept). */
  addEvent(svc: EcsService, message: string): void {
    svc.events.unshift({ id: this.#state.ctx.ids.uuid(), createdAt: this.#state.ctx.clock.now(), message });
    svc.events.length = Math.min(svc.events.length, MAX_EVENTS);
  }

  /**
   * Starts a new PRIMARY deployment of `taskDefinitionArn`; the previous PRIMARY becomes ACTIVE. A new service
   * deployment records it, unless it is the rolling rollback of one (`rollbackOf`).
   */
  startDeployment(
    svc: EcsService,
    taskDefinitionArn: string,
    reason?: string,
    rollbackOf?: string,
  ): EcsDeployment {
    const now = this.#state.ctx.clock.now();
    for (const d of svc.deployments) {
      if (d.status === "PRIMARY") {
        d.status = "ACTIVE";
        d.updatedAt = now;
      }
    }
    const id = this.#state.ctx.ids.deploymentId();
    const deployment: EcsDeployment = {
      id,
      taskDefinitionArn,
      createdAt: now,
      updatedAt: now,
      networkConfiguration: svc.networkConfiguration,
      serviceRegistries: svc.serviceRegistries.map((r) => ({ ...r })),
      serviceConnectConfiguration: svc.serviceConnectConfiguration,
      vpcLatticeConfigurations: svc.vpcLatticeConfigurations,
      status: "PRIMARY",
      failedTasks: 0,
      rolloutState: "IN_PROGRESS",
      rolloutStateReason: reason ?? `ECS deployment ${id} in progress.`,
    };
    svc.deployments.unshift(deployment);
    svc.taskDefinitionArn = taskDefinitionArn;
    if (rollbackOf === undefined) recordServiceDeployment(this.#state, svc, deployment);
    return deployment;
  }

  /** Plans and applies until the service needs nothing more right now. */
  reconcile(svc: EcsService): void {
    for (let step = 0; step < 50; step += 1) {
      if (svc.status === "INACTIVE") return;
      settleRollbacks(this.#state, svc);
      const strategy = this.#advance(svc);
      if (strategy.fail !== undefined) {
        this.#failPrimary(svc, strategy.fail.rollback, strategy.fail.reason);
        continue;
      }
      const decision = planRollout({
        serviceStatus: svc.status,
        desiredCount: svc.desiredCount,
        minimumHealthyPercent: svc.minimumHealthyPercent,
        maximumPercent: svc.maximumPercent,
        circuitBreaker: svc.circuitBreaker,
        hasRollbackTarget: svc.lastCompletedTaskDefinitionArn !== undefined,
        deployments: svc.deployments.map((d) => ({
          id: d.id,
          primary: d.status === "PRIMARY",
          rolloutState: d.rolloutState,
          failedTasks: d.failedTasks,
        })),
        tasks: this.liveTasks(svc).map(planTask),
        hold: strategy.hold,
      });
      if (isIdle(decision)) return;
      if (decision.kind === "fail") {
        this.#failPrimary(svc, decision.rollback, "ECS deployment circuit breaker: tasks failed to start.");
        continue;
      }
      const primary = svc.deployments.find((d) => d.status === "PRIMARY");
      if (decision.launch > 0 && primary !== undefined) {
        const started = Array.from({ length: decision.launch }, () => this.#launch(svc, primary));
        this.addEvent(
          svc,
          `(service ${svc.name}) has started ${started.length} tasks: ${started.map((t) => `(task ${t.id})`).join(" ")}.`,
        );
      }
      const stopping = decision.stop.flatMap((id) => {
        const task = this.#state.tasks.get(id);
        return task === undefined ? [] : [task];
      });
      if (stopping.length > 0) {
        for (const task of stopping)
          this.stopTask(task, "Scaling activity initiated by (deployment)", "ServiceSchedulerInitiated");
        this.addEvent(
          svc,
          `(service ${svc.name}) has stopped ${stopping.length} running tasks: ${stopping.map((t) => `(task ${t.id})`).join(" ")}.`,
        );
      }
      svc.deployments = svc.deployments.filter((d) => !decision.retire.includes(d.id));
      if (decision.complete && primary !== undefined) this.#complete(svc, primary);
      if (decision.inactive) svc.status = "INACTIVE";
    }
  }

  /** Re-plans every ACTIVE service with a deployment under way (an alarm or a hook changed state). */
  wakeAll(): void {
    for (const svc of this.#state.services.values()) {
      if (svc.status === "ACTIVE" && svc.deployments.some((d) => d.rolloutState === "IN_PROGRESS")) {
        this.reconcile(svc);
      }
    }
  }

  /** The PRIMARY deployment's strategy step (alarms, stages, bake). */
  #advance(svc: EcsService): StrategyStep {
    const primary = svc.deployments.find((d) => d.status === "PRIMARY");
    if (svc.status !== "ACTIVE" || primary?.rolloutState !== "IN_PROGRESS") return { hold: false };
    const sd = serviceDeploymentOf(svc, primary.id);
    if (sd === undefined) return { hold: false };
    const live = this.liveTasks(svc);
    const ready =
      live.filter(
        (t) =>
          t.deploymentId === primary.id &&
          t.desiredStatus === "RUNNING" &&
          t.lastStatus === "RUNNING" &&
          t.targetHealthy,
      ).length === svc.desiredCount;
    const othersLeft = live.some((t) => t.deploymentId !== primary.id);
    return advanceDeployment(this.#state, sd, { ready, othersLeft }, () => this.reconcile(svc));
  }

  /** Tasks of a service that are not STOPPED. */
  liveTasks(svc: EcsService): EcsTask[] {
    return this.#state.tasksOf(svc.clusterName, svc.name).filter((t) => t.lastStatus !== "STOPPED");
  }

  /** Asks a task to stop: it deregisters from Cloud Map at once and is STOPPED after the stop time. */
  stopTask(task: EcsTask, reason: string, stopCode: string): void {
    if (task.desiredStatus === "STOPPED") return;
    const { ctx } = this.#state;
    task.desiredStatus = "STOPPED";
    task.lastStatus = "DEACTIVATING";
    const owner = this.#serviceOf(task);
    if (owner !== undefined) deregisterTarget(owner, task, (m) => this.addEvent(owner, m));
    task.stoppingAt = ctx.clock.now();
    task.stopCode = stopCode;
    task.stoppedReason = reason;
    task.version += 1;
    deregisterFromCloudMap(this.#cloudMap, task);
    this.#state.lifecycle.emit(this.#state, task, "stopping");
    ctx.after(ctx.timing.stopMs, () => this.#markStopped(task));
  }

  #launch(svc: EcsService, deployment: EcsDeployment): EcsTask {
    const { ctx } = this.#state;
    const td = this.#state.findTaskDefinition(deployment.taskDefinitionArn);
    const awsvpc = deployment.networkConfiguration?.awsvpcConfiguration;
    const subnets = strListField(isJsonObject(awsvpc) ? awsvpc : undefined, "subnets");
    this.#launches += 1;
    const failing = failingContainer(td?.containers ?? [], this.#state.failingImages);
    const id = ctx.ids.taskId();
    const task: EcsTask = {
      id,
      arn: this.#state.arn(`task/${svc.clusterName}/${id}`),
      clusterName: svc.clusterName,
      serviceName: svc.name,
      deploymentId: deployment.id,
      taskDefinitionArn: deployment.taskDefinitionArn,
      createdAt: ctx.clock.now(),
      ip: ctx.ids.privateIp(),
      subnet: subnets[this.#launches % Math.max(1, subnets.length)] ?? "subnet-00000000",
      eniId: `eni-${ctx.ids.hex(17)}`,
      attachmentId: ctx.ids.uuid(),
      macAddress: Array.from({ length: 6 }, () => ctx.ids.hex(2)).join(":"),
      availabilityZone: `${ctx.region}${AVAILABILITY_ZONES[this.#launches % AVAILABILITY_ZONES.length]}`,
      failure: failing?.failure,
      failedContainer: failing?.name,
      lastStatus: "PROVISIONING",
      desiredStatus: "RUNNING",
      startedAt: undefined,
      stoppingAt: undefined,
      stoppedAt: undefined,
      stopCode: undefined,
      stoppedReason: undefined,
      version: 1,
      registeredIn: [],
      targetHealthy: svc.loadBalancers.length === 0,
    };
    this.#state.addTask(task);
    ctx.after(ctx.timing.startMs / 4, () => {
      if (task.desiredStatus !== "RUNNING") return;
      task.lastStatus = "PENDING";
      task.version += 1;
    });
    ctx.after(ctx.timing.startMs, () => this.#finishStart(task));
    return task;
  }

  #finishStart(task: EcsTask): void {
    if (task.desiredStatus !== "RUNNING") return;
    const svc = this.#serviceOf(task);
    if (task.failure !== undefined && task.failure !== TaskFailure.unhealthy) {
      this.#countFailure(svc, task);
      task.desiredStatus = "STOPPED";
      Object.assign(task, taskStop(task.failure, this.#failedImage(task)));
      this.#markStopped(task);
      return;
    }
    task.lastStatus = "RUNNING";
    task.startedAt = this.#state.ctx.clock.now();
    task.version += 1;
    this.#state.lifecycle.emit(this.#state, task, "running");
    if (task.failure === TaskFailure.unhealthy) {
      // It runs, but never HEALTHY: not registered anywhere, and stopped once its health checks have failed.
      this.#state.ctx.after(this.#state.ctx.timing.startMs, () => this.#failHealthChecks(task));
      return;
    }
    if (svc !== undefined) {
      registerInCloudMap(this.#state, this.#cloudMap, svc, task, (m) => this.addEvent(svc, m));
    }
    if (svc !== undefined && !task.targetHealthy) {
      registerTarget(
        this.#state,
        svc,
        task,
        (m) => this.addEvent(svc, m),
        () => this.reconcile(svc),
      );
    }
    if (svc !== undefined) this.reconcile(svc);
  }

  #failHealthChecks(task: EcsTask): void {
    if (task.desiredStatus !== "RUNNING") return;
    const svc = this.#serviceOf(task);
    this.#countFailure(svc, task);
    if (svc !== undefined)
      this.addEvent(svc, `(service ${svc.name}) (task ${task.id}) failed container health checks.`);
    const { stopCode, stoppedReason } = taskStop(TaskFailure.unhealthy, this.#failedImage(task));
    this.stopTask(task, stoppedReason, stopCode);
    if (svc !== undefined) this.reconcile(svc);
  }

  /** A failed task counts toward its deployment's circuit breaker. */
  #countFailure(svc: EcsService | undefined, task: EcsTask): void {
    const deployment = svc?.deployments.find((d) => d.id === task.deploymentId);
    if (deployment !== undefined) deployment.failedTasks += 1;
  }

  #failedImage(task: EcsTask): string {
    const td = this.#state.findTaskDefinition(task.taskDefinitionArn);
    return td?.containers.find((c) => c.name === task.failedContainer)?.image ?? "";
  }

  #markStopped(task: EcsTask): void {
    if (task.lastStatus === "STOPPED") return;
    const { ctx } = this.#state;
    task.lastStatus = "STOPPED";
    task.stoppedAt = ctx.clock.now();
    task.version += 1;
    deregisterFromCloudMap(this.#cloudMap, task);
    this.#state.lifecycle.emit(this.#state, task, "stopped");
    ctx.after(STOPPED_TASK_RETENTION_MS, () => this.#state.removeTask(task));
    const svc = this.#serviceOf(task);
    if (svc !== undefined) this.reconcile(svc);
  }

  #serviceOf(task: EcsTask): EcsService | undefined {
    return this.#state.services.get(`${task.clusterName}/${task.serviceName}`);
  }

  #complete(svc: EcsService, primary: EcsDeployment): void {
    primary.rolloutState = "COMPLETED";
    primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
    primary.updatedAt = this.#state.ctx.clock.now();
    svc.lastCompletedTaskDefinitionArn = primary.taskDefinitionArn;
    svc.lastCompletedDeploymentId = primary.id;
    const sd = serviceDeploymentOf(svc, primary.id);
    if (sd !== undefined && (sd.status === "IN_PROGRESS" || sd.status === "PENDING")) {
      sd.trafficPercent = sd.strategy === "ROLLING" ? 0 : 100;
      stopServiceDeployment(sd, "SUCCESSFUL", "Service deployment completed.", primary.updatedAt);
    }
    this.addEvent(svc, `(service ${svc.name}) (deployment ${primary.id}) deployment completed.`);
    this.addEvent(svc, `(service ${svc.name}) has reached a steady state.`);
  }

  /**
   * Fails the PRIMARY deployment (`reason` says why). With rollback, a traffic-shifting deployment hands
   * production back to the previous revision, which is still running (it becomes PRIMARY again); a rolling
   * one starts a new deployment of the last completed task definition, as the circuit breaker does.
   */
  #failPrimary(svc: EcsService, rollback: boolean, reason: string): void {
    const primary = svc.deployments.find((d) => d.status === "PRIMARY");
    if (primary === undefined) return;
    const now = this.#state.ctx.clock.now();
    primary.rolloutState = "FAILED";
    primary.rolloutStateReason = reason;
    primary.updatedAt = now;
    this.addEvent(svc, `(service ${svc.name}) (deployment ${primary.id}) deployment failed: ${reason}`);
    const sd = serviceDeploymentOf(svc, primary.id);
    const target = svc.lastCompletedTaskDefinitionArn;
    if (!rollback || target === undefined) {
      if (sd !== undefined) stopServiceDeployment(sd, "STOPPED", reason, now);
      return;
    }
    const blue = svc.deployments.find((d) => d.id === svc.lastCompletedDeploymentId && d.id !== primary.id);
    let carrier: EcsDeployment;
    if (sd !== undefined && sd.strategy !== "ROLLING" && blue !== undefined) {
      primary.status = "ACTIVE";
      blue.status = "PRIMARY";
      blue.updatedAt = now;
      svc.taskDefinitionArn = blue.taskDefinitionArn;
      carrier = blue;
    } else {
      carrier = this.startDeployment(
        svc,
        target,
        // ECS's wording: "ECS deployment circuit breaker: rolling back to deploymentId …".
        reason.startsWith("ECS deployment circuit breaker")
          ? `ECS deployment circuit breaker: rolling back to deploymentId ${svc.lastCompletedDeploymentId ?? ""}.`
          : `${reason} Rolling back to deploymentId ${svc.lastCompletedDeploymentId ?? ""}.`,
        sd?.arn,
      );
    }
    this.addEvent(svc, `(service ${svc.name}) rolling back to deployment ${carrier.id}.`);
    if (sd !== undefined) startRollback(sd, reason, target, carrier.id, now);
  }
}

function planTask(task: EcsTask): PlanTask {
  // Behind a load balancer a task counts as running only once it is a healthy target.
  const phase =
    task.desiredStatus === "STOPPED"
      ? "stopping"
      : task.lastStatus === "RUNNING" && task.targetHealthy && task.failure === undefined
        ? "running"
        : "starting";
  return { id: task.id, deploymentId: task.deploymentId, phase };
}
