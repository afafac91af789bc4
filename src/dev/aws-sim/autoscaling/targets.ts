import { boolField, type Input } from "../input.js";
import type { HandlerTable } from "../operation.js";
import { isStrict } from "../strict.js";
import type { Scaler } from "./scaler.js";
import { targetShape } from "./shapes.js";
import { type AutoScalingState, type ScalableTarget, targetKey } from "./state.js";
import { readTags } from "./tags.js";
import { page, readCapacity, readDimension, readNamespace, readTargetRef, validation } from "./validate.js";

const SUSPENSIONS = [
  "DynamicScalingInSuspended",
  "DynamicScalingOutSuspended",
  "ScheduledScalingSuspended",
] as const;

/** RegisterScalableTarget, DeregisterScalableTarget, DescribeScalableTargets. */
export function targetHandlers(state: AutoScalingState, scaler: Scaler): HandlerTable {
  const { ctx } = state;
  return {
    RegisterScalableTarget(input: Input) {
      const ref = readTargetRef(input);
      const min = readCapacity(input, "MinCapacity");
      const max = readCapacity(input, "MaxCapacity");
      const role = input.optStr("RoleARN");
      const suspended = input.optObj("SuspendedState");
      const tags = readTags(input);
      // AWS asks ECS on every registration (and answers a ValidationException, not ObjectNotFound).
      if (isStrict(ctx) && scaler.service(ref) === undefined)
        throw validation(`ECS service doesn't exist: ${ref.resourceId}`);
      const existing = state.targets.get(targetKey(ref));
      if (existing === undefined && (min === undefined || max === undefined))
        throw validation("MinCapacity and MaxCapacity are required to register a new scalable target.");
      const nextMin = min ?? existing?.minCapacity ?? 0;
      const nextMax = max ?? existing?.maxCapacity ?? 0;
      if (nextMin > nextMax) throw validation("Minimum capacity cannot be greater than maximum capacity");
      let target = existing;
      if (target === undefined) {
        const id = ctx.ids.hex(36);
        target = {
          ...ref,
          id,
          arn: state.targetArn(id),
          createdAt: ctx.clock.now(),
          minCapacity: nextMin,
          maxCapacity: nextMax,
          roleArn: role ?? state.serviceLinkedRole(),
          suspended: {
            DynamicScalingInSuspended: false,
            DynamicScalingOutSuspended: false,
            ScheduledScalingSuspended: false,
          },
          tags: new Map(Object.entries(tags ?? {})),
        } satisfies ScalableTarget;
        state.targets.set(targetKey(ref), target);
      } else {
        target.minCapacity = nextMin;
        target.maxCapacity = nextMax;
        if (role !== undefined) target.roleArn = role;
      }
      for (const member of SUSPENSIONS) {
        const value = boolField(suspended, member);
        if (value !== undefined) target.suspended[member] = value;
      }
      scaler.clampToRange(target);
      return { ScalableTargetARN: target.arn };
    },

    DeregisterScalableTarget(input: Input) {
      state.remove(state.target(readTargetRef(input)));
      return {};
    },

    DescribeScalableTargets(input: Input) {
      const namespace = readNamespace(input);
      const dimension = readDimension(input, false);
      const ids = input.optStrList("ResourceIds");
      if (ids !== undefined && ids.length > 50) throw validation("ResourceIds can have at most 50 items.");
      const list = [...state.targets.values()].filter(
        (t) =>
          t.namespace === namespace &&
          (dimension === undefined || t.dimension === dimension) &&
          (ids === undefined || ids.length === 0 || ids.includes(t.resourceId)),
      );
      const answer = page(input, list, 50);
      return { ScalableTargets: answer.items.map(targetShape), NextToken: answer.nextToken };
    },
  };
}
