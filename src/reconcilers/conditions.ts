/** Pure helpers for status conditions (Kubernetes API conventions) and the kstatus trio Ready/Reconciling/Stalled. */
import { type Condition, ConditionStatus } from "../crds/meta.js";

/** Condition types every kind carries. */
export const ConditionType = { Ready: "Ready", Reconciling: "Reconciling", Stalled: "Stalled" } as const;

/** A condition before the runtime stamps `lastTransitionTime`. */
export type ConditionUpdate = Omit<Condition, "lastTransitionTime">;

/** The condition of `type`, if present. */
export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** True when the condition of `type` is present with status True. */
export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === ConditionStatus.True;
}

/**
 * Returns a new list with `update` set. `lastTransitionTime` stays when the status does not change (only reason,
 * message and observedGeneration move); otherwise it becomes `now`. Order is kept; a new type is appended.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  update: ConditionUpdate,
  now: Date | string,
): Condition[] {
  const stamp = typeof now === "string" ? now : now.toISOString();
  const list = conditions ?? [];
  const existing = list.find((c) => c.type === update.type);
  const next: Condition = {
    type: update.type,
    status: update.status,
    reason: update.reason,
    message: update.message,
    lastTransitionTime:
      existing !== undefined && existing.status === update.status ? existing.lastTransitionTime : stamp,
    observedGeneration: update.observedGeneration,
  };
  if (existing === undefined) return [...list, next];
  return list.map((c) => (c.type === update.type ? next : c));
}

/** Applies several updates in order with one timestamp. */
export function setConditions(
  conditions: readonly Condition[] | undefined,
  updates: readonly ConditionUpdate[],
  now: Date | string,
): Condition[] {
  let out = [...(conditions ?? [])];
  for (const u of updates) out = setCondition(out, u, now);
  return out;
}

/** Removes the condition of `type` (a new list). */
export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

/** Builds the kstatus trio; the message is repeated on the conditions that are "on" (and always on Ready). */
function kstatusTrio(
  generation: number,
  statuses: { ready: ConditionStatus; reconciling: ConditionStatus; stalled: ConditionStatus },
  reason: string,
  message: string,
): ConditionUpdate[] {
  const on = (status: ConditionStatus) => (status === ConditionStatus.True ? message : "");
  return [
    { type: ConditionType.Ready, status: statuses.ready, reason, message, observedGeneration: generation },
    {
      type: ConditionType.Reconciling,
      status: statuses.reconciling,
      reason,
      message: on(statuses.reconciling),
      observedGeneration: generation,
    },
    {
      type: ConditionType.Stalled,
      status: statuses.stalled,
      reason,
      message: on(statuses.stalled),
      observedGeneration: generation,
    },
  ];
}

/** The kstatus trio for a converged record: Ready=True, Reconciling=False, Stalled=False. */
export function readyConditions(generation: number, reason: string, message: string): ConditionUpdate[] {
  const { True, False } = ConditionStatus;
  return kstatusTrio(generation, { ready: True, reconciling: False, stalled: False }, reason, message);
}

/** The kstatus trio while work is in progress: Ready=False (or Unknown), Reconciling=True, Stalled=False. */
export function reconcilingConditions(
  generation: number,
  reason: string,
  message: string,
  ready: ConditionStatus = ConditionStatus.False,
): ConditionUpdate[] {
  const { True, False } = ConditionStatus;
  return kstatusTrio(generation, { ready, reconciling: True, stalled: False }, reason, message);
}

/** The kstatus trio for a failure retrying cannot fix: Ready=False, Reconciling=False, Stalled=True. */
export function stalledConditions(generation: number, reason: string, message: string): ConditionUpdate[] {
  const { True, False } = ConditionStatus;
  return kstatusTrio(generation, { ready: False, reconciling: False, stalled: True }, reason, message);
}

/** kstatus's reading of a record: where a GitOps tool or `wait` stands. */
export const KStatus = {
  Current: "Current",
  InProgress: "InProgress",
  Failed: "Failed",
  Unknown: "Unknown",
} as const;

/** One of the KStatus values. */
export type KStatus = (typeof KStatus)[keyof typeof KStatus];

/**
 * Summarises conditions as kstatus does: a condition counts only when its observedGeneration equals the
 * record's generation; Stalled wins, then Reconciling, then Ready.
 */
export function summarizeKStatus(conditions: readonly Condition[] | undefined, generation: number): KStatus {
  const current = (type: string): Condition | undefined => {
    const c = findCondition(conditions, type);
    return c !== undefined && c.observedGeneration === generation ? c : undefined;
  };
  if (current(ConditionType.Stalled)?.status === ConditionStatus.True) return KStatus.Failed;
  if (current(ConditionType.Reconciling)?.status === ConditionStatus.True) return KStatus.InProgress;
  const ready = current(ConditionType.Ready);
  if (ready?.status === ConditionStatus.True) return KStatus.Current;
  if (ready === undefined)
    return findCondition(conditions, ConditionType.Ready) ? KStatus.InProgress : KStatus.Unknown;
  return KStatus.InProgress;
}
