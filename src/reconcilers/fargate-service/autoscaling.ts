/**
 * The FargateService's Application Auto Scaling steps (DESIGN §11 Autoscaling): after the ECS service exists,
 * register its scalable target and put our policies and scheduled actions; deregister it when `autoscaling` goes
 * or the record is deleted (before the service is scaled to 0, so the scaler cannot bring tasks back).
 *
 * Cheap in steady state: what was put is remembered as a hash in `status.autoscaling.appliedHash`, so an
 * unchanged spec costs one DescribeScalableTargets (the live bounds, which scheduled actions move) and, only
 * when the count or bounds moved, one DescribeScalingActivities. Nothing is re-put, so nothing fights the
 * scaler's or a scheduled action's changes. Only policies and scheduled actions named with our prefix are ever
 * deleted.
 */
import type {
  ApplicationAutoScalingGateway,
  EcsServiceRef,
  ScalableTargetView,
  ScalingActivityView,
} from "../../aws/application-autoscaling-shapes.js";
import type { EcsService } from "../../aws/types.js";
import type { AutoscalingStatus } from "../../crds/index.js";
import {
  AUTOSCALING_NAME_PREFIX,
  ecsName,
  RenderError,
  type RenderedAutoscaling,
  renderAutoscaling,
  samePolicy,
  sameScheduledAction,
  userTags,
} from "../../render/index.js";
import { PermanentError } from "../../runtime/errors.js";
import { isOurs, ownershipOf, ownershipTagMap } from "../ownership.js";
import type { DeletionProgress, FargateServiceRecord } from "./context.js";
import { ecsTags, identityOf } from "./name-check.js";
import type { FargateServiceStepDeps } from "./steps.js";

/** What the autoscaling step did and saw; `status` undefined means no target is ours (removed or never made). */
export interface AutoscalingObservation {
  status: AutoscalingStatus | undefined;
  /** The writes of this pass, for the log (empty in steady state). */
  changes: string[];
}

/** The scalable target of the record's ECS service. */
export function scalableTargetOf(record: FargateServiceRecord): EcsServiceRef {
  return { cluster: record.spec.cluster, service: ecsName(record.metadata) };
}

function gatewayOf(deps: FargateServiceStepDeps): ApplicationAutoScalingGateway {
  if (deps.autoscaling !== undefined) return deps.autoscaling;
  throw new PermanentError(
    "AutoscalingUnavailable",
    "spec.autoscaling is set but the controller has no Application Auto Scaling client",
  );
}

function rendered(record: FargateServiceRecord): RenderedAutoscaling | undefined {
  try {
    return renderAutoscaling(record.spec);
  } catch (error) {
    if (error instanceof RenderError)
      throw new PermanentError("InvalidSpec", error.message, { cause: error });
    throw error;
  }
}

/** Puts the desired policies and scheduled actions that differ; deletes ours the spec no longer has. */
async function alignPoliciesAndActions(
  gateway: ApplicationAutoScalingGateway,
  ref: EcsServiceRef,
  desired: RenderedAutoscaling,
  signal: AbortSignal,
): Promise<string[]> {
  const changes: string[] = [];
  const policies = await gateway.listPolicies(ref, signal);
  for (const policy of desired.policies) {
    const observed = policies.find((p) => p.name === policy.name)?.targetTracking;
    if (samePolicy(policy, observed)) continue;
    await gateway.putTargetTrackingPolicy(ref, policy, signal);
    changes.push(`put policy ${policy.name}`);
  }
  for (const observed of policies) {
    if (!observed.name.startsWith(AUTOSCALING_NAME_PREFIX)) continue;
    if (desired.policies.some((p) => p.name === observed.name)) continue;
    await gateway.deletePolicy(ref, observed.name, signal);
    changes.push(`deleted policy ${observed.name}`);
  }
  const actions = await gateway.listScheduledActions(ref, signal);
  for (const action of desired.scheduled) {
    if (
      sameScheduledAction(
        action,
        actions.find((a) => a.name === action.name),
      )
    )
      continue;
    await gateway.putScheduledAction(ref, action, signal);
    changes.push(`put scheduled action ${action.name}`);
  }
  for (const observed of actions) {
    if (!observed.name.startsWith(AUTOSCALING_NAME_PREFIX)) continue;
    if (desired.scheduled.some((a) => a.name === observed.name)) continue;
    await gateway.deleteScheduledAction(ref, observed.name, signal);
    changes.push(`deleted scheduled action ${observed.name}`);
  }
  return changes;
}

