/**
 * Crashes: a real `fargatectl controller` process is SIGKILLed at seeded random moments while a seeded sequence
 * of creates, updates and deletes lands in the table, and a new process (a new identity, so it waits out the
 * dead one's lease) is started after each kill. The last one converges everything; the account is then audited.
 */
import { seededRandom } from "../../../../src/dev/aws-sim/rng.js";
import type { DynamoResourceStore } from "../../../../src/store/dynamo-store.js";
import { type ChildExit, ControllerProcesses, loggedAt } from "../support/controller-process.js";
import {
  type AwsInventory,
  auditInventory,
  type InventoryAudit,
  readInventory,
} from "../support/inventory.js";
import {
  namespaceDocument,
  pause,
  REL_NAMESPACE,
  type ServiceWant,
  startStack,
  waitConverged,
} from "../support/stack.js";
import type { Teardown } from "../support/teardown.js";
import { applyOperation, finalWants, type Operation, planOperations, tally } from "../support/workload.js";

/** How much to do. */
export interface CrashLoad {
  operations: number;
  kills: number;
  seed: number;
  /** How long the last process may take to converge after the last operation and kill. */
  convergeTimeoutMs: number;
  /**
   * Deletes are raw DeleteItems (Terraform destroy): the cleanup comes from the tombstones and, for what a killed
   * process saw go, from the orphan sweep (every second here); the audit then waits for the account to be clean.
   */
  rawDeletes?: boolean;
}

/** How the scenario writes the table; the CLI's way (apply, delete) when omitted. */
export interface CrashWrites {
  /** Applies one operation. */
  apply?: (store: DynamoResourceStore, op: Operation) => Promise<void>;
  /** Runs after the last operation and kill, before the final convergence and audit. */
  afterOperations?: (store: DynamoResourceStore, wanted: ReadonlyMap<string, ServiceWant>) => Promise<void>;
}

/** What the scenario measured. */
export interface CrashResult {
  operations: Record<"create" | "update" | "delete", number>;
  kills: number;
  /** Per kill: how long the victim had led before it was killed (ms). */
  ledForMs: number[];
  /** Per kill: from the kill to the next process's "became leader" (ms; includes its start-up). */
  takeoverMs: number[];
  /** Per kill: AWS changes the victim had logged (task definitions, ECS services, cleanups): it was busy. */
  victimWrites: number[];
  /** From the last operation and the last takeover to everything converged (ms). */
  convergeMs: number;
  /** How every killed process ended (all must be SIGKILL: none may exit by itself). */
  killedExits: ChildExit[];
  /** How the last process ended on SIGTERM. */
  lastExit: ChildExit;
  audit: InventoryAudit;
  /** What the account held at the end. */
  inventory: AwsInventory;
}

const KEEP_REVISIONS = 3;

/** Info lines the FargateService reconciler logs when it changed something in AWS. */
const AWS_CHANGE_LINES = new Set([
  "registered task definition",
  "ECS service created",
  "ECS service updated",
  "deregistered old task-definition revisions",
  "cleanup complete: finalizer removed",
]);

/** Runs the scenario; everything it starts is registered on `teardown`. */
export async function runCrashScenario(
  load: CrashLoad,
  dynamodbEndpoint: string,
  teardown: Teardown,
  writes: CrashWrites = {},
): Promise<CrashResult> {
  const apply =
    writes.apply ??
    ((s: DynamoResourceStore, op: Operation) =>
      applyOperation(s, op, { rawDeletes: load.rawDeletes === true }));
  // Any raw write may delete an item behind the controller's back.
  const raw = load.rawDeletes === true || writes.apply !== undefined;
  const stack = await startStack(dynamodbEndpoint, { seed: load.seed });
  teardown.add(() => stack.close());
  const processes = new ControllerProcesses();
  teardown.add(() => processes.killAll());
  const { store, sim } = stack;
  const ops = planOperations(load.operations, load.seed);
  const killRandom = seededRandom(load.seed + 1);
  const opRandom = seededRandom(load.seed + 2);
  const start = (n: number) =>
    processes.start({
      identity: `crash-${n}`,
      table: store.tableName,
      dynamodbEndpoint,
      awsEndpoint: sim.endpoint,
      leaseName: "crashes",
      flags: {
        "keep-revisions": String(KEEP_REVISIONS),
        ...(raw ? { "orphan-sweep-interval": "1s" } : {}),
      },
    });

  await store.apply(namespaceDocument());
  let current = start(0);
  const ledForMs: number[] = [];
  const takeoverMs: number[] = [];
  const killedExits: ChildExit[] = [];
  const victimWrites: number[] = [];

  // When one loop fails the other stops at its next step, so nothing runs on after the test.
  let failed = false;
  const killer = async (): Promise<void> => {
    for (let k = 0; k < load.kills && !failed; k += 1) {
      const led = await current.waitFor("became leader", 30_000);
      // A random moment of its leadership: 0.2–2.5 s after it took over, while passes are in flight.
      await pause(200 + killRandom() * 2300);
      const killedAt = Date.now();
      ledForMs.push(killedAt - loggedAt(led));
      killedExits.push(await current.stop("SIGKILL"));
      victimWrites.push(current.lines.filter((l) => AWS_CHANGE_LINES.has(l.msg)).length);
      current = start(k + 1);
      const next = await current.waitFor("became leader", 30_000);
      takeoverMs.push(loggedAt(next) - killedAt);
    }
  };
  const writer = async (): Promise<void> => {
    for (const op of ops) {
      if (failed) return;
      await apply(store, op);
      await pause(200 + opRandom() * 1200);
    }
  };
  const outcomes = await Promise.allSettled(
    [killer(), writer()].map((loop) =>
      loop.catch((error: unknown) => {
        failed = true;
        throw error;
      }),
    ),
  );
  for (const outcome of outcomes) if (outcome.status === "rejected") throw outcome.reason;

  const wanted = finalWants(ops);
  await writes.afterOperations?.(store, wanted);
  const convergeMs = await waitConverged(store, wanted, load.convergeTimeoutMs);
  const live = await store.list("FargateService", { namespace: REL_NAMESPACE });
  let inventory = await readInventory(sim.endpoint);
  let audit = auditInventory(inventory, live, wanted, KEEP_REVISIONS);
  // Raw deletes are cleaned up after the records are gone: give the tombstones and the sweep their time.
  for (const deadline = Date.now() + load.convergeTimeoutMs; raw && Date.now() < deadline; ) {
    if (audit.orphans.length === 0 && audit.duplicates.length === 0) break;
    await pause(500);
    inventory = await readInventory(sim.endpoint);
    audit = auditInventory(inventory, live, wanted, KEEP_REVISIONS);
  }
  const lastExit = await current.stop("SIGTERM");
  return {
    operations: tally(ops),
    kills: load.kills,
    ledForMs,
    takeoverMs,
    victimWrites,
    convergeMs,
    killedExits,
    lastExit,
    audit,
    inventory,
  };
}
