/**
 * A live service's Application Auto Scaling → `spec.autoscaling` (DESIGN §11): the scalable target's bounds,
 * target-tracking policies on the three predefined metrics and the scheduled actions. What the spec cannot say
 * (step or predictive scaling, customized metrics, a suspended scaler, start and end times) is a loss named by
 * the input path `autoscaling.<list>[<AWS name>].<member>`. Names are not carried: the controller names its
 * policies `fargate-operator-<metric>` and its actions `fargate-operator-<name>`, so a note says which of the
 * service's own it will put its own beside. Pure.
 */
import { AUTOSCALING_NAME_PREFIX } from "../render/autoscaling.js";
import type { RoleContext } from "./normalise.js";
import type { LiveAutoscaling } from "./types.js";
import { type Collector, isRecord, type JsonRecord } from "./values.js";

/** AWS's predefined metric types by the spec's names. */
export const METRIC_OF_TYPE: Readonly<Record<string, string>> = {
  ECSServiceAverageCPUUtilization: "cpu",
  ECSServiceAverageMemoryUtilization: "memory",
  ALBRequestCountPerTarget: "albRequestCountPerTarget",
};

const LABEL = /^app\/([^/]+)\/([^/]+)\/(targetgroup\/[^/]+\/[^/]+)$/;

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === "number" ? value : undefined);
const records = (value: unknown): JsonRecord[] => (Array.isArray(value) ? value.filter(isRecord) : []);

/** The input path of a policy or scheduled action: by its AWS name, which the user knows it by. */
export const policyPath = (p: JsonRecord) => `autoscaling.scalingPolicies[${String(p.PolicyName)}]`;
/** The input path of a scheduled action. */
export const actionPath = (a: JsonRecord) => `autoscaling.scheduledActions[${String(a.ScheduledActionName)}]`;

/** A target-tracking policy the spec can carry: the first one per predefined metric, else undefined. */
export function carriedPolicies(live: LiveAutoscaling): Map<string, JsonRecord> {
  const byMetric = new Map<string, JsonRecord>();
  for (const p of records(live.scalingPolicies)) {
    const config = isRecord(p.TargetTrackingScalingPolicyConfiguration)
      ? p.TargetTrackingScalingPolicyConfiguration
      : undefined;
    if (p.PolicyType !== "TargetTrackingScaling" || config === undefined) continue;
    if (config.CustomizedMetricSpecification !== undefined) continue;
    const predefined = isRecord(config.PredefinedMetricSpecification)
      ? config.PredefinedMetricSpecification
      : {};
    const metric = METRIC_OF_TYPE[String(predefined.PredefinedMetricType)];
    if (metric !== undefined && !byMetric.has(metric)) byMetric.set(metric, p);
  }
  return byMetric;
}

/**
 * The spec name of each scheduled action the spec can carry (by AWS name): our prefix dropped, characters the
 * spec refuses made `-`, made unique. Actions without bounds or with start/end times are not carried.
 */
export function carriedActions(live: LiveAutoscaling): Map<string, { name: string; action: JsonRecord }> {
  const out = new Map<string, { name: string; action: JsonRecord }>();
  const taken = new Set<string>();
  for (const a of records(live.scheduledActions)) {
    const bounds = isRecord(a.ScalableTargetAction) ? a.ScalableTargetAction : {};
    if (num(bounds.MinCapacity) === undefined && num(bounds.MaxCapacity) === undefined) continue;
    if (a.StartTime !== undefined || a.EndTime !== undefined) continue;
    const given = String(a.ScheduledActionName ?? "");
    const bare = given.startsWith(AUTOSCALING_NAME_PREFIX)
      ? given.slice(AUTOSCALING_NAME_PREFIX.length)
      : given;
    let name =
      bare
        .replace(/[^A-Za-z0-9_.-]+/g, "-")
        .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "")
        .slice(0, 64) || "scheduled";
    for (let i = 2; taken.has(name); i++) name = `${name.replace(/-\d+$/, "")}-${i}`;
    taken.add(name);
    out.set(given, { name, action: a });
  }
  return out;
}

