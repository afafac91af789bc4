import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FILTER_EXAMPLES, renderFilterTable } from "../../../src/sync/filter-examples.js";
import { decideName, globToRegExp, matchesAny, sourceNameOf } from "../../../src/sync/filters.js";

const DOC = readFileSync(new URL("../../../docs/catalog-sync.md", import.meta.url), "utf8");

describe("include/exclude/prefix", () => {
  it("docs/catalog-sync.md carries exactly the table of src/sync/filter-examples.ts", () => {
    expect(DOC).toContain(renderFilterTable());
    // Every example row is in the doc, one line each.
    const rows = DOC.split("\n").filter((l) => l.startsWith("| ") && / \| (yes|no) \| /.test(l));
    expect(rows).toHaveLength(FILTER_EXAMPLES.length);
  });

  it.each(
    FILTER_EXAMPLES.map((e) => [`${e.name} with include=${e.include} exclude=${e.exclude}`, e] as const),
  )("row: %s", (_label, example) => {
    const decision = decideName(example.name, example);
    expect(decision.synced).toBe(example.synced);
    expect(decision.target).toBe(example.target);
  });

  it("globs are anchored, literal except * and ?, and case-sensitive", () => {
    expect(globToRegExp("a*").test("ab")).toBe(true);
    expect(globToRegExp("a*").test("ba")).toBe(false);
    expect(globToRegExp("*").test("")).toBe(true);
    expect(globToRegExp("a+b").test("a+b")).toBe(true);
    expect(globToRegExp("a+b").test("aab")).toBe(false);
    expect(globToRegExp("[x]").test("[x]")).toBe(true);
    expect(globToRegExp("(a|b)").test("a")).toBe(false);
    expect(matchesAny("Vault", ["vault"])).toBe(false);
    expect(matchesAny("x", [])).toBe(false);
  });

  it("sourceNameOf strips the prefix, and refuses names without it (or that are only the prefix)", () => {
    expect(sourceNameOf("cm-vault", "cm-")).toBe("vault");
    expect(sourceNameOf("vault", "")).toBe("vault");
    expect(sourceNameOf("vault", "cm-")).toBeUndefined();
    expect(sourceNameOf("cm-", "cm-")).toBeUndefined();
  });
});
