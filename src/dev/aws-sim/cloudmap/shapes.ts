import { epochSeconds } from "../context.js";
import type { CloudMapState, CmNamespace, CmOperation, CmService } from "./state.js";

/** A namespace in GetNamespace's `Namespace` shape. */
export function namespaceShape(state: CloudMapState, ns: CmNamespace): Record<string, unknown> {
  return {
    ...namespaceSummaryShape(state, ns),
    CreatorRequestId: ns.creatorRequestId,
  };
}

/** A namespace in ListNamespaces' `NamespaceSummary` shape. */
export function namespaceSummaryShape(state: CloudMapState, ns: CmNamespace): Record<string, unknown> {
  return {
    Id: ns.id,
    Arn: ns.arn,
    ResourceOwner: state.ctx.accountId,
    Name: ns.name,
    Type: "DNS_PRIVATE",
    Description: ns.description,
    ServiceCount: state.servicesIn(ns.id).length,
    Properties: {
      DnsProperties: { HostedZoneId: ns.hostedZoneId, SOA: { TTL: ns.soaTtl } },
      HttpProperties: { HttpName: ns.name },
    },
    CreateDate: epochSeconds(ns.createdAt),
  };
}

/** A service in CreateService/GetService's `Service` shape. */
export function serviceShape(state: CloudMapState, svc: CmService): Record<string, unknown> {
  return {
    ...serviceSummaryShape(state, svc),
    NamespaceId: svc.namespaceId,
    CreatorRequestId: svc.creatorRequestId,
  };
}

/** A service in ListServices' `ServiceSummary` shape. */
export function serviceSummaryShape(state: CloudMapState, svc: CmService): Record<string, unknown> {
  return {
    Id: svc.id,
    Arn: svc.arn,
    ResourceOwner: state.ctx.accountId,
    Name: svc.name,
    Type: svc.type,
    Description: svc.description,
    InstanceCount: svc.instances.size,
    DnsConfig:
      svc.dnsRecords === undefined
        ? undefined
        : {
            NamespaceId: svc.namespaceId,
            RoutingPolicy: svc.routingPolicy,
            DnsRecords: svc.dnsRecords.map((r) => ({ ...r })),
          },
    HealthCheckConfig: svc.healthCheckConfig,
    HealthCheckCustomConfig: svc.hasCustomHealth
      ? svc.healthCheckCustomFailureThreshold === undefined
        ? {}
        : { FailureThreshold: svc.healthCheckCustomFailureThreshold }
      : undefined,
    CreateDate: epochSeconds(svc.createdAt),
    CreatedByAccount: state.ctx.accountId,
  };
}

/** An operation in GetOperation's `Operation` shape. */
export function operationShape(state: CloudMapState, op: CmOperation): Record<string, unknown> {
  return {
    Id: op.id,
    OwnerAccount: state.ctx.accountId,
    Type: op.type,
    Status: op.status,
    ErrorMessage: op.errorMessage,
    ErrorCode: op.errorCode,
    CreateDate: epochSeconds(op.createdAt),
    UpdateDate: epochSeconds(op.updatedAt),
    Targets: { ...op.targets },
  };
}
