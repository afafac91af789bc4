/**
 * Faults: the controller (`runControllerCommand`, in process, real reconcilers and AWS adapters) works through
 * creates, updates and deletes of FargateServices while the simulator injects throttling, 5xx and dropped
 * connections and a proxy loses responses after the simulator acted on them. Everything must converge with the
 * faults still on; the account is then audited for duplicates, orphans and surplus revisions.
 */
import { EventEmitter } from "node:events";
import { Writable } from "node:stream";
import type { FaultSettings } from "../../../../src/dev/aws-sim/index.js";
import { seededRandom } from "../../../../src/dev/aws-sim/rng.js";
import { runControllerCommand } from "../../../../src/reconcilers/command.js";
import { TEST_CREDENTIALS } from "../../../support/store-fixtures.js";
import { FAST_CONTROLLER_FLAGS, type LogLine } from "../support/controller-process.js";
import { auditInventory, type InventoryAudit, readInventory } from "../support/inventory.js";
import { startLossyProxy, WRITE_OPERATIONS } from "../support/lossy-proxy.js";
import {
  isReadyNow,
  namespaceDocument,
  pause,
  REL_NAMESPACE,
  type ServiceWant,
  serviceDocument,
  startStack,
  waitConverged,
} from "../support/stack.js";
import type { Teardown } from "../support/teardown.js";
import { applyOperation, IMAGE, serviceName } from "../support/workload.js";

/** How much to do and what to inject. */
export interface FaultsLoad {
  services: number;
  updates: number;
  deletes: number;
  seed: number;
  /** Injected by the simulator on every ECS and Cloud Map operation. */
  faults: FaultSettings;
  /** Share of write responses (create, update, delete, register, tag) the proxy loses after the simulator acted. */
  lostWriteResponsePercent: number;
  convergeTimeoutMs: number;
}

/** What the scenario measured. */
export interface FaultsResult {
  /** From the controller's start to every record converged, faults on (ms). */
  convergeMs: number;
  /** AWS requests the simulator received, and how many it failed on purpose. */
  requests: number;
  injected: { throttles: number; serverErrors: number; drops: number; lostResponses: number };
  /** Lost write responses by operation. */
  lostByOperation: Record<string, number>;
  /** Requests the ECS token buckets refused (the controller's own pacing should keep this low). */
  bucketThrottles: number;
  /** Passes that failed and were retried ("reconcile failed: will retry"). */
  retriedPasses: number;
  /** Lines at error level: a failure that is not a typed temporary one, or a worker crash, shows here. */
  errorLines: string[];
  exitCode: number;
  audit: InventoryAudit;
}

const KEEP_REVISIONS = 3;

/** Runs the scenario; everything it starts is registered on `teardown`. */
export async function runFaultsScenario(
  load: FaultsLoad,
  dynamodbEndpoint: string,
  teardown: Teardown,
): Promise<FaultsResult> {
  const stack = await startStack(dynamodbEndpoint, { seed: load.seed });
  teardown.add(() => stack.close());
  const proxy = await startLossyProxy(stack.sim.endpoint, {
    lossPercent: load.lostWriteResponsePercent,
    seed: load.seed,
    operations: WRITE_OPERATIONS,
  });
  teardown.add(() => proxy.stop());
  const { store, sim } = stack;
  const random = seededRandom(load.seed);

  const wanted = new Map<string, ServiceWant>();
  for (let i = 1; i <= load.services; i += 1)
    wanted.set(serviceName(i), { image: `${IMAGE}:1.27`, desiredCount: 1 + (i % 2) });
  await store.apply(namespaceDocument());
  for (const [name, want] of wanted) await store.apply(serviceDocument(name, want));
  sim.control.setFaults(load.faults, load.seed);

  const lines: LogLine[] = [];
  const signals = new EventEmitter();
  const started = Date.now();
  const exit = runControllerCommand(
    {
      ...FAST_CONTROLLER_FLAGS,
      "keep-revisions": String(KEEP_REVISIONS),
      "lease-name": "faults",
      table: store.tableName,
    },
    { AWS_ENDPOINT_URL_ECS: proxy.endpoint, AWS_ENDPOINT_URL_SERVICEDISCOVERY: proxy.endpoint },
    {
      store,
      leases: store.leases,
      syncOwners: store.syncOwners,
      credentials: TEST_CREDENTIALS,
      signals,
      logDestination: new Writable({
        write(chunk: Buffer, _encoding, callback) {
          for (const text of chunk.toString("utf8").split("\n"))
            if (text.trim() !== "") lines.push(JSON.parse(text) as LogLine);
          callback();
        },
      }),
    },
  );
  let exited = false;
  teardown.add(async () => {
    if (!exited) signals.emit("SIGTERM");
    await exit.catch(() => undefined);
  });

  // Half of them Ready, then the updates and deletes land on a controller busy with the rest.
  const half = Math.ceil(load.services / 2);
  const halfDeadline = Date.now() + load.convergeTimeoutMs;
  while ((await store.list("FargateService")).filter(isReadyNow).length < half) {
    if (Date.now() > halfDeadline) throw new Error(`fewer than ${half} services Ready with faults on`);
    await pause(100);
  }
  const names = [...wanted.keys()].sort(() => random() - 0.5);
  for (const name of names.slice(0, load.updates)) {
    const want = { image: `${IMAGE}:1.28`, desiredCount: 2 };
    wanted.set(name, want);
    await applyOperation(store, { type: "update", name, want });
  }
  for (const name of names.slice(load.updates, load.updates + load.deletes)) {
    wanted.delete(name);
    await applyOperation(store, { type: "delete", name });
  }
  await waitConverged(store, wanted, load.convergeTimeoutMs);
  const convergeMs = Date.now() - started;

  sim.control.clearFaults();
  proxy.setLossPercent(0);
  signals.emit("SIGTERM");
  const exitCode = await exit;
  exited = true;

  const counters = Object.values(sim.control.counters());
  const sum = (field: keyof (typeof counters)[number]) => counters.reduce((n, c) => n + c[field], 0);
  const live = await store.list("FargateService", { namespace: REL_NAMESPACE });
  return {
    convergeMs,
    requests: sum("calls"),
    injected: {
      throttles: sum("injectedThrottles"),
      serverErrors: sum("injectedServerErrors"),
      drops: sum("dropped"),
      lostResponses: [...proxy.lost.values()].reduce((n, v) => n + v, 0),
    },
    lostByOperation: Object.fromEntries(proxy.lost),
    bucketThrottles: sum("throttled"),
    retriedPasses: lines.filter((l) => l.msg === "reconcile failed: will retry").length,
    errorLines: lines.filter((l) => l.level >= 50).map((l) => `${l.msg} ${JSON.stringify(l.err ?? "")}`),
    exitCode,
    audit: auditInventory(await readInventory(sim.endpoint), live, wanted, KEEP_REVISIONS),
  };
}
