/**
 * Events at the points where AWS writes happen: the gateways the reconcilers get are wrapped so that each write
 * that succeeds inside a pass is a Normal event about that pass's record (task definition registered with its
 * revision, service created/updated/deleted, scalable target applied, ownership taken, …), and a call AWS
 * throttles or refuses for lack of permission is a Warning. The wrapper never changes what a call returns or
 * throws; methods it does not name pass through untouched, so gateways may grow without touching this file.
 */
import type { EcsServiceRef } from "../aws/application-autoscaling-shapes.js";
import { AwsAccessDeniedError, AwsThrottledError } from "../aws/errors.js";
import type {
  AwsGateways,
  CloudMapCreateServiceInput,
  EcsCreateServiceInput,
  EcsUpdateServiceInput,
  TagMap,
  TaskDefinitionRevision,
} from "../aws/types.js";
import { TagKey } from "../render/names.js";
import { EventType } from "../store/events.js";
import { recordEvent } from "./scope.js";

/** What a successful call is, as an event: its reason and message (undefined: not worth an event). */
type Describe = (
  args: readonly unknown[],
  result: unknown,
) => { reason: string; message: string } | undefined;

function nameOfArn(arn: unknown): string {
  return typeof arn === "string" ? (arn.split("/").pop() ?? arn) : String(arn);
}

function ref(args: readonly unknown[]): string {
  const target = args[0] as EcsServiceRef | undefined;
  return target === undefined ? "the service" : `${target.service} (cluster ${nameOfArn(target.cluster)})`;
}

function adoption(args: readonly unknown[]): { reason: string; message: string } | undefined {
  const tags = (args[1] ?? {}) as TagMap;
  return tags[TagKey.Uid] === undefined
    ? undefined
    : { reason: "Adopted", message: `took ownership of ${args[0]} (tagged it as this record's)` };
}

function updateDetail(input: EcsUpdateServiceInput): string {
  const parts: string[] = [];
  if (input.taskDefinition !== undefined) parts.push(`task definition ${nameOfArn(input.taskDefinition)}`);
  if (input.desiredCount !== undefined) parts.push(`desired count ${input.desiredCount}`);
  const other = Object.keys(input).filter(
    (k) => !["cluster", "service", "taskDefinition", "desiredCount"].includes(k),
  );
  if (other.length > 0) parts.push(other.sort().join(", "));
  return parts.length === 0 ? "" : `: ${parts.join("; ")}`;
}

const ECS: Record<string, Describe> = {
  registerTaskDefinition: (_args, result) => {
    const revision = result as TaskDefinitionRevision;
    return {
      reason: "TaskDefinitionRegistered",
      message: `registered task definition ${revision.family}:${revision.revision}`,
    };
  },
  deregisterTaskDefinition: (args) => ({
    reason: "TaskDefinitionDeregistered",
    message: `deregistered task definition ${nameOfArn(args[0])}`,
  }),
  createService: (args) => {
    const input = args[0] as EcsCreateServiceInput;
    return {
      reason: "ServiceCreated",
      message: `created ECS service ${input.serviceName} in cluster ${nameOfArn(input.cluster)} with task definition ${nameOfArn(input.taskDefinition)}`,
    };
  },
  updateService: (args) => {
    const input = args[0] as EcsUpdateServiceInput;
    return {
      reason: "ServiceUpdated",
      message: `updated ECS service ${input.service} in cluster ${nameOfArn(input.cluster)}${updateDetail(input)}`,
    };
  },
  deleteService: (args, result) =>
    result === undefined
      ? undefined
      : {
          reason: "ServiceDeleted",
          message: `deleted ECS service ${args[1]} in cluster ${nameOfArn(args[0])}`,
        },
  tagResource: adoption,
};

