/**
 * The FargateService machine's I/O steps. Each is idempotent (a re-run after a crash finds what the last run
 * made: deterministic names, hash tags, clientToken, CreatorRequestId, ownership tags) and passes its
 * AbortSignal to every call.
 */
import type { ApplicationAutoScalingGateway } from "../../aws/application-autoscaling-shapes.js";
import type { CloudMapServiceCache } from "../../aws/cloud-map-cache.js";
import { AwsNotFoundError } from "../../aws/errors.js";
import type { CloudMapGateway, EcsGateway, EcsService, TaskDefinitionRevision } from "../../aws/types.js";
import { RolloutState } from "../../crds/index.js";
import {
  deletionPolicyTag,
  ecsName,
  RenderError,
  renderEcsService,
  renderTaskDefinition,
  TagKey,
  userTags,
} from "../../render/index.js";
import { PermanentError } from "../../runtime/errors.js";
import type { ResourceStore } from "../../store/types.js";
import {
  describeOwner,
  isOurs,
  needsOwnershipTags,
  Ownership,
  ownershipOf,
  ownershipTagMap,
} from "../ownership.js";
import { adoptedRevision } from "./adopted-revision.js";
import type {
  EnsuredCloudMapService,
  EnsuredEcsService,
  EnsuredTaskDefinition,
  FargateServiceRecord,
  FargateServiceSettings,
} from "./context.js";
import { desiredUpdateFor, diffService } from "./diff.js";
import { assertNameFree, ecsTags, identityOf, NameConflictError, NameReason } from "./name-check.js";
import { renderContextOf } from "./render-context.js";
import { evaluateRollout } from "./rollout.js";

/** What the steps need from outside. */
export interface FargateServiceStepDeps {
  store: ResourceStore;
  ecs: EcsGateway;
  cloudMap: CloudMapGateway;
  /** Shared Cloud Map listings and tags (one per controller): steady-state passes read Cloud Map through it. */
  cloudMapCache: CloudMapServiceCache;
  settings: FargateServiceSettings;
  /** Application Auto Scaling; needed only by records with spec.autoscaling (autoscaling.ts). */
  autoscaling?: ApplicationAutoScalingGateway;
}

/** Revisions of the family looked at when searching for one whose hash tag matches. */
const REVISIONS_SEARCHED = 10;

/** Rethrows a render failure as InvalidSpec (any other error as it is). */
export function invalidSpec(error: unknown): never {
  if (error instanceof RenderError) throw new PermanentError("InvalidSpec", error.message, { cause: error });
  throw error;
}

/**
 * The task definition to run: the status's revision when its hash still matches (no AWS call), else the revision
 * an adopted service runs when it says the same (adoptedRevision), else the newest ACTIVE owned revision of the
 * family with the same hash tag, else a new registration.
 */
export async function ensureTaskDefinition(
  deps: FargateServiceStepDeps,
  record: FargateServiceRecord,
  namespaceDnsName: string | undefined,
  signal: AbortSignal,
  observed?: EcsService,
): Promise<EnsuredTaskDefinition> {
  let rendered: ReturnType<typeof renderTaskDefinition>;
  try {
    rendered = renderTaskDefinition(
      record.spec,
      renderContextOf(record, deps.settings.region, namespaceDnsName),
    );
  } catch (error) {
    invalidSpec(error);
  }
  const { hash, input } = rendered;
  const { status } = record;
  if (status.taskDefinitionHash === hash && status.taskDefinitionArn !== undefined) {
    return { arn: status.taskDefinitionArn, hash, registered: false };
  }
  const adopted = await adoptedRevision(deps, record, observed, input, signal);
  if (adopted !== undefined) return { arn: adopted, hash, registered: false };
  const family = ecsName(record.metadata);
  const identity = identityOf(record);
  const arns = await deps.ecs.listActiveRevisions(family, signal);
  for (const arn of arns.slice(0, REVISIONS_SEARCHED)) {
    let revision: TaskDefinitionRevision;
    try {
      revision = await deps.ecs.describeTaskDefinition(arn, signal);
    } catch (error) {
      if (error instanceof AwsNotFoundError) continue;
      throw error;
    }
    const ownership = ownershipOf(revision.tags, identity);
    if (revision.tags[TagKey.Hash] === hash && isOurs(ownership)) {
      return { arn: revision.arn, hash, registered: false };
    }
    const sameKey =
      revision.tags[TagKey.Namespace] === identity.namespace && revision.tags[TagKey.Name] === identity.name;
    if (ownership === Ownership.OtherRecord && !sameKey) {
      throw new NameConflictError(
        NameReason.NameConflict,
        `task-definition family ${family} holds revisions of ${describeOwner(revision.tags, "FargateService")}; rename this record`,
      );
    }
  }
  const registered = await deps.ecs.registerTaskDefinition(input, signal);
  return { arn: registered.arn, hash, registered: true };
}

/**
 * True when the recorded rollout was pushed for this very spec. Every pass records `observedSpecHash` (one that
 * only found the namespace not ready, too), so the rollout carries its own; statuses written before it did fall
 * back to `observedSpecHash`, which only rollouts wrote then.
 */
function rolloutIsForThisSpec(record: FargateServiceRecord): boolean {
  const { status } = record;
  return (status.rollout?.specHash ?? status.observedSpecHash) === record.specHash;
}

/**
 * True when this very spec was already pushed and its rollout failed (recorded, or a circuit-breaker rollback
 * seen now): do not push it again until the spec changes, or every pass would start a doomed deployment.
 */
