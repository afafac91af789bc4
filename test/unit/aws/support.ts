/** Shared setup of the AWS adapter unit tests: gateways over mocked SDK clients on a ManualClock. */
import { ECSClient, ECSServiceException } from "@aws-sdk/client-ecs";
import { ServiceDiscoveryClient, ServiceDiscoveryServiceException } from "@aws-sdk/client-servicediscovery";
import { mockClient } from "aws-sdk-client-mock";
import { type AwsGatewayConfig, createAwsGateways } from "../../../src/aws/index.js";
import type { AwsGateways } from "../../../src/aws/types.js";
import { ManualClock } from "../../../src/clock.js";
import type { AwsCallOutcome } from "../../../src/metrics.js";

const mockEcs = () => mockClient(ECSClient);
const mockCloudMap = () => mockClient(ServiceDiscoveryClient);

/** One recorded `recordCall`. */
export interface RecordedCall {
  service: string;
  operation: string;
  outcome: AwsCallOutcome;
}

/** Gateways over mocked clients plus what they recorded. */
export interface MockedGateways {
  aws: AwsGateways;
  clock: ManualClock;
  ecs: ReturnType<typeof mockEcs>;
  cloudMap: ReturnType<typeof mockCloudMap>;
  calls: RecordedCall[];
  close(): void;
}

/** Gateways with mocked SDK clients; pacing off unless `config.ecsBuckets` says otherwise. */
export function mockedGateways(config: Partial<AwsGatewayConfig> = {}): MockedGateways {
  const ecs = mockEcs();
  const cloudMap = mockCloudMap();
  const clock = new ManualClock();
  const calls: RecordedCall[] = [];
  const aws = createAwsGateways({
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    clock,
    ecsBuckets: false,
    recordCall: (service, operation, outcome) => calls.push({ service, operation, outcome }),
    ...config,
  });
  return {
    aws,
    clock,
    ecs,
    cloudMap,
    calls,
    close() {
      aws.destroy();
      ecs.restore();
      cloudMap.restore();
    },
  };
}

/** An ECS service error as the SDK builds it from an AWS answer. */
export function ecsError(name: string, message: string, status = 400): ECSServiceException {
  return new ECSServiceException({
    name,
    message,
    $fault: status >= 500 ? "server" : "client",
    $metadata: { httpStatusCode: status },
  });
}

/** A Cloud Map service error as the SDK builds it, with the exception's extra members. */
export function cloudMapError(
  name: string,
  message: string,
  fields: Record<string, string> = {},
  status = 400,
): ServiceDiscoveryServiceException {
  return Object.assign(
    new ServiceDiscoveryServiceException({
      name,
      message,
      $fault: status >= 500 ? "server" : "client",
      $metadata: { httpStatusCode: status },
    }),
    fields,
  );
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

/** An ECS service shape for `name` in `cluster`. */
export function ecsService(cluster: string, name: string, status = "ACTIVE", desiredCount = 1) {
  return {
    serviceName: name,
    serviceArn: `arn:aws:ecs:us-east-1:123456789012:service/${cluster}/${name}`,
    clusterArn: `arn:aws:ecs:us-east-1:123456789012:cluster/${cluster}`,
    status,
    desiredCount,
  };
}
