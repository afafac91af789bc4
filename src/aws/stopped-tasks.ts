/**
 * One deployment's stopped tasks (ListTasks then DescribeTasks), read only when a rollout fails or its tasks keep
 * stopping, so the controller can quote ECS's own stoppedReason, stopCode and the containers' exit codes.
 * Bounded: one page of at most 100 ARNs and one DescribeTasks call (its limit is 100 tasks).
 */
import {
  DescribeTasksCommand,
  type ECSClient,
  ListTasksCommand,
  type ListTasksCommandInput,
  type Task,
} from "@aws-sdk/client-ecs";
import type { SendOptions } from "./call.js";
import { AwsInvalidRequestError } from "./errors.js";

/** The most tasks one read describes (DescribeTasks takes at most 100). */
export const STOPPED_TASKS_PAGE = 100;

type Call = <T>(operation: string, send: (o: SendOptions) => Promise<T>, signal?: AbortSignal) => Promise<T>;

/**
 * Stopped tasks (desiredStatus STOPPED, still stopping included) that deployment `deploymentId` of `service`
 * started. ECS lists a service's tasks with `startedBy` = the deployment id; its documentation asks for
 * `startedBy` alone among the filters, so an endpoint that refuses it with `desiredStatus` is asked by
 * `serviceName` instead, and the deployment's tasks picked from the answer.
 */
export async function listStoppedTasks(
  client: ECSClient,
  call: Call,
  cluster: string,
  service: string,
  deploymentId: string,
  signal?: AbortSignal,
): Promise<Task[]> {
  const list = (filter: Partial<ListTasksCommandInput>) =>
    call(
      "ListTasks",
      (o) =>
        client.send(
          new ListTasksCommand({
            cluster,
            desiredStatus: "STOPPED",
            maxResults: STOPPED_TASKS_PAGE,
            ...filter,
          }),
          o,
        ),
      signal,
    );
  let listed: Awaited<ReturnType<typeof list>>;
  try {
    listed = await list({ startedBy: deploymentId });
  } catch (error) {
    if (!(error instanceof AwsInvalidRequestError)) throw error;
    listed = await list({ serviceName: service });
  }
  const arns = (listed.taskArns ?? []).slice(0, STOPPED_TASKS_PAGE);
  if (arns.length === 0) return [];
  const described = await call(
    "DescribeTasks",
    (o) => client.send(new DescribeTasksCommand({ cluster, tasks: arns }), o),
    signal,
  );
  // Tasks ECS has forgotten since the listing come back as MISSING failures: nothing to say about them.
  return (described.tasks ?? []).filter((t) => t.startedBy === deploymentId);
}
