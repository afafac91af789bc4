/** Builds the condition and update expressions every store write uses (compare-and-set on resourceVersion). */
import { InvalidError } from "./errors.js";

/** A condition on `resourceVersion`, with its expression names and values. */
export interface VersionCondition {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/** The parts of an UpdateItem request that `updatePlan` fills. */
export interface UpdatePlan {
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

/**
 * The write condition for a record read at `resourceVersion`. "0" is a hand-written item that has never been
 * written by the store: it must exist, and its `resourceVersion` is absent or not one the store could have
 * written (not a number, below 1, beyond 2^53). Version n matches [n, n+1): the store writes integers only, so
 * that is n itself or a hand-written fraction read as n (layout.ts `resourceVersionOf`).
 */
export function versionCondition(resourceVersion: string): VersionCondition {
  if (!/^\d+$/.test(resourceVersion)) {
    throw new InvalidError(`resourceVersion ${JSON.stringify(resourceVersion)} is not one this store issued`);
  }
  const expected = Number(resourceVersion);
  if (expected === 0) {
    return {
      expression:
        "attribute_exists(#pk) AND (attribute_not_exists(#rv) OR NOT attribute_type(#rv, :numberType) OR #rv < :firstRv OR #rv > :maxRv)",
      names: { "#pk": "pk", "#rv": "resourceVersion" },
      values: { ":numberType": "N", ":firstRv": 1, ":maxRv": Number.MAX_SAFE_INTEGER },
    };
  }
  return {
    expression: "#rv >= :expectedRv AND #rv < :aboveRv",
    names: { "#rv": "resourceVersion" },
    values: { ":expectedRv": expected, ":aboveRv": expected + 1 },
  };
}

/**
 * SETs `set`, raises `resourceVersion` by one, conditional on the version
 * the caller read. Every attribute name goes through a placeholder (several are DynamoDB reserved words).
 */
export function updatePlan(set: Record<string, unknown>, resourceVersion: string): UpdatePlan {
  const condition = versionCondition(resourceVersion);
  const names: Record<string, string> = { ...condition.names };
  const values: Record<string, unknown> = {
    ...condition.values,
    ":nextRv": Number(resourceVersion) + 1,
  };
  const clauses: string[] = ["#rv = :nextRv"];
  let index = 0;
  for (const [attribute, value] of Object.entries(set)) {
    if (value === undefined) continue;
    const placeholder = `a${index++}`;
    names[`#${placeholder}`] = attribute;
    values[`:${placeholder}`] = value;
    clauses.push(`#${placeholder} = :${placeholder}`);
  }
  return {
    UpdateExpression: `SET ${clauses.join(", ")}`,
    ConditionExpression: condition.expression,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
