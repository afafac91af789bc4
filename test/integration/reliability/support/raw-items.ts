/**
 * Hostile raw DynamoDB items for the property tests: keys in and out of the record layout (pk = namespace,
 * sk = `<Kind>#<name>`), a `kind` attribute that may be missing or wrong, a spec that is a mutated example, random
 * JSON or not a map at all, and metadata attributes of random types. Plus what the controller should do with
 * each, worked out the way the store and the reconcilers read an item.
 */
import fc from "fast-check";
import { formatPath, validateDocument } from "../../../../src/crds/index.js";
import { API_VERSION, KINDS, type Kind } from "../../../../src/crds/meta.js";
import { CONTROLLER_FINALIZER } from "../../../../src/reconcilers/finalizer.js";
import { isResourceItem, itemToResource, resourceItemKey } from "../../../../src/store/layout.js";
import { exampleDocuments, mutatedExamples, storableJson } from "./documents.js";

/** The tenancy namespace the hostile records live in. */
export const HOSTILE_NAMESPACE = "hostile";

/** The shape of one hostile item, before it gets its unique name. */
export interface RawItemPlan {
  kind: unknown;
  pk: "namespace" | "random" | "event" | "upper";
  sk: "match" | "otherKind" | "noName" | "random" | "badName";
  random: string;
  apiVersion: unknown;
  spec: unknown;
  extras: Record<string, unknown>;
}

const ABSENT = Symbol("absent");

/** Metadata attributes the layout knows, each given a random value (or the controller's finalizer). */
const METADATA_ATTRIBUTES = [
  "generation",
  "resourceVersion",
  "finalizers",
  "labels",
  "annotations",
  "ownerReferences",
  "uid",
  "creationTimestamp",
  "deletionTimestamp",
  "status",
  "specHash",
  "name",
  "namespace",
] as const;

/** A spec for `kind`: one mutation of an example of that kind. */
function mutatedSpec(kind: unknown): fc.Arbitrary<unknown> {
  const known = (KINDS as readonly unknown[]).includes(kind) ? (kind as Kind) : "FargateService";
  const hasKind = exampleDocuments().some((d) => (d as { kind?: unknown }).kind === known);
  return mutatedExamples({ storable: true })
    .filter((m) => !hasKind || (m.document as { kind?: unknown }).kind === known)
    .filter((m) => m.path[0] === "spec")
    .map((m) => (m.document as { spec?: unknown }).spec);
}

/** Hostile item plans: mostly well-keyed records with broken specs or metadata, some not records at all. */
export function rawItemPlans(): fc.Arbitrary<RawItemPlan> {
  const kind = fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom<unknown>(...KINDS) },
    { weight: 1, arbitrary: storableJson(1) },
    { weight: 1, arbitrary: fc.constant<unknown>(ABSENT) },
  );
  const one = <T>(usual: T, ...rare: T[]) =>
    fc.oneof(
      { weight: 12, arbitrary: fc.constant(usual) },
      ...rare.map((r) => ({ weight: 1, arbitrary: fc.constant(r) })),
    );
  return kind.chain((k) =>
    fc.record({
      kind: fc.constant(k),
      pk: one<RawItemPlan["pk"]>("namespace", "random", "event", "upper"),
      sk: one<RawItemPlan["sk"]>("match", "otherKind", "noName", "random", "badName"),
      random: fc.string({ maxLength: 20 }),
      apiVersion: fc.oneof(
        { weight: 12, arbitrary: fc.constant<unknown>(API_VERSION) },
        { weight: 1, arbitrary: storableJson(1) },
        { weight: 1, arbitrary: fc.constant<unknown>(ABSENT) },
      ),
      spec: fc.oneof(
        { weight: 6, arbitrary: mutatedSpec(k) },
        { weight: 1, arbitrary: fc.dictionary(fc.string({ minLength: 1 }), storableJson(3)) },
        { weight: 1, arbitrary: storableJson(1) },
        { weight: 1, arbitrary: fc.constant<unknown>(ABSENT) },
      ),
      extras: fc.dictionary(
        fc.constantFrom(...METADATA_ATTRIBUTES),
        fc.oneof(
          { weight: 6, arbitrary: storableJson() },
          { weight: 1, arbitrary: fc.constant<unknown>([CONTROLLER_FINALIZER]) },
        ),
        { maxKeys: 4 },
      ),
    }),
  );
}

/** The item for a plan, named `name` (unique per run); absent parts are left out. */
export function itemOf(plan: RawItemPlan, name: string): Record<string, unknown> {
  const kind = typeof plan.kind === "string" ? plan.kind : "FargateService";
  const other = KINDS.find((k) => k !== kind) ?? "CatalogSync";
  const pk = {
    namespace: HOSTILE_NAMESPACE,
    random: plan.random,
    event: `_event#${HOSTILE_NAMESPACE}`,
    upper: "Hostile",
  }[plan.pk];
  const sk = {
    match: `${kind}#${name}`,
    otherKind: `${other}#${name}`,
    noName: `${kind}#`,
    random: plan.random,
    badName: `${kind}#${name.toUpperCase()}_x`,
  }[plan.sk];
  const item: Record<string, unknown> = { ...plan.extras, pk, sk };
  if (plan.kind !== ABSENT) item.kind = plan.kind;
  if (plan.apiVersion !== ABSENT) item.apiVersion = plan.apiVersion;
  if (plan.spec !== ABSENT) item.spec = plan.spec;
  return item;
}

/** What the controller should do with an item. */
export type Expectation =
  /** Not a record, not addressable through the store, or being deleted: nothing observable, no AWS call. */
  | { type: "ignored"; why: string }
  /** An invalid record: Ready=False, reason InvalidSpec, the message naming every issue's path. */
  | { type: "invalid"; kind: Kind; namespace: string; name: string; paths: string[] }
  /** A valid record (the controller would act on it in AWS): not used. */
  | { type: "valid" };

/** Works out the expectation the way the store reads the item and the reconcilers validate it. */
export function expectationOf(item: Record<string, unknown>): Expectation {
  if (!isResourceItem(item)) return { type: "ignored", why: "not a record item" };
  let record: ReturnType<typeof itemToResource>;
  try {
    record = itemToResource(item);
  } catch {
    return { type: "ignored", why: "not a well-formed record" };
  }
  const { kind, metadata } = record;
  try {
    resourceItemKey(kind, metadata.namespace, metadata.name);
  } catch {
    return { type: "ignored", why: "key outside the store's layout" };
  }
  if (metadata.deletionTimestamp !== undefined) return { type: "ignored", why: "being deleted" };
  const result = validateDocument({ apiVersion: record.apiVersion, kind, metadata, spec: record.spec });
  if (result.ok) return { type: "valid" };
  const paths = result.issues.map((i) => formatPath(i.path));
  return { type: "invalid", kind, namespace: metadata.namespace, name: metadata.name, paths };
}
