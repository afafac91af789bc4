/** The gateway's read of one deployment's stopped tasks: one ListTasks page, one DescribeTasks, never more. */
import { DescribeTasksCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import { ecsError, type MockedGateways, mockedGateways } from "./support.js";

const TASK = "arn:aws:ecs:us-east-1:123456789012:task/apps";

describe("EcsGateway.listStoppedTasks", () => {
  let m: MockedGateways;
  afterEach(() => m.close());

  it("lists the deployment's STOPPED tasks by startedBy and describes them in one call", async () => {
    m = mockedGateways();
    m.ecs.on(ListTasksCommand).resolves({ taskArns: [`${TASK}/a`, `${TASK}/b`], nextToken: "more" });
    m.ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        { taskArn: `${TASK}/a`, startedBy: "ecs-svc/1", stoppedReason: "Essential container in task exited" },
        { taskArn: `${TASK}/b`, startedBy: "ecs-svc/0" },
      ],
    });
    const tasks = await m.aws.ecs.listStoppedTasks?.("apps", "web", "ecs-svc/1");
    expect(tasks?.map((t) => t.taskArn)).toEqual([`${TASK}/a`]);
    expect(m.ecs.commandCalls(ListTasksCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: "apps", desiredStatus: "STOPPED", maxResults: 100, startedBy: "ecs-svc/1" },
    ]);
    expect(m.ecs.commandCalls(DescribeTasksCommand)[0]?.args[0].input).toEqual({
      cluster: "apps",
      tasks: [`${TASK}/a`, `${TASK}/b`],
    });
  });

  it("asks by serviceName when ECS refuses startedBy beside desiredStatus, and skips DescribeTasks for none", async () => {
    m = mockedGateways();
    m.ecs
      .on(ListTasksCommand)
      .rejectsOnce(ecsError("InvalidParameterException", "startedBy must be the only filter"))
      .resolves({ taskArns: [] });
    expect(await m.aws.ecs.listStoppedTasks?.("apps", "web", "ecs-svc/1")).toEqual([]);
    expect(m.ecs.commandCalls(ListTasksCommand)[1]?.args[0].input).toEqual({
      cluster: "apps",
      desiredStatus: "STOPPED",
      maxResults: 100,
      serviceName: "web",
    });
    expect(m.ecs.commandCalls(DescribeTasksCommand)).toHaveLength(0);
  });
});
