/**
 * Removes what one CatalogSync's engine created, after the engine stopped: its registrations on the namespace's
 * synthetic Consul node (service meta `fargate-operator-sync` = uid), then the node once nothing is left on it,
 * and in Cloud Map its instances (attribute `fargate-operator-sync` = uid) and the services it created (tag
 * `fargate-operator:catalog-sync` = uid). Anything else is never touched. Cloud Map deregistration is
 * asynchronous, so a service still holding instances is reported as pending and deleted by a later pass.
 */
import { AwsNotFoundError, AwsResourceInUseError } from "../../aws/errors.js";
import type { CloudMapGateway } from "../../aws/types.js";
import type { ConsulClient } from "../../consul/client.js";
import type { Logger } from "../../log.js";
import { TagKey } from "../../render/names.js";
import { EXTERNAL_SOURCE, SyncKey, syncNodeName } from "../../sync/names.js";
import type { SyncDeletionProgress } from "./context.js";

/** The clients cleanup uses. */
export interface SyncCleanupDeps {
  cloudMap: CloudMapGateway;
  /** Undefined when Consul cannot be reached from here (its entries are then left). */
  consul: ConsulClient | undefined;
  /** True when a Consul failure is logged and skipped rather than retried (placement: task). */
  consulBestEffort: boolean;
  log: Logger;
}

/** Which sync's state to remove. */
export interface SyncCleanupTarget {
  namespaceId: string;
  uid: string;
}

/** Removes the uid's registrations from the namespace's synthetic node, and the node once it is empty. */
async function cleanConsul(consul: ConsulClient, dnsName: string, uid: string, signal: AbortSignal) {
  const node = syncNodeName(dnsName);
  const found = await consul.nodeServices(node, { signal });
  if (found === undefined) return 0;
  const ours = found.services.filter((s) => s.meta[SyncKey.Owner] === uid);
  for (const service of ours) await consul.deregister({ node, serviceId: service.id }, { signal });
  const othersLeft = found.services.length > ours.length;
  if (!othersLeft && found.node.meta[SyncKey.ExternalSource] === EXTERNAL_SOURCE) {
    await consul.deregister({ node }, { signal });
  }
  return ours.length;
}

/** Deregisters the uid's instances and deletes the services it created; returns what is still pending. */
async function cleanCloudMap(cloudMap: CloudMapGateway, target: SyncCleanupTarget, signal: AbortSignal) {
  const pending: string[] = [];
  let removed = 0;
  for (const service of await cloudMap.listServices(target.namespaceId, signal)) {
    try {
      const tags = await cloudMap.listTags(service.arn, signal);
      const serviceIsOurs = tags[TagKey.SyncOwner] === target.uid;
      const instances = await cloudMap.listInstances(service.id, signal);
      const ours = instances.filter((i) => i.attributes[SyncKey.Owner] === target.uid);
      for (const instance of ours) await cloudMap.deregisterInstance(service.id, instance.id, signal);
      removed += ours.length;
      if (!serviceIsOurs) continue;
      if (instances.length > ours.length) {
        pending.push(`${service.name} (holds instances of others: left in place)`);
        continue;
      }
      try {
        await cloudMap.deleteService(service.id, signal);
      } catch (error) {
        if (!(error instanceof AwsResourceInUseError)) throw error;
        pending.push(`${service.name} (instances still deregistering)`);
      }
    } catch (error) {
      if (!(error instanceof AwsNotFoundError)) throw error;
    }
  }
  return { pending: pending.filter((p) => !p.includes("left in place")), removed };
}

/** Removes the sync's state from both sides; complete once nothing of it is left in Cloud Map. */
export async function cleanUpSyncedState(
  deps: SyncCleanupDeps,
  target: SyncCleanupTarget,
  signal: AbortSignal,
): Promise<SyncDeletionProgress> {
  let dnsName: string | undefined;
  try {
    dnsName = (await deps.cloudMap.getNamespace(target.namespaceId, signal)).name;
  } catch (error) {
    if (!(error instanceof AwsNotFoundError)) throw error;
  }
  if (dnsName === undefined) {
    return {
      complete: true,
      message: `Cloud Map namespace ${target.namespaceId} is gone: nothing to clean up`,
    };
  }
  let consulRemoved = 0;
  if (deps.consul !== undefined) {
    try {
      consulRemoved = await cleanConsul(deps.consul, dnsName, target.uid, signal);
    } catch (error) {
      if (!deps.consulBestEffort || signal.aborted) throw error;
      deps.log.warn({ err: error }, "cannot clean up the sync's Consul entries; they stay");
    }
  }
  const cloudMap = await cleanCloudMap(deps.cloudMap, target, signal);
  if (cloudMap.pending.length > 0) {
    return {
      complete: false,
      message: `removing the sync's Cloud Map services: ${cloudMap.pending.join(", ")}`,
    };
  }
  return {
    complete: true,
    message: `removed ${consulRemoved} Consul registration(s) and ${cloudMap.removed} Cloud Map instance(s)`,
  };
}
