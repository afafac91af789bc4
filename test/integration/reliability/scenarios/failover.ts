/**
 * Failover between real `fargatectl controller` processes on one lease (1.5 s lease, 0.5 s heartbeat and retry):
 * a leader and a warm standby; the leader is SIGKILLed (the standby must wait out the lease: one lease plus at
 * most one retry period) or SIGTERMed (it releases the lease: the standby takes over at its next retry). After
 * each round a new standby joins, and after the last one the leader must still reconcile a new record.
 */
import {
  type ControllerProcess,
  ControllerProcesses,
  leaderGauge,
  loggedAt,
} from "../support/controller-process.js";
import {
  isReadyNow,
  namespaceDocument,
  pause,
  readRecord,
  serviceDocument,
  startStack,
} from "../support/stack.js";
import type { Teardown } from "../support/teardown.js";

/** Lease and retry period the processes run with (FAST_CONTROLLER_FLAGS). */
export const FAILOVER_LEASE = { durationMs: 1500, retryMs: 500 } as const;

/** How much to do. */
export interface FailoverLoad {
  /** Rounds; each kills the leader with SIGKILL, then another with SIGTERM. */
  rounds: number;
}

/** One takeover as measured. */
export interface Takeover {
  signal: "SIGKILL" | "SIGTERM";
  /** From the signal to the standby's "became leader" line (ms, both on this machine's wall clock). */
  ms: number;
  /** The standby's /metrics `leader` gauge right after it logged the takeover. */
  gauge: number | undefined;
  /** How the old leader ended (SIGTERM: exit code 0 with the lease released). */
  exit: { code: number | null; signal: NodeJS.Signals | null };
  /** The old leader logged "lease released" (SIGTERM only). */
  released: boolean;
}

/** What the scenario measured. */
export interface FailoverResult {
  takeovers: Takeover[];
  /** A record applied after the last takeover became Ready (the new leader reconciles). */
  reconciledAfter: boolean;
  /** Processes that led at once (must stay ≤ 1 at every sample). */
  maxSimultaneousLeaders: number;
}

/** Runs the scenario; everything it starts is registered on `teardown`. */
export async function runFailoverScenario(
  load: FailoverLoad,
  dynamodbEndpoint: string,
  teardown: Teardown,
): Promise<FailoverResult> {
  const stack = await startStack(dynamodbEndpoint);
  teardown.add(() => stack.close());
  const processes = new ControllerProcesses();
  teardown.add(() => processes.killAll());
  const { store, sim } = stack;
  await store.apply(namespaceDocument());
  const start = (): ControllerProcess =>
    processes.start({
      identity: `failover-${processes.all.length + 1}`,
      table: store.tableName,
      dynamodbEndpoint,
      awsEndpoint: sim.endpoint,
      leaseName: "failover",
    });

  // Samples, every 50 ms, how many live processes report leadership in their log (never two at once).
  let maxSimultaneousLeaders = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const leading = processes.all.filter((p) => p.running && leads(p)).length;
      maxSimultaneousLeaders = Math.max(maxSimultaneousLeaders, leading);
      await pause(50);
    }
  })();
  teardown.add(async () => {
    sampling = false;
    await sampler;
  });

  let leader = start();
  await leader.waitFor("became leader");
  const takeovers: Takeover[] = [];
  for (let round = 0; round < load.rounds; round += 1) {
    for (const signal of ["SIGKILL", "SIGTERM"] as const) {
      const standby = start();
      await standby.waitFor("caches synced");
      const port = await standby.httpPort();
      // A moment inside the heartbeat cycle, so takeovers do not all start in phase with a renewal.
      await pause(100 + (((round * 2 + (signal === "SIGTERM" ? 1 : 0)) * 170) % 400));
      const sentAt = Date.now();
      const exit = await leader.stop(signal);
      const line = await standby.waitFor("became leader", 10_000);
      takeovers.push({
        signal,
        ms: loggedAt(line) - sentAt,
        gauge: await leaderGauge(port),
        exit,
        released: leader.line("lease released") !== undefined,
      });
      leader = standby;
    }
  }

  await store.apply(
    serviceDocument("after-failover", { image: "public.ecr.aws/nginx/nginx:1.27", desiredCount: 1 }),
  );
  let reconciledAfter = false;
  for (const deadline = Date.now() + 20_000; Date.now() < deadline && !reconciledAfter; await pause(200)) {
    const record = await readRecord(store, "FargateService", "after-failover");
    reconciledAfter = record !== undefined && isReadyNow(record);
  }
  sampling = false;
  await sampler;
  await leader.stop("SIGTERM");
  return { takeovers, reconciledAfter, maxSimultaneousLeaders };
}

/** True when the process's latest leadership line says it leads. */
function leads(p: ControllerProcess): boolean {
  for (let i = p.lines.length - 1; i >= 0; i -= 1) {
    const msg = p.lines[i]?.msg;
    if (msg === "became leader") return true;
    if (msg === "stopped leading") return false;
  }
  return false;
}