function activityOf(activity: ScalingActivityView | undefined): AutoscalingStatus["lastActivity"] {
  if (activity === undefined) return undefined;
  const detail = activity.statusMessage === undefined ? "" : `: ${activity.statusMessage}`;
  return {
    time: activity.startedAt.toISOString(),
    status: activity.statusCode,
    description: `${activity.description}${detail}`,
  };
}

/**
 * Brings the scalable target in line with `spec.autoscaling` (or removes ours when the spec dropped it) and
 * reports `status.autoscaling`. `service` is the ECS service as this pass saw it (its desiredCount is the scaler's).
 */
export async function ensureAutoscaling(
  deps: FargateServiceStepDeps,
  record: FargateServiceRecord,
  service: EcsService,
  signal: AbortSignal,
): Promise<AutoscalingObservation> {
  const desired = rendered(record);
  const previous = record.status.autoscaling;
  const ref = scalableTargetOf(record);
  if (desired === undefined) {
    if (previous === undefined) return { status: undefined, changes: [] };
    // The service returns to spec.desiredCount through the ECS step's diff (the count is compared again).
    const removed = await gatewayOf(deps).deregisterTarget(ref, signal);
    return { status: undefined, changes: removed ? ["deregistered scalable target"] : [] };
  }
  const gateway = gatewayOf(deps);
  let target: Pick<ScalableTargetView, "minCount" | "maxCount"> | undefined = await gateway.describeTarget(
    ref,
    signal,
  );
  const changes: string[] = [];
  if (target === undefined || previous?.appliedHash !== desired.hash) {
    const tags = { ...Object.fromEntries(userTags(record.spec)), ...ownershipTagMap(record.metadata) };
    await gateway.registerTarget(ref, desired.bounds, tags, signal);
    changes.push(target === undefined ? "registered scalable target" : "updated scalable target");
    changes.push(...(await alignPoliciesAndActions(gateway, ref, desired, signal)));
    target = desired.bounds;
  }
  const desiredCount = service.desiredCount ?? 0;
  const moved =
    previous === undefined ||
    changes.length > 0 ||
    previous.desiredCount !== desiredCount ||
    previous.minCount !== target.minCount ||
    previous.maxCount !== target.maxCount;
  const lastActivity = moved ? activityOf(await gateway.lastActivity(ref, signal)) : previous.lastActivity;
  return {
    status: {
      minCount: target.minCount,
      maxCount: target.maxCount,
      desiredCount,
      ...(lastActivity === undefined ? {} : { lastActivity }),
      appliedHash: desired.hash,
    },
    changes,
  };
}

/**
 * Deletion: deregisters the scalable target (AWS drops its policies and scheduled actions with it) before the
 * ECS service is scaled to 0. Only when the record asked for one or registered one, and the service is ours.
 */
export async function deregisterAutoscaling(
  deps: FargateServiceStepDeps,
  record: FargateServiceRecord,
  signal: AbortSignal,
): Promise<DeletionProgress> {
  if (record.spec.autoscaling === undefined && record.status.autoscaling === undefined) {
    return { complete: true, message: "no scalable target" };
  }
  const ref = scalableTargetOf(record);
  const gateway = gatewayOf(deps);
  // A read first: deletion passes repeat while the service drains, and each would otherwise write.
  if ((await gateway.describeTarget(ref, signal)) === undefined) {
    return { complete: true, message: "no scalable target" };
  }
  const observed = await deps.ecs.describeService(ref.cluster, ref.service, { maxAgeMs: 0, signal });
  if (observed !== undefined && !isOurs(ownershipOf(ecsTags(observed), identityOf(record)))) {
    return {
      complete: true,
      message: `ECS service ${ref.service} is not ours: its scalable target is left in place`,
    };
  }
  await gateway.deregisterTarget(ref, signal);
  return { complete: true, message: `scalable target of ${ref.service} deregistered` };
}
