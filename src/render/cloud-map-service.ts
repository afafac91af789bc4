/** The Cloud Map CreateService input of a FargateService with `discovery.cloudMap`. Pure. */
import type { CreateServiceCommandInput } from "@aws-sdk/client-servicediscovery";
import type { FargateServiceSpec } from "../crds/index.js";
import { RenderError } from "./errors.js";
import { cloudMapServiceName, ownershipTags, type RenderContext } from "./names.js";

/**
 * MULTIVALUE routing with A (and SRV when asked) records at the spec's TTL and a custom health check (ECS reports
 * task health). `CreatorRequestId` is the record's uid, so a retried create never makes a second service.
 */
export function renderCloudMapService(
  spec: FargateServiceSpec,
  context: RenderContext,
  namespaceId: string,
): CreateServiceCommandInput {
  const cloudMap = spec.discovery?.cloudMap;
  if (cloudMap === undefined) throw new RenderError("spec.discovery.cloudMap is not set");
  const records = cloudMap.records.includes("SRV") ? (["A", "SRV"] as const) : (["A"] as const);
  return {
    Name: cloudMapServiceName(spec, context.metadata),
    NamespaceId: namespaceId,
    CreatorRequestId: context.metadata.uid,
    Description: `FargateService ${context.metadata.namespace}/${context.metadata.name}`,
    DnsConfig: {
      RoutingPolicy: "MULTIVALUE",
      DnsRecords: records.map((Type) => ({ Type, TTL: cloudMap.dnsTtl })),
    },
    HealthCheckCustomConfig: {},
    Tags: ownershipTags(context.metadata).map(([Key, Value]) => ({ Key, Value })),
  };
}
