/**
 * The dev stack's task runner on the AWS simulator (ManualClock): a simulated sync task gets a real process while
 * it is RUNNING, with the container's environment, its secret resolved from the simulated Secrets Manager and the
 * local endpoints, and loses it when ECS stops the task (scale-in, a new deployment, the service deleted) or the
 * runner stops. A process that exits stops its task as ECS does; a secret that cannot be read fails the task.
 * The "fargatectl" here is a small script that prints what it was given and waits for SIGTERM.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSecretReader } from "../../../src/aws/secrets.js";
import { startTaskRunner, type TaskProcess, type TaskRunner } from "../../../src/dev/task-runner.js";
import { network, type SimHarness, startHarness } from "../aws-sim/support.js";

const FAKE_FARGATECTL = `
process.stdout.write(JSON.stringify({ argv: process.argv.slice(2), env: process.env }) + "\\n");
if (process.env.CRASH === "1") process.exit(3);
process.on("SIGTERM", () => { process.stdout.write("SIGTERM received\\n"); process.exit(0); });
setInterval(() => {}, 1000);
`;

const IMAGE = "ghcr.io/fargate-operator/fargate-operator:0.1.0";
const TOKEN_VALUE = "tok-9f8e7d6c-never-printed";

let h: SimHarness;
let dir: string;
let runner: TaskRunner | undefined;
let notices: string[];
let tokenArn: string;
let destroyReader: () => void;

beforeEach(async () => {
  h = await startHarness({ rolloutSeconds: 2, stopSeconds: 1 });
  dir = await mkdtemp(join(tmpdir(), "fo-task-runner-"));
  await writeFile(join(dir, "fargatectl.mjs"), FAKE_FARGATECTL);
  tokenArn = h.sim.secrets.putSecret({ name: "consul/sync-token", value: TOKEN_VALUE }).arn;
  const reader = createSecretReader({
    region: "us-east-1",
    endpoint: h.sim.endpoint,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  destroyReader = () => reader.destroy();
  notices = [];
  runner = startTaskRunner({
    tasks: h.sim.tasks,
    readSecret: (arn) => reader.readSecretString(arn),
    environment: { AWS_ENDPOINT_URL_SERVICEDISCOVERY: h.sim.endpoint, AWS_ACCESS_KEY_ID: "test" },
    consulAddress: "http://127.0.0.1:8500",
    logDir: dir,
    fargatectl: { command: process.execPath, args: [join(dir, "fargatectl.mjs")] },
    notice: (line) => notices.push(line),
  });
});

afterEach(async () => {
  await runner?.stop();
  destroyReader();
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function firstLine(path: string): { argv: string[]; env: Record<string, string> } {
  return JSON.parse(readFileSync(path, "utf8").split("\n")[0] ?? "{}");
}

async function register(env: Record<string, string> = {}, secretArn = tokenArn): Promise<string> {
  const out = await h.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "platform-data-internal-sync",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      containerDefinitions: [
        {
          name: "catalog-sync",
          image: IMAGE,
          command: ["catalog-sync"],
          environment: [
            { name: "FARGATE_OPERATOR_SYNC_CONFIG", value: '{"owner":{"name":"data-internal"}}' },
            ...Object.entries(env).map(([name, value]) => ({ name, value })),
          ],
          secrets: [{ name: "CONSUL_HTTP_TOKEN", valueFrom: secretArn }],
          stopTimeout: 5,
          essential: true,
        },
      ],
    }),
  );
  return out.taskDefinition?.taskDefinitionArn ?? "";
}

async function createService(taskDefinition: string): Promise<void> {
  await h.ecs.send(
    new CreateServiceCommand({
      cluster: "data",
      serviceName: "platform-data-internal-sync",
      taskDefinition,
      desiredCount: 1,
      launchType: "FARGATE",
      networkConfiguration: network,
      deploymentConfiguration: { minimumHealthyPercent: 0, maximumPercent: 100 },
    }),
  );
}

async function oneProcess(): Promise<TaskProcess> {
  return await until("one process", () => {
    const list = runner?.processes() ?? [];
    return list.length === 1 && readFileSync(list[0]?.logPath ?? "", "utf8").includes("\n")
      ? list[0]
      : undefined;
  });
}

async function stoppedTask(): Promise<{ stopCode?: string | undefined; stoppedReason?: string | undefined }> {
  const list = await h.ecs.send(new ListTasksCommand({ cluster: "data", desiredStatus: "STOPPED" }));
  const arns = list.taskArns ?? [];
  if (arns.length === 0) return {};
  const out = await h.ecs.send(new DescribeTasksCommand({ cluster: "data", tasks: arns }));
  return out.tasks?.[0] ?? {};
}

describe("the dev stack's task runner", () => {
  it("runs fargatectl catalog-sync for a RUNNING sync task and stops it with the task", async () => {
    await createService(await register());
    expect(runner?.processes()).toEqual([]); // PROVISIONING: nothing runs yet
    h.clock.advanceSync(2_000);
    const first = await oneProcess();
    const given = firstLine(first.logPath);
    expect(given.argv).toEqual(["catalog-sync", "--consul-address", "http://127.0.0.1:8500"]);
    // The container's environment, its secret as ECS injects it, the local endpoints; nothing of this shell.
    expect(given.env).toMatchObject({
      FARGATE_OPERATOR_SYNC_CONFIG: '{"owner":{"name":"data-internal"}}',
      CONSUL_HTTP_TOKEN: TOKEN_VALUE,
      AWS_ENDPOINT_URL_SERVICEDISCOVERY: h.sim.endpoint,
    });
    expect(given.env.PATH).toBeUndefined();
    expect(notices.join("\n")).toContain(first.logPath);
    expect(notices.join("\n")).not.toContain(TOKEN_VALUE);

    // Scale-in: SIGTERM, the process exits, nothing is left.
    await h.ecs.send(
      new UpdateServiceCommand({ cluster: "data", service: "platform-data-internal-sync", desiredCount: 0 }),
    );
    await until("the process to exit", () => (runner?.processes().length === 0 ? true : undefined));
    expect(alive(first.pid)).toBe(false);
    expect(readFileSync(first.logPath, "utf8")).toContain("SIGTERM received");

    // Scaled out again, then a new deployment: the old process goes before the new one starts.
    await h.ecs.send(
      new UpdateServiceCommand({ cluster: "data", service: "platform-data-internal-sync", desiredCount: 1 }),
    );
    h.clock.advanceSync(2_000);
    const second = await oneProcess();
    expect(second.pid).not.toBe(first.pid);
    const v2 = await register({ LOG_LEVEL: "debug" });
    await h.ecs.send(
      new UpdateServiceCommand({
        cluster: "data",
        service: "platform-data-internal-sync",
        taskDefinition: v2,
      }),
    );
    await until("the old process to exit", () => (runner?.processes().length === 0 ? true : undefined));
    expect(alive(second.pid)).toBe(false);
    h.clock.advanceSync(1_000); // STOPPED; the new task launches
    h.clock.advanceSync(2_000);
    const third = await oneProcess();
    expect(firstLine(third.logPath).env.LOG_LEVEL).toBe("debug");

    // The service deleted: its task stops, and so does the process.
    await h.ecs.send(
      new DeleteServiceCommand({ cluster: "data", service: "platform-data-internal-sync", force: true }),
    );
    await until("the last process to exit", () => (runner?.processes().length === 0 ? true : undefined));
    expect(alive(third.pid)).toBe(false);
  });

  it("stops the task as ECS does when the process exits by itself, and ECS starts another", async () => {
    await createService(await register({ CRASH: "1" }));
    h.clock.advanceSync(2_000);
    await until("the crash to stop the task", async () =>
      (await stoppedTask()).stopCode === undefined ? undefined : true,
    );
    expect(await stoppedTask()).toMatchObject({
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
    });
    h.clock.advanceSync(1_000);
    h.clock.advanceSync(2_000);
    await until("a replacement process", () =>
      notices.filter((n) => n.includes("started")).length >= 2 ? true : undefined,
    );
  });

  it("fails the task with ECS's ResourceInitializationError when its secret cannot be read", async () => {
    const missing = "arn:aws:secretsmanager:us-east-1:123456789012:secret:consul/missing-AbCdEf";
    await createService(await register({}, missing));
    h.clock.advanceSync(2_000);
    const stopped = await until("the task to fail", async () => {
      const task = await stoppedTask();
      return task.stopCode === undefined ? undefined : task;
    });
    expect(stopped.stopCode).toBe("TaskFailedToStart");
    expect(stopped.stoppedReason).toContain(
      `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: failed to fetch secret ${missing} from secrets manager: ResourceNotFoundException`,
    );
    expect(runner?.processes()).toEqual([]);
  });

  it("fails the task as ECS does when the process cannot start at all", async () => {
    await runner?.stop();
    runner = startTaskRunner({
      tasks: h.sim.tasks,
      readSecret: async () => "token",
      environment: {},
      consulAddress: "http://127.0.0.1:8500",
      logDir: dir,
      fargatectl: { command: join(dir, "no-such-fargatectl"), args: [] },
      notice: (line) => notices.push(line),
    });
    await createService(await register());
    h.clock.advanceSync(2_000);
    const stopped = await until("the task to fail", async () => {
      const task = await stoppedTask();
      return task.stopCode === undefined ? undefined : task;
    });
    expect(stopped).toMatchObject({ stopCode: "TaskFailedToStart" });
    expect(stopped.stoppedReason).toMatch(/^CannotStartContainerError: .*ENOENT/);
    expect(runner.processes()).toEqual([]);
  });

  it("stops every process when the runner stops", async () => {
    await createService(await register());
    h.clock.advanceSync(2_000);
    const running = await oneProcess();
    await runner?.stop();
    expect(alive(running.pid)).toBe(false);
    expect(readFileSync(running.logPath, "utf8")).toContain("SIGTERM received");
    expect(runner?.processes()).toEqual([]);
  });
});
