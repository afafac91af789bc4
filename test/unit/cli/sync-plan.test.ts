import { describe, expect, it } from "vitest";
import {
  countActions,
  duplicateErrors,
  formatPlanLine,
  parseSourceName,
  planSync,
  SOURCE_LABEL,
  withSourceLabel,
} from "../../../src/cli/sync-plan.js";
import type { ResourceDocument, StoredResource } from "../../../src/store/types.js";
import { record } from "./records.js";

const SPEC = { cluster: "apps", desiredCount: 2 };

function doc(name: string, spec: Record<string, unknown> = SPEC, namespace?: string): ResourceDocument {
  return {
    apiVersion: "fargate-operator/v1alpha1",
    kind: "FargateService",
    metadata: { name, ...(namespace === undefined ? {} : { namespace }) },
    spec,
  };
}

function labelled(d: ResourceDocument, source = "repo-a"): ResourceDocument {
  const out = withSourceLabel(d, source);
  if (typeof out === "string") throw new Error(out);
  return out;
}

function owned(
  name: string,
  source: string | undefined,
  extra: Parameters<typeof record>[1] = {},
): StoredResource {
  return record(name, {
    spec: SPEC,
    labels: source === undefined ? {} : { [SOURCE_LABEL]: source },
    ...extra,
  });
}

function plan(
  documents: ResourceDocument[],
  stored: StoredResource[],
  options: { prune?: boolean; forceAdopt?: boolean } = {},
) {
  return planSync({
    source: "repo-a",
    documents,
    current: new Map(stored.map((r) => [`${r.kind}/${r.metadata.namespace}/${r.metadata.name}`, r])),
    owned: stored.filter((r) => r.metadata.labels[SOURCE_LABEL] === "repo-a"),
    prune: options.prune ?? false,
    forceAdopt: options.forceAdopt ?? false,
  });
}

describe("source names and labels", () => {
  it("accepts label-value names and rejects the rest", () => {
    expect(parseSourceName("my-repo")).toBe("my-repo");
    expect(parseSourceName("org.repo_2")).toBe("org.repo_2");
    for (const bad of ["", "-x", "org/repo", "a b", "x".repeat(64)])
      expect(() => parseSourceName(bad)).toThrow();
  });

  it("adds the source label, keeps other labels, and refuses a document claiming another source", () => {
    const d = { ...doc("web"), metadata: { name: "web", labels: { team: "a" } } };
    expect(labelled(d).metadata.labels).toEqual({ team: "a", [SOURCE_LABEL]: "repo-a" });
    const claimed = { ...doc("web"), metadata: { name: "web", labels: { [SOURCE_LABEL]: "repo-b" } } };
    expect(withSourceLabel(claimed, "repo-a")).toMatch(/is "repo-b" but --source is "repo-a"/);
  });

  it("finds records defined twice", () => {
    const errors = duplicateErrors([
      { source: "a.yaml", document: doc("web") },
      { source: "b.yaml", document: doc("web") },
      { source: "b.yaml", document: doc("web", SPEC, "team-a") },
    ]);
    expect(errors).toEqual(["b.yaml: fargateservice/web is also defined in a.yaml (keep one)"]);
  });
});

describe("planSync", () => {
  it("creates what is missing, updates what changed, leaves the rest", () => {
    const result = plan(
      [labelled(doc("new")), labelled(doc("changed", { cluster: "other" })), labelled(doc("same"))],
      [owned("changed", "repo-a"), owned("same", "repo-a")],
    );
    expect(result.refusals).toEqual([]);
    expect(result.changes.map((c) => `${c.action} ${c.ref.name}`)).toEqual([
      "create new",
      "update changed",
      "unchanged same",
    ]);
  });

  it("treats a label-only difference as an update (apply writes labels)", () => {
    const d = labelled({ ...doc("same"), metadata: { name: "same", labels: { team: "a" } } });
    expect(plan([d], [owned("same", "repo-a")]).changes[0]?.action).toBe("update");
  });

  it("prunes only this source's records that the directory dropped", () => {
    const stored = [
      owned("kept", "repo-a"),
      owned("dropped", "repo-a"),
      owned("theirs", "repo-b"),
      owned("by-hand", undefined),
      owned("leaving", "repo-a", { deletionTimestamp: "2024-01-02T00:00:00Z" }),
    ];
    const result = plan([labelled(doc("kept"))], stored, { prune: true });
    expect(result.changes.map((c) => `${c.action} ${c.ref.name}`)).toEqual([
      "unchanged kept",
      "delete dropped",
    ]);
    expect(plan([labelled(doc("kept"))], stored).changes.map((c) => c.action)).toEqual(["unchanged"]);
  });

  it("refuses records of another source or written by hand unless forced, and then adopts them", () => {
    const stored = [owned("theirs", "repo-b"), owned("by-hand", undefined)];
    const docs = [labelled(doc("theirs")), labelled(doc("by-hand"))];
    const refused = plan(docs, stored);
    expect(refused.refusals).toEqual([
      expect.stringMatching(/^fargateservice\/theirs exists and belongs to source "repo-b"; .*--force-adopt/),
      expect.stringMatching(/^fargateservice\/by-hand exists and has no source label/),
    ]);
    const forced = plan(docs, stored, { forceAdopt: true });
    expect(forced.refusals).toEqual([]);
    expect(forced.changes.map(formatPlanLine)).toEqual([
      "adopt     fargateservice/theirs (was source repo-b)",
      "adopt     fargateservice/by-hand (was unlabelled)",
    ]);
  });

  it("refuses to write a record that is being deleted", () => {
    const stored = [owned("leaving", "repo-a", { deletionTimestamp: "2024-01-02T00:00:00Z" })];
    expect(plan([labelled(doc("leaving"))], stored).refusals[0]).toMatch(/is being deleted .* --for delete/);
  });

  it("counts actions and prints plan lines with the namespace outside default", () => {
    const result = plan([labelled(doc("new", SPEC, "team-a"))], []);
    expect(result.changes.map(formatPlanLine)).toEqual(["create    fargateservice/new (namespace team-a)"]);
    expect(countActions(result.changes)).toEqual({ create: 1, update: 0, adopt: 0, unchanged: 0, delete: 0 });
  });
});
