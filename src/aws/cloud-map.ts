/** The Cloud Map gateway: namespaces, services, operations, instances, health and tags (every list paginated). */
import {
  CreatePrivateDnsNamespaceCommand,
  CreateServiceCommand,
  DeleteNamespaceCommand,
  DeleteServiceCommand,
  GetNamespaceCommand,
  GetOperationCommand,
  GetServiceCommand,
  ListInstancesCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  type Namespace,
  type Service,
  type ServiceDiscoveryClient,
  type ServiceSummary,
  type Tag,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-servicediscovery";
import { type CallContext, callAws, type SendOptions } from "./call.js";
import { instanceMethods } from "./cloud-map-instances.js";
import { AwsError } from "./errors.js";
import { allPages } from "./pages.js";
import { duplicateOperationIdOf, malformedResponse } from "./translate.js";
import type {
  CloudMapCreateServiceInput,
  CloudMapGateway,
  CloudMapNamespaceInfo,
  CloudMapOperation,
  CloudMapServiceInfo,
  CloudMapServiceSummary,
  CreatePrivateDnsNamespaceInput,
  DnsRecord,
  TagMap,
} from "./types.js";

/** Cloud Map `[{Key, Value}]` tags as a map. */
export function cloudMapTagMap(tags: readonly Tag[] | undefined): TagMap {
  const out: TagMap = {};
  for (const { Key, Value } of tags ?? []) if (Key !== undefined) out[Key] = Value ?? "";
  return out;
}

/** A map as Cloud Map `[{Key, Value}]` tags. */
export function cloudMapTags(tags: TagMap): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** ListServices' largest page: a namespace of N services is listed in ⌈N/100⌉ calls. */
export const LIST_SERVICES_PAGE_SIZE = 100;

const OPERATION_STATUSES = new Set<string>(["SUBMITTED", "PENDING", "SUCCESS", "FAIL"]);

function namespaceInfo(ns: Namespace | undefined): CloudMapNamespaceInfo {
  if (ns?.Id === undefined || ns.Arn === undefined || ns.Name === undefined)
    throw malformedResponse("servicediscovery", "GetNamespace", "Namespace");
  const hostedZoneId = ns.Properties?.DnsProperties?.HostedZoneId;
  return {
    id: ns.Id,
    arn: ns.Arn,
    name: ns.Name,
    type: ns.Type ?? "DNS_PRIVATE",
    ...(hostedZoneId === undefined ? {} : { hostedZoneId }),
    ...(ns.ServiceCount === undefined ? {} : { serviceCount: ns.ServiceCount }),
    ...(ns.CreatorRequestId === undefined ? {} : { creatorRequestId: ns.CreatorRequestId }),
  };
}

/** A Service or a ServiceSummary (which lacks the namespace id, so the caller supplies it). */
function serviceInfo(
  operation: string,
  svc: (Service & ServiceSummary) | undefined,
  namespaceId?: string,
): CloudMapServiceInfo {
  const nsId = svc?.NamespaceId ?? svc?.DnsConfig?.NamespaceId ?? namespaceId;
  if (svc?.Id === undefined || svc.Arn === undefined || svc.Name === undefined || nsId === undefined)
    throw malformedResponse("servicediscovery", operation, "Service");
  const routingPolicy = svc.DnsConfig?.RoutingPolicy;
  const healthCheck =
    svc.HealthCheckCustomConfig !== undefined
      ? "custom"
      : svc.HealthCheckConfig !== undefined
        ? "route53"
        : undefined;
  return {
    id: svc.Id,
    arn: svc.Arn,
    name: svc.Name,
    namespaceId: nsId,
    dnsRecords: (svc.DnsConfig?.DnsRecords ?? []).map((r) => ({ ...r })),
    ...(routingPolicy === undefined ? {} : { routingPolicy }),
    ...(svc.InstanceCount === undefined ? {} : { instanceCount: svc.InstanceCount }),
    ...(svc.CreatorRequestId === undefined ? {} : { creatorRequestId: svc.CreatorRequestId }),
    ...(healthCheck === undefined ? {} : { healthCheck }),
  };
}

/** Builds the Cloud Map gateway over `client` (no client-side bucket; see `./throttle.ts`). */
export function createCloudMapGateway(client: ServiceDiscoveryClient, ctx: CallContext): CloudMapGateway {
  const call = <T>(operation: string, send: (o: SendOptions) => Promise<T>, signal?: AbortSignal) =>
    callAws(ctx, operation, send, signal);

  return {
    async createPrivateDnsNamespace(input: CreatePrivateDnsNamespaceInput, signal?: AbortSignal) {
      try {
        const out = await call(
          "CreatePrivateDnsNamespace",
          (o) =>
            client.send(
              new CreatePrivateDnsNamespaceCommand({
                Name: input.name,
                Vpc: input.vpc,
                CreatorRequestId: input.creatorRequestId,
                Tags: cloudMapTags(input.tags),
                ...(input.description === undefined ? {} : { Description: input.description }),
              }),
              o,
            ),
          signal,
        );
        if (out.OperationId === undefined)
          throw malformedResponse("servicediscovery", "CreatePrivateDnsNamespace", "OperationId");
        return out.OperationId;
      } catch (error) {
        // The same name in the same VPC is already being created (a retry after a crash, typically): its
        // operation is the one to follow; the namespace's CreatorRequestId and tags say whose it is.
        const duplicate = error instanceof AwsError ? duplicateOperationIdOf(error) : undefined;
        if (duplicate !== undefined) return duplicate;
        throw error;
      }
    },

    async getOperation(operationId: string, signal?: AbortSignal): Promise<CloudMapOperation> {
      const out = await call(
        "GetOperation",
        (o) => client.send(new GetOperationCommand({ OperationId: operationId }), o),
        signal,
      );
      const op = out.Operation;
      if (op?.Id === undefined || op.Status === undefined || !OPERATION_STATUSES.has(op.Status))
        throw malformedResponse("servicediscovery", "GetOperation", "Operation");
      const targets: Record<string, string> = {};
      for (const [key, value] of Object.entries(op.Targets ?? {}))
        if (typeof value === "string") targets[key] = value;
      return {
        id: op.Id,
        status: op.Status,
        targets,
        ...(op.ErrorCode === undefined ? {} : { errorCode: op.ErrorCode }),
        ...(op.ErrorMessage === undefined ? {} : { errorMessage: op.ErrorMessage }),
      };
    },

    async getNamespace(namespaceId: string, signal?: AbortSignal) {
      const out = await call(
        "GetNamespace",
        (o) => client.send(new GetNamespaceCommand({ Id: namespaceId }), o),
        signal,
      );
      return namespaceInfo(out.Namespace);
    },

    async deleteNamespace(namespaceId: string, signal?: AbortSignal) {
      const out = await call(
        "DeleteNamespace",
        (o) => client.send(new DeleteNamespaceCommand({ Id: namespaceId }), o),
        signal,
      );
      if (out.OperationId === undefined)
        throw malformedResponse("servicediscovery", "DeleteNamespace", "OperationId");
      return out.OperationId;
    },

    listServices(namespaceId: string, signal?: AbortSignal) {
      return allPages(async (nextToken) => {
        const out = await call(
          "ListServices",
          (o) =>
            client.send(
              new ListServicesCommand({
                Filters: [{ Name: "NAMESPACE_ID", Values: [namespaceId], Condition: "EQ" }],
                MaxResults: LIST_SERVICES_PAGE_SIZE,
                ...(nextToken === undefined ? {} : { NextToken: nextToken }),
              }),
              o,
            ),
          signal,
        );
        return {
          items: (out.Services ?? []).map((s) => serviceInfo("ListServices", s, namespaceId)),
          next: out.NextToken,
        };
      });
    },

    listAccountServices(signal?: AbortSignal) {
      return allPages<CloudMapServiceSummary>(async (nextToken) => {
        const out = await call(
          "ListServices",
          (o) =>
            client.send(new ListServicesCommand(nextToken === undefined ? {} : { NextToken: nextToken }), o),
          signal,
        );
        return {
          items: (out.Services ?? []).flatMap((s) =>
            s.Id === undefined || s.Arn === undefined || s.Name === undefined
              ? []
              : [{ id: s.Id, arn: s.Arn, name: s.Name }],
          ),
          next: out.NextToken,
        };
      });
    },

    async createService(input: CloudMapCreateServiceInput, signal?: AbortSignal) {
      const out = await call("CreateService", (o) => client.send(new CreateServiceCommand(input), o), signal);
      return serviceInfo("CreateService", out.Service, input.NamespaceId);
    },

    async getService(serviceId: string, signal?: AbortSignal) {
      const out = await call(
        "GetService",
        (o) => client.send(new GetServiceCommand({ Id: serviceId }), o),
        signal,
      );
      return serviceInfo("GetService", out.Service);
    },

    async updateServiceDnsRecords(serviceId: string, records: DnsRecord[], signal?: AbortSignal) {
      const out = await call(
        "UpdateService",
        (o) =>
          client.send(
            new UpdateServiceCommand({ Id: serviceId, Service: { DnsConfig: { DnsRecords: records } } }),
            o,
          ),
        signal,
      );
      if (out.OperationId === undefined)
        throw malformedResponse("servicediscovery", "UpdateService", "OperationId");
      return out.OperationId;
    },

    async deleteService(serviceId: string, signal?: AbortSignal) {
      await call("DeleteService", (o) => client.send(new DeleteServiceCommand({ Id: serviceId }), o), signal);
    },

    listInstanceIds(serviceId: string, signal?: AbortSignal) {
      return allPages(async (nextToken) => {
        const out = await call(
          "ListInstances",
          (o) =>
            client.send(
              new ListInstancesCommand({
                ServiceId: serviceId,
                ...(nextToken === undefined ? {} : { NextToken: nextToken }),
              }),
              o,
            ),
          signal,
        );
        return {
          items: (out.Instances ?? []).flatMap((i) => (i.Id === undefined ? [] : [i.Id])),
          next: out.NextToken,
        };
      });
    },

    async listTags(arn: string, signal?: AbortSignal) {
      const out = await call(
        "ListTagsForResource",
        (o) => client.send(new ListTagsForResourceCommand({ ResourceARN: arn }), o),
        signal,
      );
      return cloudMapTagMap(out.Tags);
    },

    async tagResource(arn: string, tags: TagMap, signal?: AbortSignal) {
      await call(
        "TagResource",
        (o) => client.send(new TagResourceCommand({ ResourceARN: arn, Tags: cloudMapTags(tags) }), o),
        signal,
      );
    },

    async untagResource(arn: string, keys: string[], signal?: AbortSignal) {
      await call(
        "UntagResource",
        (o) => client.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: keys }), o),
        signal,
      );
    },

    ...instanceMethods(client, call),
  };
}
