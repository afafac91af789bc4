/**
 * Reads what `fargatectl import` converts from AWS: a task definition and a service with their tags, the
 * Cloud Map service and namespace behind a service registry, and the service's Application Auto Scaling target
 * with its policies and scheduled actions. Plain data out; SDK errors translated in callAws.
 */
import {
  type ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  DescribeScheduledActionsCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, type ECSClient } from "@aws-sdk/client-ecs";
import {
  GetNamespaceCommand,
  GetServiceCommand,
  type ServiceDiscoveryClient,
} from "@aws-sdk/client-servicediscovery";
import { silentLogger } from "../log.js";
import { type CallContext, callAws } from "./call.js";
import { AwsNotFoundError } from "./errors.js";
import { allPages } from "./pages.js";
import { describeFailure, malformedResponse } from "./translate.js";

/** A task definition as describe-task-definition prints it (with tags), as plain JSON. */
export interface LiveTaskDefinition {
  taskDefinition: Record<string, unknown>;
  tags: unknown[];
}

/** The Cloud Map service and namespace behind a registry, as import needs them. */
export interface LiveRegistry {
  namespaceName: string;
  serviceName: string;
  dnsTtl?: number;
  records: string[];
}

/** A service's scalable target, policies and scheduled actions as `aws application-autoscaling describe-*` print them. */
export interface LiveScaling {
  scalableTarget: Record<string, unknown>;
  scalingPolicies: Array<Record<string, unknown>>;
  scheduledActions: Array<Record<string, unknown>>;
}

const context = (service: "ecs" | "servicediscovery" | "application-autoscaling"): CallContext => ({
  service,
  log: silentLogger(),
  recordCall: () => {},
  limiter: undefined,
});

/** Plain JSON (Dates as ISO strings), so the import room sees what the CLI would print. */
const plain = <T>(value: T): Record<string, unknown> =>
  JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

/** DescribeTaskDefinition with its tags. */
export async function readTaskDefinition(ecs: ECSClient, arn: string): Promise<LiveTaskDefinition> {
  const out = await callAws(context("ecs"), "DescribeTaskDefinition", (o) =>
    ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ["TAGS"] }), o),
  );
  if (out.taskDefinition === undefined)
    throw malformedResponse("ecs", "DescribeTaskDefinition", "taskDefinition");
  return { taskDefinition: plain(out.taskDefinition), tags: out.tags ?? [] };
}

/** DescribeServices of one service with its tags; a missing or INACTIVE service is AwsNotFoundError. */
export async function readService(
  ecs: ECSClient,
  cluster: string,
  service: string,
): Promise<Record<string, unknown>> {
  const out = await callAws(context("ecs"), "DescribeServices", (o) =>
    ecs.send(new DescribeServicesCommand({ cluster, services: [service], include: ["TAGS"] }), o),
  );
  const found = out.services?.find((s) => s.status !== "INACTIVE");
  if (found === undefined) {
    const failure = out.failures?.[0];
    if (failure !== undefined && failure.reason !== "MISSING") {
      throw describeFailure("DescribeServices", failure.arn ?? service, failure.reason ?? "unknown");
    }
    throw new AwsNotFoundError(`ecs:DescribeServices: service ${service} not found in cluster ${cluster}`, {
      service: "ecs",
      operation: "DescribeServices",
      code: "MISSING",
    });
  }
  return plain(found);
}

/** The Cloud Map service of a registry ARN and its namespace's name. */
export async function readRegistry(
  cloudMap: ServiceDiscoveryClient,
  registryArn: string,
): Promise<LiveRegistry> {
  const id = registryArn.split("/").pop() ?? registryArn;
  const { Service } = await callAws(context("servicediscovery"), "GetService", (o) =>
    cloudMap.send(new GetServiceCommand({ Id: id }), o),
  );
  if (Service?.NamespaceId === undefined || Service.Name === undefined) {
    throw malformedResponse("servicediscovery", "GetService", "Service");
  }
  const namespaceId = Service.NamespaceId;
  const { Namespace } = await callAws(context("servicediscovery"), "GetNamespace", (o) =>
    cloudMap.send(new GetNamespaceCommand({ Id: namespaceId }), o),
  );
  const records = Service.DnsConfig?.DnsRecords ?? [];
  const ttl = records[0]?.TTL;
  return {
    namespaceName: Namespace?.Name ?? namespaceId,
    serviceName: Service.Name,
    records: records.map((r) => String(r.Type)),
    ...(ttl === undefined ? {} : { dnsTtl: ttl }),
  };
}

/**
 * The scalable target of `service/<cluster>/<service>`'s desired count with its policies and scheduled actions,
 * or undefined when the service has none. `cluster` is the cluster's name (the resource id names it so).
 */
export async function readScaling(
  client: ApplicationAutoScalingClient,
  cluster: string,
  service: string,
): Promise<LiveScaling | undefined> {
  const ctx = context("application-autoscaling");
  const target = {
    ServiceNamespace: "ecs" as const,
    ScalableDimension: "ecs:service:DesiredCount" as const,
  };
  const resourceId = `service/${cluster}/${service}`;
  const { ScalableTargets } = await callAws(ctx, "DescribeScalableTargets", (o) =>
    client.send(new DescribeScalableTargetsCommand({ ...target, ResourceIds: [resourceId] }), o),
  );
  const found = ScalableTargets?.find((t) => t.ResourceId === resourceId);
  if (found === undefined) return undefined;
  const scalingPolicies = await allPages(async (token) => {
    const out = await callAws(ctx, "DescribeScalingPolicies", (o) =>
      client.send(
        new DescribeScalingPoliciesCommand({ ...target, ResourceId: resourceId, NextToken: token }),
        o,
      ),
    );
    return { items: (out.ScalingPolicies ?? []).map(plain), next: out.NextToken };
  });
  const scheduledActions = await allPages(async (token) => {
    const out = await callAws(ctx, "DescribeScheduledActions", (o) =>
      client.send(
        new DescribeScheduledActionsCommand({ ...target, ResourceId: resourceId, NextToken: token }),
        o,
      ),
    );
    return { items: (out.ScheduledActions ?? []).map(plain), next: out.NextToken };
  });
  return { scalableTarget: plain(found), scalingPolicies, scheduledActions };
}
