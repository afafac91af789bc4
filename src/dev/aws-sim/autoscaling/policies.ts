import { AwsApiError } from "../errors.js";
import { field, type Input, isJsonObject, type JsonObject, numField, objListField } from "../input.js";
import type { HandlerTable } from "../operation.js";
import { policyShape } from "./shapes.js";
import { type AutoScalingState, type ScalingPolicy, SimMetric, type TargetRef, targetKey } from "./state.js";
import { page, readDimension, readNamespace, readTargetRef, validation } from "./validate.js";

const POLICY_TYPES = ["StepScaling", "TargetTrackingScaling", "PredictiveScaling"];
const ECS_METRICS: readonly string[] = Object.values(SimMetric);
const ADJUSTMENT_TYPES = ["ChangeInCapacity", "PercentChangeInCapacity", "ExactCapacity"];
const RESOURCE_LABEL = /^app\/[^/]+\/[^/]+\/targetgroup\/[^/]+\/[^/]+$/;
const MAX_POLICIES_PER_TARGET = 50;

function checkCooldown(config: JsonObject, name: string): void {
  const value = config[name];
  if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 0))
    throw validation(`${name} must be a whole number of seconds, 0 or more.`);
}

/** Checks a target-tracking configuration the way AWS does for an ECS service. */
function checkTargetTracking(config: JsonObject): void {
  const targetValue = numField(config, "TargetValue");
  if (targetValue === undefined || !(targetValue > 0))
    throw validation("TargetValue must be a number greater than 0.");
  const predefined = isJsonObject(config.PredefinedMetricSpecification)
    ? config.PredefinedMetricSpecification
    : undefined;
  const customized = config.CustomizedMetricSpecification;
  if ((predefined === undefined) === (customized === undefined))
    throw validation(
      "Exactly one of PredefinedMetricSpecification and CustomizedMetricSpecification must be specified.",
    );
  if (predefined !== undefined) {
    const type = field(predefined, "PredefinedMetricType") ?? "";
    if (!ECS_METRICS.includes(type))
      throw validation(`Unsupported metric type ${type} for service namespace ecs`);
    const label = field(predefined, "ResourceLabel");
    if (type === SimMetric.albRequestCountPerTarget) {
      if (label === undefined) throw validation("ResourceLabel is required for ALBRequestCountPerTarget.");
      if (!RESOURCE_LABEL.test(label))
        throw validation(
          `Invalid ResourceLabel ${label}: expected app/<load-balancer-name>/<id>/targetgroup/<target-group-name>/<id>.`,
        );
    } else if (label !== undefined) {
      throw validation(`ResourceLabel is only allowed with ALBRequestCountPerTarget, not ${type}.`);
    }
  }
  checkCooldown(config, "ScaleInCooldown");
  checkCooldown(config, "ScaleOutCooldown");
  if (config.DisableScaleIn !== undefined && typeof config.DisableScaleIn !== "boolean")
    throw validation("DisableScaleIn must be a boolean.");
}

/** Checks a step scaling configuration: an adjustment type and at least one step. */
function checkStepScaling(config: JsonObject): void {
  const type = field(config, "AdjustmentType");
  if (type === undefined || !ADJUSTMENT_TYPES.includes(type))
    throw validation(`AdjustmentType must be one of ${ADJUSTMENT_TYPES.join(", ")}.`);
  const steps = objListField(config, "StepAdjustments");
  if (steps.length === 0) throw validation("StepAdjustments must have at least one step.");
  if (!steps.every((s) => Number.isInteger(s.ScalingAdjustment)))
    throw validation("Every step needs an integer ScalingAdjustment.");
  checkCooldown(config, "Cooldown");
}

