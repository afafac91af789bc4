/**
 * The round trip of `spec.autoscaling`: the document's scaling is rendered with the controller's own renderer
 * (`renderAutoscaling`) and compared with what Application Auto Scaling described, Application Auto Scaling's
 * defaults filled on both sides (cooldowns 300 s for ECS, scale-in enabled, time zone UTC). Policies are matched
 * by metric and scheduled actions by their spec name, so names are not part of the comparison. Pure.
 */
import type { FargateServiceSpec } from "../crds/index.js";
import { AUTOSCALING_NAME_PREFIX, RenderError, renderAutoscaling } from "../render/index.js";
import { actionPath, carriedActions, carriedPolicies, policyPath } from "./autoscaling.js";
import { canonical } from "./normalise.js";
import type { ImportLoss, LiveAutoscaling } from "./types.js";
import { isRecord, type JsonRecord } from "./values.js";

/** Application Auto Scaling's cooldown for ECS when a policy names none. */
const DEFAULT_COOLDOWN_SECONDS = 300;

type Compared = Record<string, unknown>;

function short(value: unknown): string {
  return value === undefined ? "nothing" : JSON.stringify(value);
}

function compare(at: string, input: Compared, rendered: Compared, losses: ImportLoss[]): void {
  for (const key of [...new Set([...Object.keys(input), ...Object.keys(rendered)])]) {
    if (canonical(input[key]) === canonical(rendered[key])) continue;
    losses.push({
      path: `${at}.${key}`,
      why: `differs after render (input ${short(input[key])}, rendered ${short(rendered[key])})`,
    });
  }
}

function inputPolicy(p: JsonRecord): Compared {
  const c = p.TargetTrackingScalingPolicyConfiguration as JsonRecord;
  const metric = isRecord(c.PredefinedMetricSpecification) ? c.PredefinedMetricSpecification : {};
  return {
    TargetValue: c.TargetValue,
    "PredefinedMetricSpecification.ResourceLabel": metric.ResourceLabel,
    ScaleInCooldown: c.ScaleInCooldown ?? DEFAULT_COOLDOWN_SECONDS,
    ScaleOutCooldown: c.ScaleOutCooldown ?? DEFAULT_COOLDOWN_SECONDS,
    DisableScaleIn: c.DisableScaleIn ?? false,
  };
}

function inputAction(a: JsonRecord): Compared {
  const bounds = isRecord(a.ScalableTargetAction) ? a.ScalableTargetAction : {};
  return {
    Schedule: a.Schedule,
    Timezone: a.Timezone ?? "UTC",
    "ScalableTargetAction.MinCapacity": bounds.MinCapacity,
    "ScalableTargetAction.MaxCapacity": bounds.MaxCapacity,
  };
}

/** Differences between the document's rendered scaling and the scaler read live, as losses. */
export function autoscalingLosses(spec: FargateServiceSpec, live: LiveAutoscaling): ImportLoss[] {
  let rendered: ReturnType<typeof renderAutoscaling>;
  try {
    rendered = renderAutoscaling(spec);
  } catch (error) {
    if (!(error instanceof RenderError)) throw error;
    return [{ path: "autoscaling", why: `cannot be rendered: ${error.message}` }];
  }
  if (rendered === undefined) {
    return [{ path: "autoscaling", why: "the service has a scalable target the document does not carry" }];
  }
  const losses: ImportLoss[] = [];
  const target = live.scalableTarget;
  compare(
    "autoscaling.scalableTarget",
    { MinCapacity: target.MinCapacity, MaxCapacity: target.MaxCapacity },
    { MinCapacity: rendered.bounds.minCount, MaxCapacity: rendered.bounds.maxCount },
    losses,
  );
  const policies = carriedPolicies(live);
  for (const policy of rendered.policies) {
    const given = policies.get(policy.metric);
    const ours = {
      TargetValue: policy.targetValue,
      "PredefinedMetricSpecification.ResourceLabel": policy.resourceLabel,
      ScaleInCooldown: policy.scaleInCooldownSeconds ?? DEFAULT_COOLDOWN_SECONDS,
      ScaleOutCooldown: policy.scaleOutCooldownSeconds ?? DEFAULT_COOLDOWN_SECONDS,
      DisableScaleIn: policy.disableScaleIn ?? false,
    };
    if (given === undefined) {
      losses.push({ path: "autoscaling.scalingPolicies", why: `rendered adds ${policy.name}` });
    } else {
      compare(
        `${policyPath(given)}.TargetTrackingScalingPolicyConfiguration`,
        inputPolicy(given),
        ours,
        losses,
      );
    }
  }
  for (const [metric, given] of policies) {
    if (!rendered.policies.some((p) => p.metric === metric)) {
      losses.push({ path: policyPath(given), why: "not rendered" });
    }
  }
  const actions = [...carriedActions(live).values()];
  for (const action of rendered.scheduled) {
    const name = action.name.slice(AUTOSCALING_NAME_PREFIX.length);
    const given = actions.find((a) => a.name === name)?.action;
    const ours = {
      Schedule: action.schedule,
      Timezone: action.timezone ?? "UTC",
      "ScalableTargetAction.MinCapacity": action.minCount,
      "ScalableTargetAction.MaxCapacity": action.maxCount,
    };
    if (given === undefined) {
      losses.push({ path: "autoscaling.scheduledActions", why: `rendered adds ${action.name}` });
    } else compare(actionPath(given), inputAction(given), ours, losses);
  }
  for (const { name, action } of actions) {
    if (!rendered.scheduled.some((a) => a.name === `${AUTOSCALING_NAME_PREFIX}${name}`)) {
      losses.push({ path: actionPath(action), why: "not rendered" });
    }
  }
  return losses;
}
