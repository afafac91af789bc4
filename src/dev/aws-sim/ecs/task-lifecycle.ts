/**
 * Task lifecycle feed of the simulated ECS: what a container runtime on a Fargate host would be told. A simulated
 * task runs nothing; the dev stack's task runner subscribes here to run a real process for the containers it
 * can run (DESIGN.md §11 "Dev stack"). Listeners are called synchronously and may not throw into the scheduler.
 */
import type { JsonObject } from "../input.js";
import type { EcsState, EcsTask } from "./state.js";

/** Where a task is, as a container runtime sees it: started, asked to stop (SIGTERM time), gone. */
export type TaskPhase = "running" | "stopping" | "stopped";

/** One change of a task, with its task definition as DescribeTaskDefinition returns it. */
export interface TaskLifecycleEvent {
  readonly phase: TaskPhase;
  readonly taskArn: string;
  readonly taskId: string;
  readonly cluster: string;
  readonly service: string;
  readonly taskDefinitionArn: string;
  /** The registered task definition (containerDefinitions with environment, secrets, command, image...). */
  readonly taskDefinition: JsonObject;
}

/** Receives task lifecycle events. */
export type TaskLifecycleListener = (event: TaskLifecycleEvent) => void;

/** The subscribers of one simulated ECS. */
export class TaskLifecycle {
  readonly #listeners = new Set<TaskLifecycleListener>();

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: TaskLifecycleListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Tells every listener that `task` reached `phase` (a listener's error never reaches the scheduler). */
  emit(state: EcsState, task: EcsTask, phase: TaskPhase): void {
    if (this.#listeners.size === 0) return;
    const event: TaskLifecycleEvent = {
      phase,
      taskArn: task.arn,
      taskId: task.id,
      cluster: task.clusterName,
      service: task.serviceName,
      taskDefinitionArn: task.taskDefinitionArn,
      taskDefinition: state.findTaskDefinition(task.taskDefinitionArn)?.body ?? {},
    };
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure is its own; the simulated ECS carries on as ECS would.
      }
    }
  }
}
