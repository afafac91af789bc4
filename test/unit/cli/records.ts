/** Stored records for the CLI's pure tests. */

import { specHash } from "../../../src/crds/index.js";
import type { Condition, Kind } from "../../../src/crds/meta.js";
import type { StoredResource } from "../../../src/store/types.js";

/**
 * A record of `kind` with the given generation, status and metadata overrides. A status without an
 * `observedSpecHash` key gets the spec's hash, as the controller writes it; give the key to say otherwise.
 */
export function record(
  name: string,
  options: {
    kind?: Kind;
    namespace?: string;
    generation?: number;
    spec?: Record<string, unknown>;
    status?: Record<string, unknown>;
    labels?: Record<string, string>;
    deletionTimestamp?: string;
    resourceVersion?: string;
  } = {},
): StoredResource {
  const spec = options.spec ?? { cluster: "apps", desiredCount: 2 };
  return {
    apiVersion: "fargate-operator/v1alpha1",
    kind: options.kind ?? "FargateService",
    metadata: {
      name,
      namespace: options.namespace ?? "default",
      uid: `uid-${name}`,
      generation: options.generation ?? 1,
      resourceVersion: options.resourceVersion ?? "1",
      creationTimestamp: "2024-01-01T00:00:00.000Z",
      finalizers: [],
      labels: options.labels ?? {},
      annotations: {},
      ownerReferences: [],
      ...(options.deletionTimestamp === undefined ? {} : { deletionTimestamp: options.deletionTimestamp }),
    },
    spec,
    ...(options.status === undefined
      ? {}
      : {
          status:
            "observedSpecHash" in options.status
              ? options.status
              : { ...options.status, observedSpecHash: specHash(spec) },
        }),
    specHash: specHash(spec),
  };
}

/** A condition for `observedGeneration`. */
export function condition(
  type: string,
  status: Condition["status"],
  observedGeneration: number,
  reason = "Reason",
  message = "",
): Condition {
  return {
    type,
    status,
    reason,
    message,
    observedGeneration,
    lastTransitionTime: "2024-01-01T00:00:00.000Z",
  };
}
