/** Shared setup of the AWS simulator integration tests: a simulator per test and plain SDK clients. */
import { ECSClient } from "@aws-sdk/client-ecs";
import { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import {
  type AwsSimulator,
  type AwsSimulatorOptions,
  ManualClock,
  startAwsSimulator,
} from "../../../src/dev/aws-sim/index.js";

/** Clients configured the way DESIGN §8 says plain clients must be: one attempt, dummy credentials. */
export function clientsFor(endpoint: string): { ecs: ECSClient; cloudMap: ServiceDiscoveryClient } {
  const common = {
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  };
  return {
    ecs: new ECSClient(common),
    cloudMap: new ServiceDiscoveryClient({ ...common, disableHostPrefix: true }),
  };
}

/** A running simulator on a ManualClock with its clients. */
export interface SimHarness {
  /** The simulator. */
  readonly sim: AwsSimulator;
  /** The clock tests advance. */
  readonly clock: ManualClock;
  /** ECS client. */
  readonly ecs: ECSClient;
  /** Cloud Map client. */
  readonly cloudMap: ServiceDiscoveryClient;
  /** Stops clients and simulator. */
  close(): Promise<void>;
}

/** Starts a simulator on 127.0.0.1:0 with a ManualClock (throttling off unless asked). */
export async function startHarness(options: AwsSimulatorOptions = {}): Promise<SimHarness> {
  const clock = new ManualClock();
  const sim = await startAwsSimulator({ throttling: false, ...options, clock });
  const { ecs, cloudMap } = clientsFor(sim.endpoint);
  return {
    sim,
    clock,
    ecs,
    cloudMap,
    async close() {
      ecs.destroy();
      cloudMap.destroy();
      await sim.stop();
    },
  };
}

/** A Fargate task definition request for `family` running `image`. */
export function fargateTaskDefinition(family: string, image: string) {
  return {
    family,
    networkMode: "awsvpc" as const,
    requiresCompatibilities: ["FARGATE" as const],
    cpu: "256",
    memory: "512",
    containerDefinitions: [{ name: "app", image, portMappings: [{ containerPort: 8080 }] }],
  };
}

/** Network configuration valid in both modes (and for moto). */
export const network = {
  awsvpcConfiguration: { subnets: ["subnet-0123456789abcdef0"], securityGroups: ["sg-0123456789abcdef0"] },
};

/** The error an SDK call rejected with (fails the test when it resolved). */
export async function rejectionOf(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}