const CLOUD_MAP: Record<string, Describe> = {
  createPrivateDnsNamespace: (args) => ({
    reason: "NamespaceCreationStarted",
    message: `started creating Cloud Map namespace ${(args[0] as { name?: string }).name}`,
  }),
  deleteNamespace: (args) => ({
    reason: "NamespaceDeletionStarted",
    message: `started deleting Cloud Map namespace ${args[0]}`,
  }),
  createService: (args) => ({
    reason: "CloudMapServiceCreated",
    message: `created Cloud Map service ${(args[0] as CloudMapCreateServiceInput).Name}`,
  }),
  updateServiceDnsRecords: (args) => ({
    reason: "CloudMapServiceUpdated",
    message: `updated the DNS records of Cloud Map service ${args[0]}`,
  }),
  deleteService: (args) => ({
    reason: "CloudMapServiceDeleted",
    message: `deleted Cloud Map service ${args[0]}`,
  }),
  tagResource: adoption,
};

const AUTOSCALING: Record<string, Describe> = {
  registerTarget: (args) => {
    const bounds = args[1] as { minCount: number; maxCount: number };
    return {
      reason: "Scaled",
      message: `applied the scalable target of ${ref(args)}: min ${bounds.minCount}, max ${bounds.maxCount}`,
    };
  },
  deregisterTarget: (args, result) =>
    result === true
      ? { reason: "ScalingRemoved", message: `deregistered the scalable target of ${ref(args)}` }
      : undefined,
  putTargetTrackingPolicy: (args) => ({
    reason: "ScalingPolicyApplied",
    message: `applied scaling policy ${(args[1] as { name?: string }).name} to ${ref(args)}`,
  }),
  putScheduledAction: (args) => ({
    reason: "ScheduledActionApplied",
    message: `applied scheduled action ${(args[1] as { name?: string }).name} to ${ref(args)}`,
  }),
};

/** The Warning a failed call is worth (throttled even after retries, or access denied), if any. */
function failureEvent(error: unknown): { reason: string; message: string } | undefined {
  if (error instanceof AwsThrottledError) {
    return {
      reason: "AwsThrottled",
      message: `AWS throttled ${error.service}:${error.operation}: ${error.message}`,
    };
  }
  if (error instanceof AwsAccessDeniedError) {
    return {
      reason: "AwsAccessDenied",
      message: `AWS denied ${error.service}:${error.operation}: ${error.message}`,
    };
  }
  return undefined;
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // Describing an event must never change the call's outcome.
  }
}

/** `gateway` with events recorded around the calls `writes` names (and Warnings on throttling/denial for all). */
function eventing<T extends object>(gateway: T, writes: Record<string, Describe>): T {
  return new Proxy(gateway, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== "function" || typeof property !== "string") return value;
      const describe = writes[property];
      return (...args: unknown[]) => {
        let outcome: unknown;
        try {
          outcome = (value as (...a: unknown[]) => unknown).apply(target, args);
        } catch (error) {
          safely(() => {
            const failed = failureEvent(error);
            if (failed) recordEvent(EventType.Warning, failed.reason, failed.message);
          });
          throw error;
        }
        if (!(outcome instanceof Promise)) return outcome;
        return outcome.then(
          (result: unknown) => {
            if (describe !== undefined) {
              safely(() => {
                const event = describe(args, result);
                if (event) recordEvent(EventType.Normal, event.reason, event.message);
              });
            }
            return result;
          },
          (error: unknown) => {
            safely(() => {
              const failed = failureEvent(error);
              if (failed) recordEvent(EventType.Warning, failed.reason, failed.message);
            });
            throw error;
          },
        );
      };
    },
  });
}

/** The reconcilers' view of the gateways, with events recorded for AWS writes (see the file comment). */
export function eventingGateways<
  G extends Partial<Pick<AwsGateways, "ecs" | "cloudMap" | "applicationAutoScaling">>,
>(gateways: G): G {
  const out = { ...gateways };
  if (gateways.ecs !== undefined) out.ecs = eventing(gateways.ecs, ECS);
  if (gateways.cloudMap !== undefined) out.cloudMap = eventing(gateways.cloudMap, CLOUD_MAP);
  if (gateways.applicationAutoScaling !== undefined)
    out.applicationAutoScaling = eventing(gateways.applicationAutoScaling, AUTOSCALING);
  return out;
}
