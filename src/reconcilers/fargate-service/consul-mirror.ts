/**
 * The FargateService's view of its Consul mirror: the CatalogSync of its Cloud Map namespace (looked up across
 * every metadata.namespace) and what that CatalogSync's status reports for this service's Cloud Map service. The
 * FargateService never talks to Consul itself: the report is what works for placement: task too (DESIGN 10).
 */
import { catalogSyncsOf, namespaceRefKey } from "../catalog-sync/precedence.js";
import type { ConsulMirrorObservation, EnsuredCloudMapService, FargateServiceRecord } from "./context.js";
import type { FargateServiceStepDeps } from "./steps.js";

function text(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** Reads what the namespace's CatalogSync reports about `cloudMap` (the service's Cloud Map service). */
export async function observeConsulMirror(
  deps: Pick<FargateServiceStepDeps, "store">,
  record: FargateServiceRecord,
  cloudMap: EnsuredCloudMapService,
): Promise<ConsulMirrorObservation> {
  const refKey = namespaceRefKey(record.spec.discovery?.cloudMap?.namespaceRef, record.metadata.namespace);
  if (refKey === undefined) return { state: "noCatalogSync", message: "spec.discovery.cloudMap is not set" };
  const [sync] = catalogSyncsOf(await deps.store.list("CatalogSync"), refKey);
  if (sync === undefined) {
    return {
      state: "noCatalogSync",
      message: `no CatalogSync syncs CloudMapNamespace ${refKey}, so nothing mirrors this service into Consul`,
    };
  }
  const name = `${sync.metadata.namespace}/${sync.metadata.name}`;
  const spec = sync.spec as {
    placement?: unknown;
    task?: { engine?: unknown };
    toConsul?: { prefix?: unknown; enabled?: unknown };
  };
  if (spec.toConsul?.enabled === false) {
    return {
      state: "noCatalogSync",
      message: `CatalogSync ${name} does not sync Cloud Map into Consul (toConsul.enabled is false)`,
    };
  }
  const consulPrefix = text(spec.toConsul?.prefix, "");
  if (spec.placement === "task" && spec.task?.engine === "consul-aws") {
    return { state: "unreported", catalogSync: name, consulPrefix };
  }
  const toConsul = (sync.status?.sync as { toConsul?: unknown } | undefined)?.toConsul;
  const entries = Array.isArray(toConsul) ? (toConsul as Array<Record<string, unknown>>) : [];
  const entry = entries.find((e) => e.cloudMapServiceId === cloudMap.serviceId);
  return {
    state: "reported",
    catalogSync: name,
    consulPrefix,
    ...(entry === undefined
      ? {}
      : {
          mirrored: {
            consulName: text(entry.consulName, ""),
            instances: count(entry.instances),
            passing: count(entry.passing),
            // The engine will not mirror into a Consul name that has instances it did not register.
            ...(typeof entry.refused === "string" ? { refused: entry.refused } : {}),
          },
        }),
  };
}
