/**
 * Seeded sequences of creates, updates and deletes of FargateServices, applied to the table the way the CLI
 * would (apply, delete), with the specs the table should end up holding.
 */
import { DeleteCommand } from "@aws-sdk/lib-dynamodb";
import { seededRandom } from "../../../../src/dev/aws-sim/rng.js";
import type { DynamoResourceStore } from "../../../../src/store/dynamo-store.js";
import { ConflictError } from "../../../../src/store/errors.js";
import { resourceItemKey } from "../../../../src/store/layout.js";
import { REL_NAMESPACE, type ServiceWant, serviceDocument } from "./stack.js";

/** One change to the records. */
export type Operation =
  | { type: "create"; name: string; want: ServiceWant }
  | { type: "update"; name: string; want: ServiceWant }
  | { type: "delete"; name: string };

/** Registry images the workloads use (the simulator starts any of them). */
export const IMAGE = "public.ecr.aws/nginx/nginx";

/** `svc-07`-style names, in creation order. */
export function serviceName(index: number): string {
  return `svc-${String(index).padStart(2, "0")}`;
}

/**
 * A seeded sequence of `count` operations: 40% creates, 40% updates (a new image tag or desired count) and 20%
 * deletes, in a random order where an update or delete always has a live service to act on and at least one
 * service stays live.
 */
export function planOperations(count: number, seed: number): Operation[] {
  const random = seededRandom(seed);
  const quota = { create: Math.round(count * 0.4), update: Math.round(count * 0.4), delete: 0 };
  quota.delete = Math.max(0, count - quota.create - quota.update);
  const live = new Map<string, ServiceWant>();
  const ops: Operation[] = [];
  let created = 0;
  let tag = 0;
  const pick = (): string => {
    const names = [...live.keys()];
    return names[Math.floor(random() * names.length)] ?? "";
  };
  for (let i = 0; i < count; i += 1) {
    const feasible = (["create", "update", "delete"] as const).filter(
      (t) => quota[t] > 0 && (t === "create" || (t === "update" ? live.size > 0 : live.size > 1)),
    );
    const total = feasible.reduce((n, t) => n + quota[t], 0);
    const roll = random() * total;
    let below = 0;
    const type =
      feasible.find((t) => {
        below += quota[t];
        return roll < below;
      }) ?? "create";
    quota[type] = Math.max(0, quota[type] - 1);
    if (type === "create") {
      created += 1;
      tag += 1;
      const want = { image: `${IMAGE}:1.${tag}`, desiredCount: 1 + Math.floor(random() * 2) };
      const name = serviceName(created);
      live.set(name, want);
      ops.push({ type: "create", name, want });
    } else if (type === "update") {
      const name = pick();
      const before = live.get(name) ?? { image: `${IMAGE}:1.0`, desiredCount: 1 };
      tag += 1;
      const want =
        random() < 0.7
          ? { ...before, image: `${IMAGE}:1.${tag}` }
          : { ...before, desiredCount: before.desiredCount === 1 ? 2 : 1 };
      live.set(name, want);
      ops.push({ type: "update", name, want });
    } else {
      const name = pick();
      live.delete(name);
      ops.push({ type: "delete", name });
    }
  }
  return ops;
}

/** The specs the table should hold once every operation is applied: name → want. */
export function finalWants(ops: readonly Operation[]): Map<string, ServiceWant> {
  const out = new Map<string, ServiceWant>();
  for (const op of ops) {
    if (op.type === "delete") out.delete(op.name);
    else out.set(op.name, op.want);
  }
  return out;
}

/**
 * Applies one operation to the table as the CLI would: `apply` re-reads and retries when the controller wrote the
 * record (status, finalizer) between its read and its write (DESIGN §10, CLI); `delete` retries by itself. With
 * `rawDeletes`, a delete is a plain DeleteItem instead (no finalizer is waited for).
 */
export async function applyOperation(
  store: DynamoResourceStore,
  op: Operation,
  options: { rawDeletes?: boolean } = {},
): Promise<void> {
  if (op.type === "delete" && options.rawDeletes === true) {
    // DeleteItem as Terraform's destroy sends it: the item goes at once, finalizer or not.
    await store.clients.documents.send(
      new DeleteCommand({
        TableName: store.tableName,
        Key: resourceItemKey("FargateService", REL_NAMESPACE, op.name),
      }),
    );
    return;
  }
  if (op.type === "delete") {
    await store.delete("FargateService", REL_NAMESPACE, op.name);
    return;
  }
  for (let attempt = 1; ; attempt += 1) {
    try {
      await store.apply(serviceDocument(op.name, op.want));
      return;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= 10) throw error;
    }
  }
}

/** Counts of each operation type. */
export function tally(ops: readonly Operation[]): Record<Operation["type"], number> {
  const out = { create: 0, update: 0, delete: 0 };
  for (const op of ops) out[op.type] += 1;
  return out;
}
