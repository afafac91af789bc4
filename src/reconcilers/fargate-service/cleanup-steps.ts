/**
 * The FargateService machine's cleanup steps: pruning old task-definition revisions while the record lives, and
 * deletion through the finalizer (scale to 0, delete the ECS service and wait through DRAINING, delete the Cloud
 * Map service once empty, deregister owned revisions). Only resources whose ownership tags (uid, namespace and
 * name) are the record's are touched.
 */
import { AwsNotFoundError, AwsResourceInUseError } from "../../aws/errors.js";
import type { EcsService, TaskDefinitionRevision } from "../../aws/types.js";
import { cloudMapServiceName, ecsName } from "../../render/index.js";
import { NotFoundError } from "../../store/errors.js";
import { isOurs, ownershipOf } from "../ownership.js";
import type { DeletionProgress, FargateServiceRecord } from "./context.js";
import { ecsTags, identityOf } from "./name-check.js";
import { ownedRevisionsToDeregisterOnDelete, revisionsToPrune } from "./revisions.js";
import type { FargateServiceStepDeps } from "./steps.js";

/** The family's ACTIVE revisions with their tags, newest first (a revision gone meanwhile is skipped). */
async function activeRevisions(
  deps: FargateServiceStepDeps,
  family: string,
  signal: AbortSignal,
): Promise<TaskDefinitionRevision[]> {
  const out: TaskDefinitionRevision[] = [];
  for (const arn of await deps.ecs.listActiveRevisions(family, signal)) {
    try {
      out.push(await deps.ecs.describeTaskDefinition(arn, signal));
    } catch (error) {
      if (!(error instanceof AwsNotFoundError)) throw error;
    }
  }
  return out;
}

/** Deregisters owned revisions beyond the newest `keepRevisions` that no deployment runs; returns their ARNs. */
export async function pruneRevisions(
  deps: FargateServiceStepDeps,
  record: FargateServiceRecord,
  service: EcsService,
  signal: AbortSignal,
): Promise<string[]> {
  const revisions = await activeRevisions(deps, ecsName(record.metadata), signal);
  const inUse = (service.deployments ?? []).flatMap((d) =>
    d.taskDefinition === undefined ? [] : [d.taskDefinition],
  );
  const doomed = revisionsToPrune({
    revisions,
    owner: identityOf(record),
    keep: deps.settings.keepRevisions,
    inUse,
  });
  for (const arn of doomed) await deps.ecs.deregisterTaskDefinition(arn, signal);
  return doomed;
}

/** Scales the owned ECS service to 0 and deletes it; complete once ECS no longer lists it (INACTIVE). */
export async function deleteEcsService(
  deps: FargateServiceStepDeps,
  record: FargateServiceRecord,
  signal: AbortSignal,
): Promise<DeletionProgress> {
  const { cluster } = record.spec;
  const name = ecsName(record.metadata);
  const observed = await deps.ecs.describeService(cluster, name, { maxAgeMs: 0, signal });
  if (observed === undefined) {
    deps.ecs.forgetService(cluster, name);
    return { complete: true, message: `ECS service ${name} is gone` };
  }
  if (!isOurs(ownershipOf(ecsTags(observed), identityOf(record)))) {
    return { complete: true, message: `ECS service ${name} is not ours: left in place` };
  }
  if (observed.status === "DRAINING") {
    return {
      complete: false,
      message: `ECS service ${name} is DRAINING (${observed.runningCount ?? 0} tasks still running)`,
    };
  }
  if ((observed.desiredCount ?? 0) > 0) {
    await deps.ecs.updateService({ cluster, service: name, desiredCount: 0 }, signal);
  }
  await deps.ecs.deleteService(cluster, name, signal);
  return { complete: false, message: `ECS service ${name} scaled to 0 and deleted; waiting for it to drain` };
}

/**
 * The Cloud Map service a pass created but never recorded on the status (it died, or its status write lost to
 * the deletion): the one of the record's service name in the referenced namespace, if any. Ownership is checked
 * by the caller before anything is deleted.
 */
async function unrecordedCloudMapServiceId(
  deps: FargateServiceStepDeps,
  record: FargateServiceRecord,
  signal: AbortSignal,
): Promise<string | undefined> {
  const ref = record.spec.discovery?.cloudMap?.namespaceRef;
  if (ref === undefined) return undefined;
  let namespaceId: unknown;
  try {
    const found = await deps.store.get(
      "CloudMapNamespace",
      ref.namespace ?? record.metadata.namespace,
      ref.name,
    );
    namespaceId = found.status?.namespaceId;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
  if (typeof namespaceId !== "string") return undefined;
  const name = cloudMapServiceName(record.spec, record.metadata);
  return (await deps.cloudMapCache.serviceNamed(namespaceId, name, 0, signal))?.id;
}

/** Deletes the owned Cloud Map service once ECS has deregistered every instance. */
export async function deleteCloudMapService(
  deps: FargateServiceStepDeps,
  record: FargateServiceRecord,
  signal: AbortSignal,
): Promise<DeletionProgress> {
  const serviceId =
    record.status.cloudMap?.serviceId ?? (await unrecordedCloudMapServiceId(deps, record, signal));
  if (serviceId === undefined) return { complete: true, message: "no Cloud Map service recorded" };
  try {
    // About to delete: read fresh, whatever the cache holds.
    const service = await deps.cloudMapCache.readService(serviceId, signal);
    if (service === undefined) return { complete: true, message: "Cloud Map service gone" };
    const tags = await deps.cloudMapCache.tags(service.arn, { fresh: true, signal });
    if (!isOurs(ownershipOf(tags, identityOf(record)))) {
      return { complete: true, message: `Cloud Map service ${serviceId} is not ours: left in place` };
    }
    const instances = await deps.cloudMap.listInstanceIds(serviceId, signal);
    if (instances.length > 0) {
      return {
        complete: false,
        message: `Cloud Map service ${serviceId} still has ${instances.length} instance(s); waiting for ECS to deregister them`,
      };
    }
    await deps.cloudMapCache.deleteService(service, signal);
    return { complete: true, message: `Cloud Map service ${serviceId} deleted` };
  } catch (error) {
    if (error instanceof AwsNotFoundError) return { complete: true, message: "Cloud Map service gone" };
    if (error instanceof AwsResourceInUseError) {
      return { complete: false, message: `Cloud Map service ${serviceId} is still in use` };
    }
    throw error;
  }
}

/** Deregisters every owned ACTIVE revision of the family (the service is gone, nothing runs them). */
export async function deregisterOwnedRevisions(
  deps: FargateServiceStepDeps,
  record: FargateServiceRecord,
  signal: AbortSignal,
): Promise<string[]> {
  const revisions = await activeRevisions(deps, ecsName(record.metadata), signal);
  const doomed = ownedRevisionsToDeregisterOnDelete(revisions, identityOf(record));
  for (const arn of doomed) await deps.ecs.deregisterTaskDefinition(arn, signal);
  return doomed;
}
