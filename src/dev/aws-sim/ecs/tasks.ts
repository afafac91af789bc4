import { AwsApiError } from "../errors.js";
import type { Input, JsonObject } from "../input.js";
import type { HandlerTable } from "../operation.js";
import { paginate } from "../pagination.js";
import { taskShape } from "./shapes.js";
import type { EcsState } from "./state.js";

/** ListTasks and DescribeTasks. */
export function taskHandlers(state: EcsState): HandlerTable {
  return {
    ListTasks(input: Input) {
      const cluster = state.cluster(input.optStr("cluster"));
      const serviceName = input.optStr("serviceName");
      if (serviceName !== undefined && state.findService(cluster.name, serviceName) === undefined) {
        throw new AwsApiError("ServiceNotFoundException", "Service not found.");
      }
      const desiredStatus = input.optStr("desiredStatus") ?? "RUNNING";
      const family = input.optStr("family");
      const startedBy = input.optStr("startedBy");
      const list = [...state.tasks.values()].filter(
        (t) =>
          t.clusterName === cluster.name &&
          (serviceName === undefined || t.serviceName === state.serviceName(serviceName)) &&
          t.desiredStatus === desiredStatus &&
          (family === undefined || state.findTaskDefinition(t.taskDefinitionArn)?.family === family) &&
          (startedBy === undefined || t.deploymentId === startedBy),
      );
      const page = paginate(
        list.map((t) => t.arn),
        { nextToken: input.optStr("nextToken"), maxResults: input.optNum("maxResults") },
        { defaultSize: 100, maxSize: 100 },
        (m) => input.invalid(m),
      );
      return { taskArns: page.items, nextToken: page.nextToken };
    },

    DescribeTasks(input: Input) {
      const cluster = state.cluster(input.optStr("cluster"));
      const refs = input.optStrList("tasks") ?? [];
      if (refs.length === 0) throw input.invalid("Tasks cannot be empty.");
      if (refs.length > 100) throw input.invalid("tasks can have at most 100 items.");
      const withTags = (input.optStrList("include") ?? []).includes("TAGS");
      const tasks: JsonObject[] = [];
      const failures: JsonObject[] = [];
      for (const ref of refs) {
        const id = ref.split("/").pop() ?? ref;
        const task = state.tasks.get(id);
        if (task === undefined || task.clusterName !== cluster.name) {
          failures.push({
            arn: ref.startsWith("arn:") ? ref : state.arn(`task/${cluster.name}/${id}`),
            reason: "MISSING",
          });
        } else {
          tasks.push(taskShape(state, task, withTags));
        }
      }
      return { tasks, failures };
    },
  };
}
