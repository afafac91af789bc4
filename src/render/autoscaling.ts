/**
 * `spec.autoscaling` → the Application Auto Scaling requests (DESIGN §11 Autoscaling): the scalable target's
 * bounds, one target-tracking policy per metric and the scheduled actions, all named with our prefix so the
 * reconciler deletes only what it made. Pure; the hash lets a steady pass skip re-putting anything.
 */
import type { ScheduledActionSpec, TargetTrackingPolicy } from "../aws/application-autoscaling-shapes.js";
import type { AutoscalingSpec, FargateServiceSpec, TargetTrackingSpec } from "../crds/fargate-service.js";
import { specHash } from "../crds/hash.js";
import { RenderError } from "./errors.js";

/** Prefix of every policy and scheduled action the operator puts; others on the same target are left alone. */
export const AUTOSCALING_NAME_PREFIX = "fargate-operator-";

/** What the scalable target of a FargateService should be. */
export interface RenderedAutoscaling {
  bounds: { minCount: number; maxCount: number };
  policies: TargetTrackingPolicy[];
  scheduled: ScheduledActionSpec[];
  /** Hash of all of the above (kept in `status.autoscaling.appliedHash`). */
  hash: string;
}

/** `loadbalancer/app/<name>/<id>` or `targetgroup/<name>/<id>`: the part of an ELB ARN after its account. */
function arnResource(arn: string): string | undefined {
  const parts = arn.split(":");
  return parts.length === 6 ? parts[5] : undefined;
}

/**
 * ALBRequestCountPerTarget's ResourceLabel, `app/<lb>/<id>/targetgroup/<tg>/<id>`, from the load balancer's and
 * the target group's ARNs (what Terraform calls their arn_suffix). No ELB call: both come from the spec.
 */
export function albResourceLabel(loadBalancerArn: string, targetGroupArn: string): string {
  const lb = arnResource(loadBalancerArn);
  const tg = arnResource(targetGroupArn);
  if (
    lb === undefined ||
    !lb.startsWith("loadbalancer/app/") ||
    tg === undefined ||
    !tg.startsWith("targetgroup/")
  ) {
    throw new RenderError(
      `cannot build an ALB resource label from ${loadBalancerArn} and ${targetGroupArn}: expected an Application Load Balancer ARN and a target group ARN`,
    );
  }
  return `${lb.slice("loadbalancer/".length)}/${tg}`;
}

/** The target group ALB request counting reads: the policy's, else spec.loadBalancers' only one. */
function targetGroupOf(spec: FargateServiceSpec, policy: TargetTrackingSpec): string {
  const arn =
    policy.targetGroupArn ??
    (spec.loadBalancers ?? []).flatMap((lb) =>
      lb.targetGroupArn === undefined ? [] : [lb.targetGroupArn],
    )[0];
  if (arn === undefined) throw new RenderError("albRequestCountPerTarget needs a targetGroupArn");
  return arn;
}

function policyOf(spec: FargateServiceSpec, policy: TargetTrackingSpec): TargetTrackingPolicy {
  let resourceLabel: string | undefined;
  if (policy.metric === "albRequestCountPerTarget") {
    if (policy.loadBalancerArn === undefined)
      throw new RenderError("albRequestCountPerTarget needs a loadBalancerArn");
    resourceLabel = albResourceLabel(policy.loadBalancerArn, targetGroupOf(spec, policy));
  }
  return {
    name: `${AUTOSCALING_NAME_PREFIX}${policy.metric}`,
    metric: policy.metric,
    targetValue: policy.targetValue,
    ...(resourceLabel === undefined ? {} : { resourceLabel }),
    ...(policy.scaleInCooldownSeconds === undefined
      ? {}
      : { scaleInCooldownSeconds: policy.scaleInCooldownSeconds }),
    ...(policy.scaleOutCooldownSeconds === undefined
      ? {}
      : { scaleOutCooldownSeconds: policy.scaleOutCooldownSeconds }),
    ...(policy.disableScaleIn === undefined ? {} : { disableScaleIn: policy.disableScaleIn }),
  };
}

function scheduledOf(action: NonNullable<AutoscalingSpec["scheduled"]>[number]): ScheduledActionSpec {
  return {
    name: `${AUTOSCALING_NAME_PREFIX}${action.name}`,
    schedule: action.schedule,
    ...(action.timezone === undefined ? {} : { timezone: action.timezone }),
    ...(action.minCount === undefined ? {} : { minCount: action.minCount }),
    ...(action.maxCount === undefined ? {} : { maxCount: action.maxCount }),
  };
}

/** The requests `spec.autoscaling` asks for, or undefined without it. */
export function renderAutoscaling(spec: FargateServiceSpec): RenderedAutoscaling | undefined {
  const autoscaling = spec.autoscaling;
  if (autoscaling === undefined) return undefined;
  const bounds = { minCount: autoscaling.minCount, maxCount: autoscaling.maxCount };
  const policies = (autoscaling.targetTracking ?? []).map((p) => policyOf(spec, p));
  const scheduled = (autoscaling.scheduled ?? []).map(scheduledOf);
  return { bounds, policies, scheduled, hash: specHash({ bounds, policies, scheduled }) };
}

/** True when `observed` (as AWS describes it) already is `desired`: AWS fills in no members we do not send. */
export function samePolicy(
  desired: TargetTrackingPolicy,
  observed: TargetTrackingPolicy | undefined,
): boolean {
  return observed !== undefined && specHash(desired) === specHash(observed);
}

/** True when `observed` already is `desired` (AWS reports the schedule and bounds it was given). */
export function sameScheduledAction(
  desired: ScheduledActionSpec,
  observed: ScheduledActionSpec | undefined,
): boolean {
  return observed !== undefined && specHash(desired) === specHash(observed);
}
