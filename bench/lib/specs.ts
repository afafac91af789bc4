/** The records the benchmarks apply: one Cloud Map namespace and N small FargateServices that register in it. */
import { API_VERSION, type ResourceKey, resourceKey } from "../../src/crds/meta.js";
import type { ResourceDocument } from "../../src/store/types.js";

/** Tenancy namespace of every bench record. */
export const BENCH_NAMESPACE = "bench";

/** Name of the CloudMapNamespace record the services register in. */
export const BENCH_CLOUD_MAP = "bench-internal";

/** The ECS cluster (the lenient simulator creates it on first use). */
export const BENCH_CLUSTER = "bench";

/** `svc-00001`-style names that sort in creation order. */
export function serviceName(index: number): string {
  return `svc-${String(index).padStart(5, "0")}`;
}

/** The namespace record (private DNS namespace `bench.internal`). */
export function cloudMapNamespaceDocument(): ResourceDocument {
  return {
    apiVersion: API_VERSION,
    kind: "CloudMapNamespace",
    metadata: { name: BENCH_CLOUD_MAP, namespace: BENCH_NAMESPACE },
    spec: { dnsName: "bench.internal", vpcId: "vpc-0a1b2c3d4e5f60718" },
  };
}

/** Options of {@link fargateServiceDocument}. */
export interface ServiceDocumentOptions {
  /** Register in the bench Cloud Map namespace (default true). */
  discovery?: boolean;
  desiredCount?: number;
  suspend?: boolean;
  /** Application Auto Scaling (1-3 tasks on CPU): the scaler owns the count; steady state must still write nothing. */
  autoscaling?: boolean;
}

/** One service in this many is autoscaled in the convergence and steady-state runs. */
export const AUTOSCALED_EVERY = 5;

/** One small FargateService: one nginx container, one task, Cloud Map A record. */
export function fargateServiceDocument(
  index: number,
  options: ServiceDocumentOptions = {},
): ResourceDocument {
  const spec: Record<string, unknown> = {
    cluster: BENCH_CLUSTER,
    cpu: 256,
    memory: 512,
    desiredCount: options.desiredCount ?? 1,
    containers: [{ name: "web", image: "public.ecr.aws/nginx/nginx:1.27", ports: [{ containerPort: 80 }] }],
    network: { subnets: ["subnet-0a1b2c3d4e5f60718"], securityGroups: ["sg-0123456789abcdef0"] },
  };
  if (options.discovery ?? true) spec.discovery = { cloudMap: { namespaceRef: { name: BENCH_CLOUD_MAP } } };
  if (options.suspend === true) spec.suspend = true;
  if (options.autoscaling === true) {
    spec.autoscaling = { minCount: 1, maxCount: 3, targetTracking: [{ metric: "cpu", targetValue: 60 }] };
  }
  return {
    apiVersion: API_VERSION,
    kind: "FargateService",
    metadata: { name: serviceName(index), namespace: BENCH_NAMESPACE, labels: { bench: "true" } },
    spec,
  };
}

/** The record key (`kind/namespace/name`) the controller's work queue uses. */
export function serviceKey(index: number): ResourceKey {
  return resourceKey("FargateService", BENCH_NAMESPACE, serviceName(index));
}
