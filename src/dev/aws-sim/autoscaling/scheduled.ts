import { AwsApiError } from "../errors.js";
import type { Input } from "../input.js";
import type { HandlerTable } from "../operation.js";
import type { Scaler } from "./scaler.js";
import { scheduledShape } from "./shapes.js";
import { type AutoScalingState, type ScheduledAction, targetKey } from "./state.js";
import { page, readDimension, readNamespace, readTargetRef, validation } from "./validate.js";

const AT = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;
const RATE = /^rate\(([1-9]\d*) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\(\S+( \S+){5}\)$/;
const ACTION_NAME = /^(?! )[^\p{Cc}:/|]+(?<! )$/u;
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
// setTimeout overflows past 2^31-1 ms; farther fire times are reached in hops.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Milliseconds to add to UTC to get the wall time in `timeZone` at `utcMs`. */
function zoneOffset(timeZone: string, utcMs: number): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(utcMs);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return wall - Math.floor(utcMs / 1000) * 1000;
}

/** The epoch ms of an `at(...)` wall time in `timeZone` (UTC when absent; NaN for no such date), else undefined. */
export function atTime(schedule: string, timeZone: string | undefined): number | undefined {
  const match = AT.exec(schedule);
  if (match === null) return undefined;
  const wall = Date.parse(`${match[1]}Z`);
  if (timeZone === undefined || Number.isNaN(wall)) return wall;
  return wall - zoneOffset(timeZone, wall - zoneOffset(timeZone, wall));
}

/** The next time a schedule fires after `now`, or undefined (cron is kept but never run here). */
export function nextFire(action: ScheduledAction, now: number): number | undefined {
  const at = atTime(action.schedule, action.timezone);
  if (at !== undefined) return at > now ? at : undefined;
  const rate = RATE.exec(action.schedule);
  if (rate === null) return undefined;
  const period = Number(rate[1]) * (UNIT_MS[(rate[2] ?? "").replace(/s$/, "")] ?? 0);
  const start = action.startTime ?? action.createdAt;
  const next = now < start ? start : start + (Math.floor((now - start) / period) + 1) * period;
  return action.endTime !== undefined && next > action.endTime ? undefined : next;
}

/** PutScheduledAction, DeleteScheduledAction, DescribeScheduledActions; at() and rate() actions really fire. */
export function scheduledHandlers(state: AutoScalingState, scaler: Scaler): HandlerTable {
  const { ctx } = state;
  const arm = (action: ScheduledAction): void => {
    action.timer?.cancel();
    action.timer = undefined;
    const at = nextFire(action, ctx.clock.now());
    if (at === undefined) return;
    const hop = Math.min(at - ctx.clock.now(), MAX_TIMER_MS);
    action.timer = ctx.clock.setTimer(() => {
      action.timer = undefined;
      if (ctx.clock.now() >= at) {
        const target = state.targets.get(targetKey(action));
        if (target !== undefined && !target.suspended.ScheduledScalingSuspended)
          scaler.runScheduledAction(target, action.name, action.minCapacity, action.maxCapacity);
      }
      if (state.scheduledOf(action).get(action.name) === action) arm(action);
    }, hop);
  };
  return {
    PutScheduledAction(input: Input) {
      const ref = readTargetRef(input);
      const name = input.str("ScheduledActionName");
      if (name.length > 256 || !ACTION_NAME.test(name))
        throw validation(`Invalid ScheduledActionName: ${name}`);
      const schedule = input.optStr("Schedule");
      const timezone = input.optStr("Timezone");
      if (timezone !== undefined) {
        try {
          zoneOffset(timezone, 0);
        } catch (error) {
          throw new AwsApiError("ValidationException", `Invalid timezone: ${timezone}`, 400, {}, error);
        }
      }
      if (schedule !== undefined && !AT.test(schedule) && !RATE.test(schedule) && !CRON.test(schedule))
        throw validation(`Invalid schedule expression: ${schedule}`);
      if (schedule !== undefined && Number.isNaN(atTime(schedule, timezone)))
        throw validation(`Invalid date in schedule expression: ${schedule}`);
      const targetAction = input.optObj("ScalableTargetAction");
      const min = targetAction?.MinCapacity;
      const max = targetAction?.MaxCapacity;
      for (const [label, value] of [
        ["MinCapacity", min],
        ["MaxCapacity", max],
      ] as const) {
        if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 0))
          throw validation(`ScalableTargetAction.${label} must be a whole number, 0 or more.`);
      }
      if (typeof min === "number" && typeof max === "number" && min > max)
        throw validation("Minimum capacity cannot be greater than maximum capacity");
      const start = input.optNum("StartTime");
      const end = input.optNum("EndTime");
      const target = state.target(ref);
      const actions = state.scheduledOf(target);
      let action = actions.get(name);
      if (action === undefined) {
        if (schedule === undefined) throw validation("Schedule is required for a new scheduled action.");
        action = {
          namespace: ref.namespace,
          resourceId: ref.resourceId,
          dimension: ref.dimension,
          name,
          arn: `arn:aws:autoscaling:${ctx.region}:${ctx.accountId}:scheduledAction:${ctx.ids.uuid()}:resource/${ref.namespace}/${ref.resourceId}:scheduledActionName/${name}`,
          createdAt: ctx.clock.now(),
          schedule,
          timezone,
          startTime: undefined,
          endTime: undefined,
          minCapacity: undefined,
          maxCapacity: undefined,
          timer: undefined,
        } satisfies ScheduledAction;
        actions.set(name, action);
      }
      if (schedule !== undefined) action.schedule = schedule;
      if (timezone !== undefined) action.timezone = timezone;
      // The JSON protocol sends timestamps as epoch seconds.
      action.startTime = start === undefined ? undefined : start * 1000;
      action.endTime = end === undefined ? undefined : end * 1000;
      if (targetAction !== undefined) {
        action.minCapacity = typeof min === "number" ? min : undefined;
        action.maxCapacity = typeof max === "number" ? max : undefined;
      }
      arm(action);
      return {};
    },

    DeleteScheduledAction(input: Input) {
      const ref = readTargetRef(input);
      const name = input.str("ScheduledActionName");
      const actions = state.scheduled.get(targetKey(ref));
      const action = actions?.get(name);
      if (actions === undefined || action === undefined) {
        throw new AwsApiError(
          "ObjectNotFoundException",
          `No scheduled action found for service namespace: ${ref.namespace}, resource ID: ${ref.resourceId}, scalable dimension: ${ref.dimension}, scheduled action name: ${name}`,
        );
      }
      action.timer?.cancel();
      actions.delete(name);
      return {};
    },

    DescribeScheduledActions(input: Input) {
      const namespace = readNamespace(input);
      const dimension = readDimension(input, false);
      const resourceId = input.optStr("ResourceId");
      const names = input.optStrList("ScheduledActionNames");
      const list = [...state.scheduled.values()]
        .flatMap((byName) => [...byName.values()])
        .filter(
          (a) =>
            a.namespace === namespace &&
            (dimension === undefined || a.dimension === dimension) &&
            (resourceId === undefined || a.resourceId === resourceId) &&
            (names === undefined || names.length === 0 || names.includes(a.name)),
        );
      const answer = page(input, list, 50);
      return { ScheduledActions: answer.items.map(scheduledShape), NextToken: answer.nextToken };
    },
  };
}