/** The ARN prefix (`arn:<partition>:elasticloadbalancing:<region>:<account>:`) of the service's load balancers. */
function elbPrefix(spec: JsonRecord, roles: RoleContext): string | undefined {
  for (const lb of records(spec.loadBalancers)) {
    const m = /^(arn:[^:]+:elasticloadbalancing:[^:]+:\d{12}:)targetgroup\//.exec(String(lb.targetGroupArn));
    if (m) return m[1];
  }
  if (roles.accountId === undefined || roles.region === undefined) return undefined;
  return `arn:${roles.partition ?? "aws"}:elasticloadbalancing:${roles.region}:${roles.accountId}:`;
}

/** The ALB policy's targetGroupArn (unless it is the default) and loadBalancerArn, from its ResourceLabel. */
function albArns(
  label: unknown,
  spec: JsonRecord,
  roles: RoleContext,
  path: string,
  out: Collector,
): JsonRecord | undefined {
  const m = LABEL.exec(String(label));
  if (m === null) {
    out.lose(path, `${JSON.stringify(label)} is not app/<lb>/<id>/targetgroup/<tg>/<id>`);
    return undefined;
  }
  const prefix = elbPrefix(spec, roles);
  if (prefix === undefined) {
    out.lose(path, "the account and region of the load balancer are not known (pass --account-id)");
    return undefined;
  }
  const groups = records(spec.loadBalancers).flatMap((lb) => text(lb.targetGroupArn) ?? []);
  const targetGroupArn = groups.find((g) => g.endsWith(`:${m[3]}`)) ?? `${prefix}${m[3]}`;
  return {
    ...(groups.length === 1 && groups[0] === targetGroupArn ? {} : { targetGroupArn }),
    loadBalancerArn: `${prefix}loadbalancer/app/${m[1]}/${m[2]}`,
  };
}

function policiesOf(live: LiveAutoscaling, spec: JsonRecord, roles: RoleContext, out: Collector) {
  const carried = carriedPolicies(live);
  const kept = new Set(carried.values());
  const policies: JsonRecord[] = [];
  for (const p of records(live.scalingPolicies)) {
    const path = policyPath(p);
    const config = isRecord(p.TargetTrackingScalingPolicyConfiguration)
      ? p.TargetTrackingScalingPolicyConfiguration
      : undefined;
    const at = `${path}.TargetTrackingScalingPolicyConfiguration`;
    if (p.PolicyType !== "TargetTrackingScaling" || config === undefined) {
      out.lose(
        `${path}.PolicyType`,
        `${String(p.PolicyType)} policies cannot be said in spec.autoscaling (target tracking on cpu, memory or ALB request count only)`,
      );
    } else if (config.CustomizedMetricSpecification !== undefined) {
      out.lose(
        `${at}.CustomizedMetricSpecification`,
        "a customized metric cannot be said in spec.autoscaling (cpu, memory or albRequestCountPerTarget only)",
      );
    } else if (!kept.has(p)) {
      const type = isRecord(config.PredefinedMetricSpecification)
        ? config.PredefinedMetricSpecification.PredefinedMetricType
        : undefined;
      const metric = METRIC_OF_TYPE[String(type)];
      out.lose(
        `${at}.PredefinedMetricSpecification.PredefinedMetricType`,
        metric === undefined
          ? `${String(type)} cannot be said in spec.autoscaling (cpu, memory or albRequestCountPerTarget only)`
          : `a second policy on ${metric}; spec.autoscaling tracks each metric once`,
      );
    }
  }
  for (const [metric, p] of carried) {
    const config = p.TargetTrackingScalingPolicyConfiguration as JsonRecord;
    const at = `${policyPath(p)}.TargetTrackingScalingPolicyConfiguration`;
    const policy: JsonRecord = { metric, targetValue: config.TargetValue };
    if (metric === "albRequestCountPerTarget") {
      const label = (config.PredefinedMetricSpecification as JsonRecord).ResourceLabel;
      const arns = albArns(label, spec, roles, `${at}.PredefinedMetricSpecification.ResourceLabel`, out);
      if (arns === undefined) continue;
      Object.assign(policy, arns);
    }
    if (config.ScaleInCooldown !== undefined) policy.scaleInCooldownSeconds = config.ScaleInCooldown;
    if (config.ScaleOutCooldown !== undefined) policy.scaleOutCooldownSeconds = config.ScaleOutCooldown;
    if (config.DisableScaleIn !== undefined) policy.disableScaleIn = config.DisableScaleIn;
    policies.push(policy);
  }
  return policies;
}

