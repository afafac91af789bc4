/**
 * What `wait --for` asks and whether a record answers it. Pure. A condition counts only when its own
 * `observedGeneration` and `status.observedGeneration` both equal `metadata.generation` and
 * `status.observedSpecHash` equals the record's spec hash, so `apply` followed by `wait` never returns on the
 * previous generation's Ready, nor a hand edit of `spec` (which keeps the generation) on the previous spec's.
 */

import { type Condition, ConditionStatus } from "../crds/meta.js";
import { ConditionType, findCondition } from "../reconcilers/conditions.js";
import type { StoredResource } from "../store/types.js";

/** `--for condition=<Type>[=<Status>]` or `--for delete`. */
export type WaitTarget =
  | { type: "condition"; condition: string; status: ConditionStatus }
  | { type: "delete" };

const CONDITION_TYPE = /^[A-Za-z][A-Za-z0-9]*$/;

/** Parses `--for`; throws an Error saying what is accepted (commander turns it into a usage error). */
export function parseWaitFor(raw: string): WaitTarget {
  const text = raw.trim();
  if (text.toLowerCase() === "delete") return { type: "delete" };
  const match = /^condition=([^=]+)(?:=([^=]+))?$/i.exec(text);
  const type = match?.[1];
  if (match === null || type === undefined || !CONDITION_TYPE.test(type)) {
    throw new Error(
      `--for ${JSON.stringify(raw)}: use condition=Ready, condition=<Type>, condition=<Type>=True|False|Unknown, or delete`,
    );
  }
  const status = parseStatus(match[2] ?? "True");
  if (status === undefined) {
    throw new Error(`--for ${JSON.stringify(raw)}: the status must be True, False or Unknown`);
  }
  return { type: "condition", condition: type, status };
}

function parseStatus(raw: string): ConditionStatus | undefined {
  const lower = raw.toLowerCase();
  return Object.values(ConditionStatus).find((s) => s.toLowerCase() === lower);
}

/** `Ready=True` or `delete`, for messages. */
export function describeWaitTarget(target: WaitTarget): string {
  return target.type === "delete" ? "deletion" : `${target.condition}=${target.status}`;
}

/** Outcome values of judging one read of a record. */
export const Verdict = { Met: "met", Pending: "pending", Failed: "failed" } as const;

/** How a record stands against a condition target. */
export type WaitVerdict =
  | { state: typeof Verdict.Met; detail: string }
  | { state: typeof Verdict.Pending; lastSeen: string }
  | { state: typeof Verdict.Failed; reason: string };

/** True when the controller's last pass acted on the record's current spec (generation and spec hash). */
export function observedCurrentSpec(resource: StoredResource): boolean {
  return (
    resource.status?.observedGeneration === resource.metadata.generation &&
    resource.status?.observedSpecHash === resource.specHash
  );
}

/**
 * The condition of `type` when it is for the record's current spec: its generation and the status's agree, and
 * the status's `observedSpecHash` is the spec's hash (a record without one has not been observed yet).
 */
export function currentCondition(resource: StoredResource, type: string): Condition | undefined {
  const condition = findCondition(conditionsOf(resource), type);
  if (condition === undefined || condition.observedGeneration !== resource.metadata.generation)
    return undefined;
  return observedCurrentSpec(resource) ? condition : undefined;
}

/**
 * Judges one read. Met when the target condition holds for the current generation; failed at once when
 * `Stalled=True` holds for it (a permanent failure: waiting cannot help); otherwise pending with what was seen.
 */
export function judgeRecord(
  resource: StoredResource,
  target: Extract<WaitTarget, { type: "condition" }>,
): WaitVerdict {
  const generation = resource.metadata.generation;
  const wanted = currentCondition(resource, target.condition);
  if (wanted?.status === target.status) {
    return { state: Verdict.Met, detail: `${target.condition}=${wanted.status}, generation ${generation}` };
  }
  const stalled = currentCondition(resource, ConditionType.Stalled);
  if (stalled?.status === ConditionStatus.True) {
    return {
      state: Verdict.Failed,
      reason: `Stalled=True for generation ${generation}${explain(stalled)}`,
    };
  }
  return { state: Verdict.Pending, lastSeen: describeLastSeen(resource, target.condition) };
}

/** What a reader needs to know about why the target is not met yet. */
export function describeLastSeen(resource: StoredResource, type: string): string {
  const generation = resource.metadata.generation;
  const deleting =
    resource.metadata.deletionTimestamp === undefined
      ? ""
      : `; being deleted since ${resource.metadata.deletionTimestamp}`;
  const observed = resource.status?.observedGeneration;
  const condition = findCondition(conditionsOf(resource), type);
  if (condition === undefined) {
    const none = resource.status === undefined ? "no status yet (the controller has not reported)" : "";
    return `${none || `no ${type} condition yet`} at generation ${generation}${deleting}`;
  }
  const seen = `${type}=${condition.status}${explain(condition)}`;
  if (condition.observedGeneration !== generation || observed !== generation) {
    return (
      `${seen}, but that is for generation ${condition.observedGeneration} ` +
      `(status.observedGeneration ${observed ?? "none"}, metadata.generation ${generation})${deleting}`
    );
  }
  if (!observedCurrentSpec(resource)) {
    const hash = resource.status?.observedSpecHash;
    return (
      `${seen}, but the controller has not acted on the current spec yet ` +
      `(status.observedSpecHash ${typeof hash === "string" ? short(hash) : "none"}, ` +
      `spec hash ${short(resource.specHash)})${deleting}`
    );
  }
  const suspended = currentCondition(resource, ConditionType.Reconciling);
  const note =
    resource.spec.suspend === true && suspended?.reason === "Suspended"
      ? "; suspended (spec.suspend is true): nothing changes until it is false"
      : "";
  return `${seen} at generation ${generation}${note}${deleting}`;
}

/** The first 12 hex digits of a hash: enough to tell two apart in a message. */
function short(hash: string): string {
  return hash.slice(0, 12);
}

function explain(condition: Condition): string {
  const reason = condition.reason ? ` reason=${condition.reason}` : "";
  const message = condition.message ? ` message=${JSON.stringify(condition.message)}` : "";
  return `${reason}${message}`;
}

function conditionsOf(resource: StoredResource): Condition[] | undefined {
  const conditions = resource.status?.conditions;
  return Array.isArray(conditions) ? (conditions as Condition[]) : undefined;
}