function failedForThisSpec(
  record: FargateServiceRecord,
  taskDefinition: EnsuredTaskDefinition,
  observed: EcsService,
  now: number,
): boolean {
  const { status, metadata } = record;
  const pushed =
    status.taskDefinitionArn === taskDefinition.arn &&
    status.taskDefinitionHash === taskDefinition.hash &&
    status.observedGeneration === metadata.generation &&
    status.observedSpecHash === record.specHash &&
    rolloutIsForThisSpec(record);
  if (!pushed) return false;
  if (status.rollout?.state === RolloutState.Failed) return true;
  const observation = evaluateRollout({
    service: observed,
    taskDefinitionArn: taskDefinition.arn,
    timeoutSeconds: record.spec.deployment.timeoutSeconds,
    now,
    ...(status.rollout === undefined ? {} : { previous: status.rollout }),
  });
  return observation.state === RolloutState.Failed;
}

/**
 * How fresh the ECS observation must be: fresh after a spec change, while a rollout runs and while the task
 * count has not reached the spec's (a cached observation would freeze the replicas a scale-up is followed by).
 */
export function maxAgeFor(record: FargateServiceRecord, settings: FargateServiceSettings): number {
  const { status, metadata } = record;
  const replicas = status.replicas;
  const settled =
    status.serviceArn !== undefined &&
    status.observedGeneration === metadata.generation &&
    status.observedSpecHash === record.specHash &&
    status.rollout?.state === RolloutState.Completed &&
    rolloutIsForThisSpec(record) &&
    replicas !== undefined &&
    // With autoscaling the scaler owns the count: ECS's, whatever it is, is the one to settle at.
    (record.spec.autoscaling !== undefined || replicas.desired === record.spec.desiredCount) &&
    replicas.running === replicas.desired &&
    replicas.pending === 0;
  return settled ? settings.steadyStateMaxAgeMs : 0;
}

/**
 * Tags an adopted service with our ownership, and keeps the deletion-policy tag in step with the spec (the orphan
 * sweep reads it once no spec is left). The cached observation is dropped after a change so no pass tags twice.
 */
async function alignEcsServiceTags(
  deps: FargateServiceStepDeps,
  record: FargateServiceRecord,
  observed: EcsService,
  tags: Record<string, string>,
  ownership: Ownership,
  signal: AbortSignal,
): Promise<void> {
  if (observed.serviceArn === undefined) return;
  const [policyKey, policy] = deletionPolicyTag(record.spec);
  const add: Record<string, string> = {
    // The user's spec.tags, added or changed (a tag dropped from the spec stays: we cannot tell it was ours).
    ...Object.fromEntries(userTags(record.spec).filter(([k, v]) => tags[k] !== v)),
    ...(needsOwnershipTags(ownership) ? ownershipTagMap(record.metadata) : {}),
    ...(tags[policyKey] === policy ? {} : { [policyKey]: policy }),
    // Kept once set (a target may outlive the spec's autoscaling); the orphan sweep reads it.
    ...(record.spec.autoscaling !== undefined && tags[TagKey.Autoscaling] !== "true"
      ? { [TagKey.Autoscaling]: "true" }
      : {}),
  };
  if (Object.keys(add).length === 0) return;
  await deps.ecs.tagResource(observed.serviceArn, add, signal);
  deps.ecs.forgetService(record.spec.cluster, ecsName(record.metadata));
}

/**
 * The ECS service: created with the clientToken, updated only on a real difference, adopted only when allowed.
 * `observed` is what the name check read at the start of the pass (undefined: absent).
 */
export async function ensureEcsService(
  deps: FargateServiceStepDeps,
  record: FargateServiceRecord,
  taskDefinition: EnsuredTaskDefinition,
  cloudMap: EnsuredCloudMapService | undefined,
  serviceConnectNamespaceArn: string | undefined,
  namespaceDnsName: string | undefined,
  observed: EcsService | undefined,
  now: number,
  signal: AbortSignal,
): Promise<EnsuredEcsService> {
  let rendered: ReturnType<typeof renderEcsService>;
  try {
    rendered = renderEcsService(
      record.spec,
      renderContextOf(record, deps.settings.region, namespaceDnsName),
      {
        taskDefinitionArn: taskDefinition.arn,
        ...(cloudMap === undefined ? {} : { cloudMapServiceArn: cloudMap.serviceArn }),
        ...(serviceConnectNamespaceArn === undefined ? {} : { serviceConnectNamespaceArn }),
      },
    );
  } catch (error) {
    invalidSpec(error);
  }
  const { cluster } = record.spec;
  const name = ecsName(record.metadata);
  if (observed === undefined) {
    const service = await deps.ecs.createService(rendered.create, signal);
    return { service, action: "created", changed: [] };
  }
  if (observed.status === "DRAINING") return { service: observed, action: "draining", changed: [] };
  const tags = ecsTags(observed);
  assertNameFree(
    record,
    tags,
    `ECS service ${name} in cluster ${cluster}`,
    "FargateService",
    "rename this record",
  );
  await alignEcsServiceTags(deps, record, observed, tags, ownershipOf(tags, identityOf(record)), signal);
  if (failedForThisSpec(record, taskDefinition, observed, now)) {
    return { service: observed, action: "heldAfterFailure", changed: [] };
  }
  const differences = diffService(rendered.update, observed);
  if (differences.length === 0) return { service: observed, action: "unchanged", changed: [] };
  const service = await deps.ecs.updateService(desiredUpdateFor(rendered.update, differences), signal);
  return { service, action: "updated", changed: differences.map((d) => d.field) };
}
