/** Shared setup of the AWS adapter integration tests: real gateways against the simulator or moto. */
import { type AwsGatewayConfig, createAwsGateways } from "../../../src/aws/index.js";
import type { AwsGateways } from "../../../src/aws/types.js";
import { ManualClock } from "../../../src/clock.js";
import {
  type AwsSimulator,
  type AwsSimulatorOptions,
  startAwsSimulator,
} from "../../../src/dev/aws-sim/index.js";
import type { AwsCallOutcome } from "../../../src/metrics.js";

/** Dummy credentials: the simulator and moto accept any. */
export const TEST_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

/** One `recordCall`. */
export interface RecordedCall {
  service: string;
  operation: string;
  outcome: AwsCallOutcome;
}

/** Gateways at `endpoint` with one attempt per call; `calls` collects what recordCall saw. */
export function gatewaysAt(
  endpoint: string,
  config: Partial<AwsGatewayConfig> = {},
): { aws: AwsGateways; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const aws = createAwsGateways({
    region: "us-east-1",
    endpoints: { ecs: endpoint, serviceDiscovery: endpoint },
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
    ecsBuckets: false,
    recordCall: (service, operation, outcome) => calls.push({ service, operation, outcome }),
    ...config,
  });
  return { aws, calls };
}

/** The simulator on a ManualClock with gateways on the same clock. */
export interface SimBed {
  sim: AwsSimulator;
  clock: ManualClock;
  aws: AwsGateways;
  calls: RecordedCall[];
  close(): Promise<void>;
}

/** Starts the simulator (throttling off unless asked) and gateways (no client pacing unless asked). */
export async function startSimBed(
  options: { sim?: AwsSimulatorOptions; gateways?: Partial<AwsGatewayConfig> } = {},
): Promise<SimBed> {
  const clock = new ManualClock();
  const sim = await startAwsSimulator({ throttling: false, ...options.sim, clock });
  const { aws, calls } = gatewaysAt(sim.endpoint, { clock, ...options.gateways });
  return {
    sim,
    clock,
    aws,
    calls,
    async close() {
      aws.destroy();
      await sim.stop();
    },
  };
}

/** Waits (in real time, polling) until `condition` holds; for HTTP round trips, never for timing claims. */
export async function until(condition: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The error a promise rejected with (fails the test when it resolved). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection, but the promise resolved");
}

/** A Fargate task definition request for `family`. */
export function fargateTaskDefinition(family: string, tags: Record<string, string> = {}) {
  return {
    family,
    networkMode: "awsvpc" as const,
    requiresCompatibilities: ["FARGATE" as const],
    cpu: "256",
    memory: "512",
    containerDefinitions: [{ name: "app", image: `${family}:1`, portMappings: [{ containerPort: 8080 }] }],
    tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
  };
}
