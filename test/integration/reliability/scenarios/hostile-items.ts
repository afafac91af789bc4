/**
 * Hostile raw items: fast-check writes random items straight into the table (PutItem, bypassing the store and
 * its checks) while a real `fargatectl controller` process runs. Each invalid record must get Ready=False with
 * reason InvalidSpec naming every broken field; nothing may reach AWS; the process must keep running and leading.
 */
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import fc from "fast-check";
import type { Condition } from "../../../../src/crds/meta.js";
import { findCondition } from "../../../../src/reconcilers/conditions.js";
import { NotFoundError } from "../../../../src/store/errors.js";
import type { StoredResource } from "../../../../src/store/types.js";
import { ControllerProcesses, leaderGauge } from "../support/controller-process.js";
import { type Expectation, expectationOf, itemOf, rawItemPlans } from "../support/raw-items.js";
import { pause, startStack } from "../support/stack.js";
import type { Teardown } from "../support/teardown.js";

/** How much to do. */
export interface HostileItemsLoad {
  numRuns: number;
  seed: number;
}

/** What the scenario saw. */
export interface HostileItemsResult {
  /** Items by expectation (`invalid`, `ignored: <why>`, `rejected by DynamoDB`, `valid (not written)`). */
  outcomes: Record<string, number>;
  /** Milliseconds from PutItem to the InvalidSpec status, per invalid record. */
  reportMs: number[];
  /** AWS requests the simulator received in the whole run (must be 0). */
  awsCalls: number;
  /** The controller process after the run. */
  process: { running: boolean; healthz: number | undefined; leader: number | undefined; errors: string[] };
}

/** Waits for the record's Ready condition to say InvalidSpec for its generation; returns it, or throws. */
async function invalidSpecCondition(
  read: () => Promise<StoredResource | undefined>,
  timeoutMs: number,
): Promise<Condition> {
  const deadline = Date.now() + timeoutMs;
  let last: StoredResource | undefined;
  while (Date.now() < deadline) {
    last = await read();
    const ready = findCondition(last?.status?.conditions as Condition[] | undefined, "Ready");
    if (ready?.reason === "InvalidSpec" && ready.observedGeneration === last?.metadata.generation)
      return ready;
    await pause(50);
  }
  throw new Error(`no InvalidSpec status within ${timeoutMs} ms: ${JSON.stringify(last?.status ?? null)}`);
}

/** Runs the property; everything it starts is registered on `teardown`. */
export async function runHostileItems(
  load: HostileItemsLoad,
  dynamodbEndpoint: string,
  teardown: Teardown,
): Promise<HostileItemsResult> {
  const stack = await startStack(dynamodbEndpoint);
  teardown.add(() => stack.close());
  const processes = new ControllerProcesses();
  teardown.add(() => processes.killAll());
  const { store, sim } = stack;
  const documents = DynamoDBDocumentClient.from(store.clients.dynamodb);
  const controller = processes.start({
    identity: "hostile",
    table: store.tableName,
    dynamodbEndpoint,
    awsEndpoint: sim.endpoint,
    leaseName: "hostile",
    // The orphan sweep lists the account on its own schedule, for no item: off, so every call counted is one an
    // item caused.
    flags: { "orphan-sweep-interval": "0" },
  });
  await controller.waitFor("became leader");
  await controller.waitFor("caches synced");
  const port = await controller.httpPort();

  const outcomes: Record<string, number> = {};
  const reportMs: number[] = [];
  const count = (what: string) => {
    outcomes[what] = (outcomes[what] ?? 0) + 1;
  };
  let serial = 0;
  await fc.assert(
    fc.asyncProperty(rawItemPlans(), async (plan) => {
      serial += 1;
      const item = itemOf(plan, `h${serial}`);
      const expected: Expectation = expectationOf(item);
      if (expected.type === "valid") {
        count("valid (not written)");
        fc.pre(false);
        return;
      }
      const putAt = Date.now();
      try {
        await documents.send(new PutCommand({ TableName: store.tableName, Item: item }));
      } catch {
        // DynamoDB (or the marshaller) refused it: an empty key, a number out of range. Nothing to watch.
        count("rejected by DynamoDB");
        return;
      }
      if (expected.type === "ignored") {
        count(`ignored: ${expected.why}`);
        await pause(100);
      } else {
        count("invalid");
        const read = async () => {
          try {
            return await store.get(expected.kind, expected.namespace, expected.name);
          } catch (error) {
            if (error instanceof NotFoundError) return undefined;
            throw error;
          }
        };
        const ready = await invalidSpecCondition(read, 10_000);
        reportMs.push(Date.now() - putAt);
        if (ready.status !== "False") throw new Error(`Ready is ${ready.status} for an invalid record`);
        for (const path of expected.paths)
          if (!ready.message.includes(path)) throw new Error(`"${ready.message}" does not name ${path}`);
      }
      const calls = Object.values(sim.control.counters()).reduce((n, c) => n + c.calls, 0);
      if (calls > 0) throw new Error(`AWS was called: ${JSON.stringify(sim.control.counters())}`);
      if (!controller.running) throw new Error(`the controller exited:\n${controller.tail()}`);
    }),
    { numRuns: load.numRuns, seed: load.seed, endOnFailure: true },
  );

  // Invalid items are never retried; give anything left running in the background a moment to misbehave.
  await pause(1_000);
  let healthz: number | undefined;
  try {
    healthz = (await fetch(`http://127.0.0.1:${port}/healthz`)).status;
  } catch {
    healthz = undefined;
  }
  return {
    outcomes,
    reportMs,
    awsCalls: Object.values(sim.control.counters()).reduce((n, c) => n + c.calls, 0),
    process: {
      running: controller.running,
      healthz,
      leader: await leaderGauge(port),
      errors: controller.lines
        .filter((l) => l.msg === "unexpected failure in the worker" || l.msg.startsWith("unhandled"))
        .map((l) => JSON.stringify(l)),
    },
  };
}
