/** Stored records for status-page tests and the bench, shaped as the store returns them. */
import { specHash } from "../../src/crds/hash.js";
import { API_VERSION, type Kind } from "../../src/crds/meta.js";
import type { StoredResource } from "../../src/store/types.js";

/** A stored record of `kind` with the given spec, status and labels. */
export function storedRecord(
  kind: Kind,
  namespace: string,
  name: string,
  parts: {
    spec?: Record<string, unknown>;
    status?: Record<string, unknown>;
    labels?: Record<string, string>;
  } = {},
): StoredResource {
  const spec = parts.spec ?? {};
  return {
    apiVersion: API_VERSION,
    kind,
    metadata: {
      name,
      namespace,
      uid: `uid-${namespace}-${name}`,
      generation: 1,
      resourceVersion: "1",
      creationTimestamp: "2025-01-01T00:00:00.000Z",
      finalizers: [],
      labels: parts.labels ?? {},
      annotations: {},
      ownerReferences: [],
    },
    spec,
    ...(parts.status === undefined ? {} : { status: parts.status }),
    specHash: specHash(spec),
  };
}

/** The kstatus trio of a record that is Ready, or Stalled / Reconciling with `reason`. */
export function conditions(
  state: "Ready" | "Reconciling" | "Stalled",
  reason = state === "Ready" ? "Ready" : "Working",
  message = "",
): Array<Record<string, unknown>> {
  const at = "2025-01-01T00:00:00.000Z";
  const c = (type: string, status: string) => ({
    type,
    status,
    reason,
    message,
    lastTransitionTime: at,
    observedGeneration: 1,
  });
  return [
    c("Ready", state === "Ready" ? "True" : "False"),
    c("Reconciling", state === "Reconciling" ? "True" : "False"),
    c("Stalled", state === "Stalled" ? "True" : "False"),
  ];
}

/** A Ready FargateService with both DNS names and `running` of `desired` tasks. */
export function readyService(namespace: string, name: string, running = 2, desired = 2): StoredResource {
  return storedRecord("FargateService", namespace, name, {
    spec: { cluster: "apps", desiredCount: desired, containers: [{ name: "web", image: "nginx:1.27" }] },
    status: {
      conditions: conditions(running === desired ? "Ready" : "Reconciling"),
      replicas: { desired, running, pending: desired - running },
      rollout: {
        state: running === desired ? "COMPLETED" : "IN_PROGRESS",
        deploymentId: "d-1",
        startedAt: "2025-01-01T00:00:00.000Z",
      },
      endpoints: { cloudMap: `${name}.apps.internal`, consul: `${name}.service.consul` },
    },
  });
}
