/**
 * Which events a status write means (pure): a record's Ready condition changing status or reason is an event
 * with that reason and message (RolloutInProgress, RolloutComplete, RolloutFailed with its message, Syncing,
 * SyncFailing, PolicyViolation, …), and Stalled turning True for a reason Ready does not already say is another.
 * So every kind's outcomes become events without each reconciler naming them, and a richer condition message
 * (the stopped tasks' reasons in RolloutFailed) reaches the Warning event with no extra wiring.
 */
import type { Condition } from "../crds/meta.js";
import { EventType } from "../store/events.js";

/** An event a status change calls for. */
export interface TransitionEvent {
  type: EventType;
  reason: string;
  message: string;
}

/** Reasons that say something went wrong even while the controller keeps trying (Stalled not set). */
const WARNING_REASON =
  /Fail|Error|Denied|Throttl|Violat|TimedOut|Taken|Conflict|Invalid|Lost|Unreachable|Refused|Forbidden|Missing|NotFound|Mismatch|InUse|Immutable|AlreadyExists|Rejected|Unhealthy|Expired/;

/** True when an event with this reason is a Warning (a stalled record's always is). */
export function isWarningReason(reason: string): boolean {
  return WARNING_REASON.test(reason);
}

function conditionsOf(status: Record<string, unknown> | undefined): Condition[] {
  const list = status?.conditions;
  return Array.isArray(list) ? (list as Condition[]) : [];
}

function find(status: Record<string, unknown> | undefined, type: string): Condition | undefined {
  return conditionsOf(status).find((c) => c.type === type);
}

/** Messages compared without their numbers, so counts moving in a message ("2/3 running") are no new event. */
function shape(message: string): string {
  return message.replace(/\d+/g, "#");
}

/** The events that `after` replacing `before` calls for (none when Ready says what it said). */
export function transitionEvents(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
): TransitionEvent[] {
  const out: TransitionEvent[] = [];
  const ready = find(after, "Ready");
  const stalled = find(after, "Stalled");
  const isStalled = stalled?.status === "True";
  if (ready !== undefined && ready.reason !== "") {
    const was = find(before, "Ready");
    const type = isStalled || isWarningReason(ready.reason) ? EventType.Warning : EventType.Normal;
    const changed =
      was === undefined ||
      was.status !== ready.status ||
      was.reason !== ready.reason ||
      (type === EventType.Warning && shape(was.message) !== shape(ready.message));
    if (changed) {
      const message = ready.message || `Ready is ${ready.status}`;
      // Leaving a Warning for a Normal reason says so: "lost Consul" is followed by "recovered".
      const recovered =
        type === EventType.Normal &&
        was !== undefined &&
        was.reason !== ready.reason &&
        isWarningReason(was.reason);
      out.push({
        type,
        reason: ready.reason,
        message: recovered ? `recovered from ${was.reason}: ${message}` : message,
      });
    }
  }
  if (isStalled && stalled.reason !== "" && stalled.reason !== ready?.reason) {
    const was = find(before, "Stalled");
    if (was?.status !== "True" || was.reason !== stalled.reason) {
      out.push({ type: EventType.Warning, reason: stalled.reason, message: stalled.message });
    }
  }
  return out;
}