function scheduledOf(live: LiveAutoscaling, out: Collector): JsonRecord[] {
  const carried = carriedActions(live);
  for (const a of records(live.scheduledActions)) {
    const path = actionPath(a);
    for (const member of ["StartTime", "EndTime"]) {
      if (a[member] !== undefined) {
        out.lose(`${path}.${member}`, "spec.autoscaling.scheduled has no start or end time");
      }
    }
    if (
      !carried.has(String(a.ScheduledActionName ?? "")) &&
      a.StartTime === undefined &&
      a.EndTime === undefined
    ) {
      out.lose(`${path}.ScalableTargetAction`, "sets neither MinCapacity nor MaxCapacity");
    }
  }
  return [...carried.values()].map(({ name, action }) => {
    const bounds = action.ScalableTargetAction as JsonRecord;
    return {
      name,
      schedule: action.Schedule,
      ...(text(action.Timezone) === undefined ? {} : { timezone: action.Timezone }),
      ...(num(bounds.MinCapacity) === undefined ? {} : { minCount: bounds.MinCapacity }),
      ...(num(bounds.MaxCapacity) === undefined ? {} : { maxCount: bounds.MaxCapacity }),
    };
  });
}

/** Tells which of the service's own policies and actions the controller will put its own beside on apply. */
function namesNote(live: LiveAutoscaling, policies: JsonRecord[], scheduled: JsonRecord[], out: Collector) {
  const carried = carriedPolicies(live);
  const pairs: string[] = [];
  for (const policy of policies) {
    const given = String(carried.get(String(policy.metric))?.PolicyName);
    const ours = `${AUTOSCALING_NAME_PREFIX}${String(policy.metric)}`;
    if (given !== ours) pairs.push(`policy ${given} → ${ours}`);
  }
  for (const [given, { name }] of carriedActions(live)) {
    const ours = `${AUTOSCALING_NAME_PREFIX}${name}`;
    if (given !== ours && scheduled.some((s) => s.name === name))
      pairs.push(`scheduled action ${given} → ${ours}`);
  }
  if (pairs.length === 0) return;
  out.note(
    `spec.autoscaling: on apply the controller puts its own ${pairs.join(", ")} beside the service's own, which it never deletes; until you delete those (aws application-autoscaling delete-scaling-policy / delete-scheduled-action) both act, alike now, apart after your next change`,
  );
}

/** spec.autoscaling of a live service's scaler, or undefined without a scalable target. */
export function autoscalingSpecOf(
  live: LiveAutoscaling | undefined,
  spec: JsonRecord,
  roles: RoleContext,
  out: Collector,
): JsonRecord | undefined {
  if (live === undefined) return undefined;
  const target = live.scalableTarget;
  const suspended = isRecord(target.SuspendedState) ? target.SuspendedState : {};
  for (const [member, value] of Object.entries(suspended)) {
    if (value === true) {
      out.lose(
        `autoscaling.scalableTarget.SuspendedState.${member}`,
        "a suspended scaler cannot be said in spec.autoscaling (resume it, or keep the service out of the operator)",
      );
    }
  }
  const policies = policiesOf(live, spec, roles, out);
  const scheduled = scheduledOf(live, out);
  namesNote(live, policies, scheduled, out);
  return {
    minCount: target.MinCapacity,
    maxCount: target.MaxCapacity,
    ...(policies.length === 0 ? {} : { targetTracking: policies }),
    ...(scheduled.length === 0 ? {} : { scheduled }),
  };
}
