import { removeInstance, upsertInstance } from "../cloudmap/instances.js";
import type { CloudMapState } from "../cloudmap/state.js";
import { AwsApiError } from "../errors.js";
import { field, isJsonObject, numField, strListField } from "../input.js";
import { isIdle, type PlanTask, planRollout } from "./rollout.js";
import type { EcsDeployment, EcsService, EcsState, EcsTask } from "./state.js";

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

  /** Starts a new PRIMARY deployment of `taskDefinitionArn`; the previous PRIMARY becomes ACTIVE. */
  startDeployment(svc: EcsService, taskDefinitionArn: string, reason?: string): EcsDeployment {
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
    return deployment;
  }

  /** Plans and applies until the service needs nothing more right now. */
  reconcile(svc: EcsService): void {
    for (let step = 0; step < 50; step += 1) {
      if (svc.status === "INACTIVE") return;
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
      });
      if (isIdle(decision)) return;
      if (decision.kind === "fail") {
        this.#failPrimary(svc, decision.rollback);
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
    task.stoppingAt = ctx.clock.now();
    task.stopCode = stopCode;
    task.stoppedReason = reason;
    task.version += 1;
    this.#deregister(task);
    ctx.after(ctx.timing.stopMs, () => this.#markStopped(task));
  }

  #launch(svc: EcsService, deployment: EcsDeployment): EcsTask {
    const { ctx } = this.#state;
    const td = this.#state.findTaskDefinition(deployment.taskDefinitionArn);
    const awsvpc = deployment.networkConfiguration?.awsvpcConfiguration;
    const subnets = strListField(isJsonObject(awsvpc) ? awsvpc : undefined, "subnets");
    this.#launches += 1;
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
      failing: td?.containers.some((c) => c.essential && this.#state.isFailingImage(c.image)) ?? false,
      lastStatus: "PROVISIONING",
      desiredStatus: "RUNNING",
      startedAt: undefined,
      stoppingAt: undefined,
      stoppedAt: undefined,
      stopCode: undefined,
      stoppedReason: undefined,
      version: 1,
      registeredIn: [],
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
    if (task.failing) {
      const deployment = svc?.deployments.find((d) => d.id === task.deploymentId);
      if (deployment !== undefined) deployment.failedTasks += 1;
      task.desiredStatus = "STOPPED";
      task.stopCode = "EssentialContainerExited";
      task.stoppedReason = "Essential container in task exited";
      this.#markStopped(task);
      return;
    }
    task.lastStatus = "RUNNING";
    task.startedAt = this.#state.ctx.clock.now();
    task.version += 1;
    if (svc !== undefined) this.#register(svc, task);
    if (svc !== undefined) this.reconcile(svc);
  }

  #markStopped(task: EcsTask): void {
    if (task.lastStatus === "STOPPED") return;
    const { ctx } = this.#state;
    task.lastStatus = "STOPPED";
    task.stoppedAt = ctx.clock.now();
    task.version += 1;
    this.#deregister(task);
    ctx.after(STOPPED_TASK_RETENTION_MS, () => this.#state.removeTask(task));
    const svc = this.#serviceOf(task);
    if (svc !== undefined) this.reconcile(svc);
  }

  #serviceOf(task: EcsTask): EcsService | undefined {
    return this.#state.services.get(`${task.clusterName}/${task.serviceName}`);
  }

  /** Registers a RUNNING task in each Cloud Map service of its deployment, as ECS does with the task id. */
  #register(svc: EcsService, task: EcsTask): void {
    const deployment = svc.deployments.find((d) => d.id === task.deploymentId);
    const td = this.#state.findTaskDefinition(task.taskDefinitionArn);
    for (const registry of deployment?.serviceRegistries ?? []) {
      const arn = field(registry, "registryArn") ?? "";
      const target = [...this.#cloudMap.services.values()].find((s) => s.arn === arn);
      if (target === undefined) {
        this.addEvent(
          svc,
          `(service ${svc.name}) was unable to register task ${task.id} in ${arn}: service not found.`,
        );
        continue;
      }
      const port = numField(registry, "port") ?? numField(registry, "containerPort");
      const attributes: Record<string, string> = {
        AWS_INSTANCE_IPV4: task.ip,
        AVAILABILITY_ZONE: task.availabilityZone,
        AWS_INIT_HEALTH_STATUS: "HEALTHY",
        ECS_CLUSTER_NAME: svc.clusterName,
        ECS_SERVICE_NAME: svc.name,
        ECS_TASK_DEFINITION_FAMILY: td?.family ?? "",
        REGION: this.#state.ctx.region,
        ...(port === undefined ? {} : { AWS_INSTANCE_PORT: String(port) }),
      };
      try {
        upsertInstance(target, task.id, attributes, undefined);
        task.registeredIn.push(target.id);
      } catch (error) {
        if (!(error instanceof AwsApiError)) throw error;
        this.addEvent(svc, `(service ${svc.name}) was unable to register task ${task.id}: ${error.message}`);
      }
    }
  }

  #deregister(task: EcsTask): void {
    for (const serviceId of task.registeredIn) {
      const target = this.#cloudMap.services.get(serviceId);
      if (target !== undefined) removeInstance(target, task.id);
    }
    task.registeredIn = [];
  }

  #complete(svc: EcsService, primary: EcsDeployment): void {
    primary.rolloutState = "COMPLETED";
    primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
    primary.updatedAt = this.#state.ctx.clock.now();
    svc.lastCompletedTaskDefinitionArn = primary.taskDefinitionArn;
    svc.lastCompletedDeploymentId = primary.id;
    this.addEvent(svc, `(service ${svc.name}) (deployment ${primary.id}) deployment completed.`);
    this.addEvent(svc, `(service ${svc.name}) has reached a steady state.`);
  }

  #failPrimary(svc: EcsService, rollback: boolean): void {
    const primary = svc.deployments.find((d) => d.status === "PRIMARY");
    if (primary === undefined) return;
    primary.rolloutState = "FAILED";
    primary.rolloutStateReason = "ECS deployment circuit breaker: tasks failed to start.";
    primary.updatedAt = this.#state.ctx.clock.now();
    this.addEvent(
      svc,
      `(service ${svc.name}) (deployment ${primary.id}) deployment failed: tasks failed to start.`,
    );
    const target = svc.lastCompletedTaskDefinitionArn;
    if (!rollback || target === undefined) return;
    const next = this.startDeployment(
      svc,
      target,
      `ECS deployment circuit breaker: rolling back to deploymentId ${svc.lastCompletedDeploymentId ?? ""}.`,
    );
    this.addEvent(svc, `(service ${svc.name}) rolling back to deployment ${next.id}.`);
  }
}

function planTask(task: EcsTask): PlanTask {
  const phase =
    task.desiredStatus === "STOPPED" ? "stopping" : task.lastStatus === "RUNNING" ? "running" : "starting";
  return { id: task.id, deploymentId: task.deploymentId, phase };
}
