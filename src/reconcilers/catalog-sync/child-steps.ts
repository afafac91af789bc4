/**
 * The CatalogSync machine's steps for placement: task: the owned `<name>-sync` FargateService is applied (an
 * unchanged one writes nothing) and found again by its deterministic name; deletion waits until it is gone.
 */
import { ConditionStatus, formatPath, validateDocument } from "../../crds/index.js";
import type { Condition } from "../../crds/meta.js";
import { PermanentError } from "../../runtime/errors.js";
import { NotFoundError } from "../../store/errors.js";
import type { ResourceDocument, ResourceStore, StoredResource } from "../../store/types.js";
import { ConditionType, findCondition } from "../conditions.js";
import { governingOf } from "./access.js";
import { renderSyncChild, syncChildName } from "./child-service.js";
import type { CatalogSyncRecord, EnsuredChild, SyncDeletionProgress } from "./context.js";
import { planConsulConnection } from "./credentials.js";
import type { CatalogSyncStepDeps } from "./steps.js";

/** True when `child` lists `uid` as its CatalogSync owner. */
function ownedBy(child: StoredResource, uid: string): boolean {
  return child.metadata.ownerReferences.some((o) => o.kind === "CatalogSync" && o.uid === uid);
}

async function readChild(store: ResourceStore, namespace: string, name: string) {
  try {
    return await store.get("FargateService", namespace, name);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** Creates or updates the child FargateService (placement: task) and reports whether it is Ready. */
export async function ensureChild(
  deps: CatalogSyncStepDeps,
  record: CatalogSyncRecord,
  namespace: { namespaceId: string; dnsName: string },
): Promise<EnsuredChild> {
  const { metadata, spec } = record;
  // The same rules as the engine's: the task never gets a token for an address the policy does not allow.
  const connection = planConsulConnection(spec, deps.settings.consul, governingOf(deps, record));
  const rendered = renderSyncChild(metadata, spec, {
    namespace,
    connection,
    syncImage: deps.settings.syncImage,
    table: deps.settings.table,
    region: deps.settings.region,
  });
  const validated = validateDocument(rendered);
  if (!validated.ok) {
    const message = validated.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join("; ");
    throw new PermanentError("InvalidSpec", `the sync task's FargateService would be invalid: ${message}`);
  }
  const name = syncChildName(metadata.name);
  const existing = await readChild(deps.store, metadata.namespace, name);
  if (existing !== undefined && !ownedBy(existing, metadata.uid)) {
    throw new PermanentError(
      "AlreadyExists",
      `FargateService ${metadata.namespace}/${name} exists and is not owned by this CatalogSync`,
    );
  }
  if (existing?.metadata.deletionTimestamp !== undefined) {
    return { name, ready: false, message: "an earlier sync task is still being deleted" };
  }
  const { resource } = await deps.store.apply(validated.document as unknown as ResourceDocument);
  const conditions = resource.status?.conditions as Condition[] | undefined;
  const ready = findCondition(conditions, ConditionType.Ready);
  const current =
    ready?.observedGeneration === resource.metadata.generation &&
    resource.status?.observedSpecHash === resource.specHash;
  return {
    name,
    ready: current && ready?.status === ConditionStatus.True,
    message: current && ready !== undefined ? `${ready.reason}: ${ready.message}` : "not reconciled yet",
  };
}

/** Deletes the owned child FargateService and waits until the store no longer has it. */
export async function deleteChild(
  deps: CatalogSyncStepDeps,
  record: CatalogSyncRecord,
): Promise<SyncDeletionProgress> {
  const { metadata } = record;
  const name = syncChildName(metadata.name);
  const child = await readChild(deps.store, metadata.namespace, name);
  if (child === undefined) return { complete: true, message: `no sync task FargateService ${name}` };
  if (!ownedBy(child, metadata.uid)) {
    return { complete: true, message: `FargateService ${name} is not ours: left in place` };
  }
  if (child.metadata.deletionTimestamp === undefined) {
    const { removed } = await deps.store.delete("FargateService", metadata.namespace, name);
    if (removed) return { complete: true, message: `sync task FargateService ${name} deleted` };
  }
  return { complete: false, message: `waiting for the sync task FargateService ${name} to be deleted` };
}
