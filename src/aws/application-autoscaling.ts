/**
 * The Application Auto Scaling gateway: the scalable target of an ECS service's desired count, its
 * target-tracking policies, scheduled actions and last activity. Calls go through `callAws` (errors translated
 * in translate.ts); a thin adapter: deciding what to put is the reconciler's job.
 */
import {
  type ApplicationAutoScalingClient,
  DeleteScalingPolicyCommand,
  DeleteScheduledActionCommand,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingActivitiesCommand,
  DescribeScalingPoliciesCommand,
  DescribeScheduledActionsCommand,
  PutScalingPolicyCommand,
  PutScheduledActionCommand,
  RegisterScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { silentLogger } from "../log.js";
import {
  type ApplicationAutoScalingGateway,
  type EcsServiceRef,
  ecsResourceId,
  policyView,
  ScalingMetric,
  scheduledView,
} from "./application-autoscaling-shapes.js";
import { type CallContext, callAws, type SendOptions } from "./call.js";
import { type AwsGatewayConfig, createApplicationAutoScalingClient } from "./clients.js";
import { AwsNotFoundError } from "./errors.js";
import { allPages } from "./pages.js";
import { malformedResponse } from "./translate.js";

export * from "./application-autoscaling-shapes.js";

const ECS = "ecs" as const;
const DIMENSION = "ecs:service:DesiredCount" as const;

function target(ref: EcsServiceRef) {
  return { ServiceNamespace: ECS, ResourceId: ecsResourceId(ref), ScalableDimension: DIMENSION };
}

/** Runs `fn`, answering false when AWS says the object is not there. */
async function unlessMissing(fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (error) {
    if (error instanceof AwsNotFoundError) return false;
    throw error;
  }
}

/** Builds the gateway over `client`. */
export function applicationAutoScalingGateway(
  client: ApplicationAutoScalingClient,
  ctx: CallContext,
): ApplicationAutoScalingGateway {
  const call = <T>(operation: string, send: (o: SendOptions) => Promise<T>, signal?: AbortSignal) =>
    callAws(ctx, operation, send, signal);
  return {
    async registerTarget(ref, bounds, tags, signal) {
      const out = await call(
        "RegisterScalableTarget",
        (o) =>
          client.send(
            new RegisterScalableTargetCommand({
              ...target(ref),
              MinCapacity: bounds.minCount,
              MaxCapacity: bounds.maxCount,
              ...(tags === undefined || Object.keys(tags).length === 0 ? {} : { Tags: tags }),
            }),
            o,
          ),
        signal,
      );
      if (out.ScalableTargetARN === undefined)
        throw malformedResponse("application-autoscaling", "RegisterScalableTarget", "ScalableTargetARN");
      return out.ScalableTargetARN;
    },

    async describeTarget(ref, signal) {
      const out = await call(
        "DescribeScalableTargets",
        (o) =>
          client.send(
            new DescribeScalableTargetsCommand({
              ServiceNamespace: ECS,
              ScalableDimension: DIMENSION,
              ResourceIds: [ecsResourceId(ref)],
            }),
            o,
          ),
        signal,
      );
      const t = out.ScalableTargets?.[0];
      if (t === undefined) return undefined;
      if (t.MinCapacity === undefined || t.MaxCapacity === undefined)
        throw malformedResponse(
          "application-autoscaling",
          "DescribeScalableTargets",
          "MinCapacity/MaxCapacity",
        );
      return {
        arn: t.ScalableTargetARN ?? "",
        minCount: t.MinCapacity,
        maxCount: t.MaxCapacity,
        roleArn: t.RoleARN ?? "",
        suspended: {
          scaleIn: t.SuspendedState?.DynamicScalingInSuspended === true,
          scaleOut: t.SuspendedState?.DynamicScalingOutSuspended === true,
          scheduled: t.SuspendedState?.ScheduledScalingSuspended === true,
        },
      };
    },

    deregisterTarget: (ref, signal) =>
      unlessMissing(() =>
        call(
          "DeregisterScalableTarget",
          (o) => client.send(new DeregisterScalableTargetCommand(target(ref)), o),
          signal,
        ),
      ),

    async putTargetTrackingPolicy(ref, policy, signal) {
      const out = await call(
        "PutScalingPolicy",
        (o) =>
          client.send(
            new PutScalingPolicyCommand({
              ...target(ref),
              PolicyName: policy.name,
              PolicyType: "TargetTrackingScaling",
              TargetTrackingScalingPolicyConfiguration: {
                TargetValue: policy.targetValue,
                PredefinedMetricSpecification: {
                  PredefinedMetricType: ScalingMetric[policy.metric],
                  ...(policy.resourceLabel === undefined ? {} : { ResourceLabel: policy.resourceLabel }),
                },
                ...(policy.scaleInCooldownSeconds === undefined
                  ? {}
                  : { ScaleInCooldown: policy.scaleInCooldownSeconds }),
                ...(policy.scaleOutCooldownSeconds === undefined
                  ? {}
                  : { ScaleOutCooldown: policy.scaleOutCooldownSeconds }),
                ...(policy.disableScaleIn === undefined ? {} : { DisableScaleIn: policy.disableScaleIn }),
              },
            }),
            o,
          ),
        signal,
      );
      if (out.PolicyARN === undefined)
        throw malformedResponse("application-autoscaling", "PutScalingPolicy", "PolicyARN");
      return out.PolicyARN;
    },

    deletePolicy: (ref, name, signal) =>
      unlessMissing(() =>
        call(
          "DeleteScalingPolicy",
          (o) => client.send(new DeleteScalingPolicyCommand({ ...target(ref), PolicyName: name }), o),
          signal,
        ),
      ),

    listPolicies: (ref, signal) =>
      allPages(async (token) => {
        const out = await call(
          "DescribeScalingPolicies",
          (o) =>
            client.send(
              new DescribeScalingPoliciesCommand({
                ServiceNamespace: ECS,
                ResourceId: ecsResourceId(ref),
                ScalableDimension: DIMENSION,
                NextToken: token,
              }),
              o,
            ),
          signal,
        );
        const items = (out.ScalingPolicies ?? []).map(policyView);
        return { items, next: out.NextToken };
      }),

    async putScheduledAction(ref, action, signal) {
      const bounds = {
        ...(action.minCount === undefined ? {} : { MinCapacity: action.minCount }),
        ...(action.maxCount === undefined ? {} : { MaxCapacity: action.maxCount }),
      };
      await call(
        "PutScheduledAction",
        (o) =>
          client.send(
            new PutScheduledActionCommand({
              ...target(ref),
              ScheduledActionName: action.name,
              Schedule: action.schedule,
              ...(action.timezone === undefined ? {} : { Timezone: action.timezone }),
              ScalableTargetAction: bounds,
            }),
            o,
          ),
        signal,
      );
    },

    deleteScheduledAction: (ref, name, signal) =>
      unlessMissing(() =>
        call(
          "DeleteScheduledAction",
          (o) =>
            client.send(new DeleteScheduledActionCommand({ ...target(ref), ScheduledActionName: name }), o),
          signal,
        ),
      ),

    listScheduledActions: (ref, signal) =>
      allPages(async (token) => {
        const out = await call(
          "DescribeScheduledActions",
          (o) =>
            client.send(
              new DescribeScheduledActionsCommand({
                ServiceNamespace: ECS,
                ResourceId: ecsResourceId(ref),
                ScalableDimension: DIMENSION,
                NextToken: token,
              }),
              o,
            ),
          signal,
        );
        const items = (out.ScheduledActions ?? []).map(scheduledView);
        return { items, next: out.NextToken };
      }),

    async lastActivity(ref, signal) {
      const out = await call(
        "DescribeScalingActivities",
        (o) =>
          client.send(
            new DescribeScalingActivitiesCommand({
              ServiceNamespace: ECS,
              ResourceId: ecsResourceId(ref),
              ScalableDimension: DIMENSION,
              MaxResults: 1,
            }),
            o,
          ),
        signal,
      );
      const a = out.ScalingActivities?.[0];
      if (a === undefined) return undefined;
      return {
        id: a.ActivityId ?? "",
        description: a.Description ?? "",
        cause: a.Cause ?? "",
        statusCode: a.StatusCode ?? "",
        ...(a.StatusMessage === undefined ? {} : { statusMessage: a.StatusMessage }),
        startedAt: a.StartTime ?? new Date(0),
      };
    },
  };
}

/** The gateway with its own client (region, endpoint, retries and credentials from `config`); destroy it after use. */
export function createApplicationAutoScalingGateway(
  config: AwsGatewayConfig,
): ApplicationAutoScalingGateway & { destroy(): void } {
  const client = createApplicationAutoScalingClient(config);
  const ctx: CallContext = {
    service: "application-autoscaling",
    log: config.log ?? silentLogger(),
    recordCall: config.recordCall ?? (() => undefined),
    limiter: undefined,
  };
  return { ...applicationAutoScalingGateway(client, ctx), destroy: () => client.destroy() };
}