/** PutScalingPolicy, DeleteScalingPolicy, DescribeScalingPolicies. */
export function policyHandlers(state: AutoScalingState): HandlerTable {
  const { ctx } = state;
  const alarm = (ref: TargetRef, kind: "High" | "Low") => {
    const name = `TargetTracking-${ref.resourceId}-Alarm${kind}-${ctx.ids.uuid()}`;
    return { AlarmName: name, AlarmARN: `arn:aws:cloudwatch:${ctx.region}:${ctx.accountId}:alarm:${name}` };
  };
  return {
    PutScalingPolicy(input: Input) {
      const ref = readTargetRef(input);
      const name = input.str("PolicyName");
      if (name.length > 256) throw validation("PolicyName must be at most 256 characters.");
      const policyType = input.optStr("PolicyType") ?? "StepScaling";
      if (!POLICY_TYPES.includes(policyType))
        throw validation(
          `1 validation error detected: Value '${policyType}' at 'policyType' failed to satisfy constraint: Member must satisfy enum value set: [${POLICY_TYPES.join(", ")}]`,
        );
      const member = `${policyType}PolicyConfiguration`;
      const config = input.optObj(member);
      if (config === undefined) throw validation(`${member} is required for a ${policyType} policy.`);
      if (policyType === "TargetTrackingScaling") checkTargetTracking(config);
      else if (policyType === "StepScaling") checkStepScaling(config);
      else if (objListField(config, "MetricSpecifications").length === 0)
        throw validation("MetricSpecifications must have at least one metric specification.");
      const target = state.target(ref);
      const policies = state.policiesOf(target);
      let policy = policies.get(name);
      if (policy === undefined && policies.size >= MAX_POLICIES_PER_TARGET)
        throw new AwsApiError(
          "LimitExceededException",
          `A scalable target can have at most ${MAX_POLICIES_PER_TARGET} scaling policies.`,
        );
      // Target tracking creates its CloudWatch alarms; without scale-in there is no low alarm.
      const alarms =
        policyType !== "TargetTrackingScaling"
          ? []
          : config.DisableScaleIn === true
            ? [alarm(ref, "High")]
            : [alarm(ref, "High"), alarm(ref, "Low")];
      if (policy === undefined) {
        policy = {
          namespace: ref.namespace,
          resourceId: ref.resourceId,
          dimension: ref.dimension,
          name,
          // AWS keeps a policy's ARN across updates.
          arn: `arn:aws:autoscaling:${ctx.region}:${ctx.accountId}:scalingPolicy:${ctx.ids.uuid()}:resource/${ref.namespace}/${ref.resourceId}:policyName/${name}`,
          createdAt: ctx.clock.now(),
          policyType,
          configuration: structuredClone(config),
          alarms,
        } satisfies ScalingPolicy;
        policies.set(name, policy);
      } else {
        policy.policyType = policyType;
        policy.configuration = structuredClone(config);
        policy.alarms = alarms;
      }
      return { PolicyARN: policy.arn, Alarms: policy.alarms.map((a) => ({ ...a })) };
    },

    DeleteScalingPolicy(input: Input) {
      const ref = readTargetRef(input);
      const name = input.str("PolicyName");
      const policies = state.policies.get(targetKey(ref));
      if (policies?.delete(name) !== true) {
        throw new AwsApiError(
          "ObjectNotFoundException",
          `No scaling policy found for service namespace: ${ref.namespace}, resource ID: ${ref.resourceId}, scalable dimension: ${ref.dimension}, policy name: ${name}`,
        );
      }
      return {};
    },

    DescribeScalingPolicies(input: Input) {
      const namespace = readNamespace(input);
      const dimension = readDimension(input, false);
      const resourceId = input.optStr("ResourceId");
      const names = input.optStrList("PolicyNames");
      const list = [...state.policies.values()]
        .flatMap((byName) => [...byName.values()])
        .filter(
          (p) =>
            p.namespace === namespace &&
            (dimension === undefined || p.dimension === dimension) &&
            (resourceId === undefined || p.resourceId === resourceId) &&
            (names === undefined || names.length === 0 || names.includes(p.name)),
        );
      const answer = page(input, list, 10);
      return { ScalingPolicies: answer.items.map(policyShape), NextToken: answer.nextToken };
    },
  };
}
