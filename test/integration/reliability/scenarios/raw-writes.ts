/**
 * Raw writes: the crash scenario's creates, updates and deletes land in the table the way other tools write it —
 * `put-item` of a hand-written item (Terraform's table item, on create and on every change), `update-item` of
 * `spec` alone (a hand edit: no `resourceVersion`, no `generation`), `delete-item` (Terraform destroy) — mixed
 * with the CLI's own writes, while controller processes are SIGKILLed. Once converged, forgers in a namespace
 * whose `<namespace>-<name>` collides with live records (`rel-svc/01` vs `rel/svc-01`) carry the victims' uids,
 * the controller's finalizer and a Ready status, ask for an `evil` image and the victims' Cloud Map names, and
 * are then removed with `delete-item`. The audit counts orphans, lost updates and foreign writes.
 */
import { DeleteCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { API_VERSION, type Condition } from "../../../../src/crds/meta.js";
import { seededRandom } from "../../../../src/dev/aws-sim/rng.js";
import { findCondition } from "../../../../src/reconcilers/conditions.js";
import { CONTROLLER_FINALIZER } from "../../../../src/reconcilers/finalizer.js";
import { TagKey } from "../../../../src/render/names.js";
import type { DynamoResourceStore } from "../../../../src/store/dynamo-store.js";
import { derivedUid } from "../../../../src/store/layout.js";
import type { AwsInventory } from "../support/inventory.js";
import { REL_NAMESPACE, type ServiceWant, serviceDocument, waitConverged } from "../support/stack.js";
import type { Teardown } from "../support/teardown.js";
import { applyOperation, type Operation } from "../support/workload.js";
import { type CrashLoad, type CrashResult, runCrashScenario } from "./crashes.js";

/** The namespace of the forgers: `rel-svc` + `-` + `01` is the ECS name of `rel/svc-01`. */
export const FORGER_NAMESPACE = "rel-svc";
/** The image a forger asks for; it must never run anywhere. */
export const EVIL_IMAGE = "public.ecr.aws/evil/evil:latest";

/** How each operation was written. */
export type WritePath = "cli" | "putItem" | "updateItem" | "deleteItem";

/** What the raw-write scenario measured, beyond the crash scenario's figures. */
export interface RawWriteResult extends CrashResult {
  /** Operations per write path. */
  paths: Record<WritePath, number>;
  /** Forgers written, and the reason each one's Ready condition gave. */
  forgers: Array<{ name: string; victim: string; reason: string }>;
  /** Anything in AWS that a forger caused: an evil image, a resource tagged with the forgers' namespace. */
  foreignWrites: string[];
}

/** A hand-written item: only what the README's raw-item section asks for. */
function rawItem(namespace: string, name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return {
    pk: namespace,
    sk: `FargateService#${name}`,
    kind: "FargateService",
    apiVersion: API_VERSION,
    spec,
  };
}

/** Writes one operation by a seeded choice of path. */
async function applyRaw(
  store: DynamoResourceStore,
  op: Operation,
  random: () => number,
  paths: Record<WritePath, number>,
): Promise<void> {
  const documents = store.clients.documents;
  const TableName = store.tableName;
  const Key = { pk: REL_NAMESPACE, sk: `FargateService#${op.name}` };
  const roll = random();
  if (op.type === "delete") {
    if (roll < 0.5) {
      paths.deleteItem += 1;
      await documents.send(new DeleteCommand({ TableName, Key }));
      return;
    }
  } else if (op.type === "update" && roll < 0.4) {
    paths.updateItem += 1;
    await documents.send(
      new UpdateCommand({
        TableName,
        Key,
        UpdateExpression: "SET #spec.#containers[0].#image = :image, #spec.#desiredCount = :count",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeNames: {
          "#spec": "spec",
          "#containers": "containers",
          "#image": "image",
          "#desiredCount": "desiredCount",
        },
        ExpressionAttributeValues: { ":image": op.want.image, ":count": op.want.desiredCount },
      }),
    );
    return;
  } else if (roll < 0.7) {
    paths.putItem += 1;
    const spec = serviceDocument(op.name, op.want).spec;
    await documents.send(new PutCommand({ TableName, Item: rawItem(REL_NAMESPACE, op.name, spec) }));
    return;
  }
  paths.cli += 1;
  await applyOperation(store, op);
}

/** The forger of `victim`: its uid, our finalizer, a Ready status, an evil image and the victim's Cloud Map name. */
function forgerItem(victim: string): Record<string, unknown> {
  const name = victim.replace(/^svc-/, "");
  const spec = serviceDocument(name, { image: EVIL_IMAGE, desiredCount: 3 }).spec;
  const discovery = spec.discovery as { cloudMap: Record<string, unknown> };
  discovery.cloudMap = {
    namespaceRef: { name: "rel-internal", namespace: REL_NAMESPACE },
    serviceName: victim,
  };
  return {
    ...rawItem(FORGER_NAMESPACE, name, spec),
    uid: derivedUid({ pk: REL_NAMESPACE, sk: `FargateService#${victim}` }),
    creationTimestamp: "1970-01-01T00:00:00.000Z",
    finalizers: [CONTROLLER_FINALIZER],
    status: { conditions: [{ type: "Ready", status: "True", reason: "RolloutComplete" }] },
  };
}

/** Polls until every forger's Ready condition is False with a reason; returns name → reason. */
async function waitRefused(store: DynamoResourceStore, names: string[], timeoutMs: number) {
  const started = Date.now();
  const reasons = new Map<string, string>();
  while (Date.now() - started < timeoutMs && reasons.size < names.length) {
    for (const name of names) {
      const record = (await store.list("FargateService", { namespace: FORGER_NAMESPACE })).find(
        (r) => r.metadata.name === name,
      );
      const ready = findCondition(record?.status?.conditions as Condition[] | undefined, "Ready");
      if (ready?.status === "False" && ready.observedGeneration !== undefined)
        reasons.set(name, ready.reason);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return reasons;
}

/** What in the inventory a forger caused. */
export function foreignWritesIn(inventory: AwsInventory): string[] {
  const out: string[] = [];
  for (const r of inventory.revisions) {
    if (r.image === EVIL_IMAGE) out.push(`revision ${r.arn} runs the forger's image`);
    if (r.tags[TagKey.Namespace] === FORGER_NAMESPACE)
      out.push(`revision ${r.arn} tagged ${FORGER_NAMESPACE}`);
  }
  for (const s of inventory.ecsServices)
    if (s.tags[TagKey.Namespace] === FORGER_NAMESPACE)
      out.push(`ECS service ${s.name} tagged ${FORGER_NAMESPACE}`);
  for (const s of inventory.cloudMapServices)
    if (s.tags[TagKey.Namespace] === FORGER_NAMESPACE)
      out.push(`Cloud Map service ${s.name} tagged ${FORGER_NAMESPACE}`);
  return out;
}

/** Runs the scenario; everything it starts is registered on `teardown`. */
export async function runRawWriteScenario(
  load: CrashLoad & { forgers: number },
  dynamodbEndpoint: string,
  teardown: Teardown,
): Promise<RawWriteResult> {
  const random = seededRandom(load.seed + 3);
  const paths: Record<WritePath, number> = { cli: 0, putItem: 0, updateItem: 0, deleteItem: 0 };
  const forgers: RawWriteResult["forgers"] = [];
  const result = await runCrashScenario(load, dynamodbEndpoint, teardown, {
    apply: (store, op) => applyRaw(store, op, random, paths),
    afterOperations: async (store, wanted: ReadonlyMap<string, ServiceWant>) => {
      // The victims must own their names first; a forger that came first would rightly win them.
      await waitConverged(store, wanted, load.convergeTimeoutMs);
      const victims = [...wanted.keys()].slice(0, load.forgers);
      const TableName = store.tableName;
      for (const victim of victims)
        await store.clients.documents.send(new PutCommand({ TableName, Item: forgerItem(victim) }));
      const names = victims.map((v) => v.replace(/^svc-/, ""));
      const reasons = await waitRefused(store, names, load.convergeTimeoutMs);
      for (const [i, victim] of victims.entries()) {
        const name = names[i] ?? "";
        forgers.push({ name, victim, reason: reasons.get(name) ?? "no refusal seen" });
        await store.clients.documents.send(
          new DeleteCommand({ TableName, Key: { pk: FORGER_NAMESPACE, sk: `FargateService#${name}` } }),
        );
      }
      // Give the forgers' cleanup time to run before the audit: it must not touch what the victims own.
      await new Promise((r) => setTimeout(r, 3000));
    },
  });
  return { ...result, paths, forgers, foreignWrites: foreignWritesIn(result.inventory) };
}
