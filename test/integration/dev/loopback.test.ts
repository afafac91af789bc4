/** Every listener of the local stack is on 127.0.0.1 only (DynamoDB Local's jar alone would bind every interface). */
import { afterAll, describe, expect, it } from "vitest";
import { startDynamoDbLocal } from "../../../src/dev/dynamodb-local.js";
import type { RunningServer } from "../../../src/dev/launch-process.js";
import { type DevStack, startDevStack } from "../../../src/dev/stack.js";
import { isLoopback, listenersOf, processTree } from "../../support/listeners.js";

const portOf = (url: string): number => Number(new URL(url.includes("://") ? url : `http://${url}`).port);

describe("the local stack's listeners", () => {
  const running: Array<DevStack | RunningServer> = [];
  afterAll(async () => {
    await Promise.allSettled(running.map((r) => r.stop()));
  });

  it("DynamoDB Local listens on 127.0.0.1 and nowhere else", async () => {
    const before = new Set(processTree(process.pid));
    const server = await startDynamoDbLocal();
    running.push(server);
    const java = processTree(process.pid).filter((pid) => !before.has(pid));
    expect(java.length).toBeGreaterThan(0);
    const listeners = listenersOf(java);
    expect(listeners.map((l) => `${l.address}:${l.port}`)).toEqual([`127.0.0.1:${portOf(server.endpoint)}`]);
    // And it serves DynamoDB there.
    const answer = await fetch(server.endpoint, {
      method: "POST",
      headers: {
        "x-amz-target": "DynamoDB_20120810.ListTables",
        "content-type": "application/x-amz-json-1.0",
      },
      body: "{}",
    });
    expect(answer.status).toBeLessThan(500);
  });

  it("every part of `fargatectl dev`'s stack is on loopback", async () => {
    const before = new Set(processTree(process.pid));
    const stack = await startDevStack({ region: "eu-west-1", table: "loopback-check" });
    running.push(stack);
    const ports = [
      portOf(stack.dynamodbEndpoint),
      portOf(stack.aws.endpoint),
      portOf(stack.environment.CONSUL_HTTP_ADDR ?? ""),
    ];
    const children = processTree(process.pid).filter((pid) => !before.has(pid));
    const listeners = listenersOf([process.pid, ...children]).filter(
      (l) => ports.includes(l.port) || children.includes(l.pid),
    );
    for (const port of ports)
      expect(
        listeners.some((l) => l.port === port),
        `port ${port}`,
      ).toBe(true);
    expect(listeners.filter((l) => !isLoopback(l.address))).toEqual([]);
  });
});
