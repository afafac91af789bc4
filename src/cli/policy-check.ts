/**
 * `fargatectl validate --policy FILE`: documents judged offline by the NamespacePolicy records of a file, with
 * the controller's rule (the policy named like the document's namespace, else `default`, else none). Pure.
 */
import { DEFAULT_POLICY_NAME, type NamespacePolicySpec, type SourcePosition } from "../crds/index.js";
import {
  evaluatePolicy,
  type PolicySubject,
  type ServiceSlot,
  shownValue,
} from "../reconcilers/policy/evaluate.js";
import type { LoadedDocument } from "./input.js";

/** The policies of a policy file by name, or the problems that make the file unusable. */
export type PolicySet =
  | { ok: true; policies: ReadonlyMap<string, NamespacePolicySpec> }
  | { ok: false; errors: string[] };

function at(doc: LoadedDocument, path: Array<string | number>): SourcePosition {
  return doc.positionOf?.(path) ?? { line: 1, col: 1 };
}

/**
 * Reads the policies out of a policy file's valid documents: only NamespacePolicy records in `policyNamespace`,
 * each name once (anything else would never govern in the controller, so it is an error here).
 */
export function policySetOf(documents: readonly LoadedDocument[], policyNamespace: string): PolicySet {
  const errors: string[] = [];
  const policies = new Map<string, NamespacePolicySpec>();
  for (const doc of documents) {
    const { kind, metadata } = doc.document;
    const where = (path: Array<string | number>) => {
      const p = at(doc, path);
      return `${doc.source}:${p.line}:${p.col}`;
    };
    if (kind !== "NamespacePolicy") {
      errors.push(
        `${where(["kind"])}: kind: a policy file holds NamespacePolicy documents only, found ${kind}`,
      );
    } else if (metadata.namespace !== policyNamespace) {
      errors.push(
        `${where(["metadata"])}: metadata.namespace: is "${metadata.namespace}", but policies count only in ${policyNamespace} (set it, or pass --policy-namespace)`,
      );
    } else if (policies.has(metadata.name)) {
      errors.push(`${where(["metadata", "name"])}: metadata.name: policy "${metadata.name}" appears twice`);
    } else {
      policies.set(metadata.name, doc.document.spec as NamespacePolicySpec);
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, policies };
}

function subjectOf(doc: LoadedDocument): PolicySubject | undefined {
  const { kind, metadata, spec } = doc.document;
  const namespace = metadata.namespace ?? "default";
  if (kind === "FargateService" || kind === "CatalogSync" || kind === "CloudMapNamespace") {
    return { kind, namespace, name: metadata.name, spec } as PolicySubject;
  }
  return undefined;
}

/**
 * One line per broken rule of every document, `file:line:col: field: "value" is refused by NamespacePolicy
 * NAME (rule allows ...)`. `limits.maxServices` counts the FargateServices among `documents` only, ordered by
 * name (documents carry no creationTimestamp); the records already in the table are not known offline.
 */
export function policyViolations(
  documents: readonly LoadedDocument[],
  policies: ReadonlyMap<string, NamespacePolicySpec>,
  policyNamespace: string,
): string[] {
  const lines: string[] = [];
  const services = new Map<string, ServiceSlot[]>();
  for (const doc of documents) {
    const subject = subjectOf(doc);
    if (subject?.kind !== "FargateService") continue;
    const list = services.get(subject.namespace) ?? [];
    list.push({ name: subject.name, deleting: false });
    services.set(subject.namespace, list);
  }
  for (const doc of documents) {
    const subject = subjectOf(doc);
    if (subject === undefined) continue;
    const name = policies.has(subject.namespace) ? subject.namespace : DEFAULT_POLICY_NAME;
    const policy = policies.get(name);
    if (policy === undefined) continue;
    for (const v of evaluatePolicy(policy, subject, services.get(subject.namespace) ?? [])) {
      const allowed = v.rule.startsWith("limits.")
        ? v.allowed.join(", ")
        : v.allowed.length === 0
          ? "nothing"
          : v.allowed.map((p) => JSON.stringify(p)).join(", ");
      const p = at(doc, v.path);
      lines.push(
        `${doc.source}:${p.line}:${p.col}: ${v.field}: ${shownValue(v)} is refused by NamespacePolicy ${policyNamespace}/${name} (${v.rule} allows ${allowed})`,
      );
    }
  }
  return lines;
}
