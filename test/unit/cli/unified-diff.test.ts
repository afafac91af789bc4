import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffLines, formatHunks, splitLines, unifiedDiff } from "../../../src/cli/unified-diff.js";

const labels = { fromLabel: "table FargateService default/web", toLabel: "web.yaml" };

/** Length of the longest common subsequence, by dynamic programming (the reference for minimality). */
function lcsLength(a: readonly string[], b: readonly string[]): number {
  const row = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    let diagonal = 0;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0;
      row[j] = x === b[j - 1] ? diagonal + 1 : Math.max(above, row[j - 1] ?? 0);
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}

/** Applies a unified diff to `a`'s lines, checking every context and removed line against `a`. */
function applyPatch(a: readonly string[], patch: string): string[] {
  const lines = splitLines(patch).slice(2);
  const out: string[] = [];
  let ai = 0;
  for (const line of lines) {
    const header = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(line);
    if (header) {
      const start = Number(header[1]);
      const count = header[2] === undefined ? 1 : Number(header[2]);
      const firstIndex = count === 0 ? start : start - 1;
      while (ai < firstIndex) out.push(a[ai++] ?? "");
      continue;
    }
    const body = line.slice(1);
    if (line.startsWith("+")) out.push(body);
    else {
      expect(a[ai]).toBe(body);
      if (line.startsWith(" ")) out.push(body);
      ai++;
    }
  }
  while (ai < a.length) out.push(a[ai++] ?? "");
  return out;
}

describe("diffLines", () => {
  it("returns only equal lines for identical input and nothing for two empty inputs", () => {
    expect(diffLines(["a", "b"], ["a", "b"]).every((op) => op.type === "equal")).toBe(true);
    expect(diffLines([], [])).toEqual([]);
  });

  it("finds the classic Myers example's shortest script (5 edits)", () => {
    const ops = diffLines([..."ABCABBA"], [..."CBABAC"]);
    expect(ops.filter((op) => op.type !== "equal")).toHaveLength(5);
  });

  it("lists a change's deletions before its insertions", () => {
    expect(diffLines(["a", "old", "z"], ["a", "new", "z"])).toEqual([
      { type: "equal", line: "a" },
      { type: "delete", line: "old" },
      { type: "insert", line: "new" },
      { type: "equal", line: "z" },
    ]);
  });

  it("rebuilds both sides and is as short as the LCS allows, for any input", () => {
    const lines = fc.array(fc.constantFrom("a", "b", "c", "d", "  x: 1"), { maxLength: 24 });
    fc.assert(
      fc.property(lines, lines, (a, b) => {
        const ops = diffLines(a, b);
        expect(ops.filter((op) => op.type !== "insert").map((op) => op.line)).toEqual(a);
        expect(ops.filter((op) => op.type !== "delete").map((op) => op.line)).toEqual(b);
        const edits = ops.filter((op) => op.type !== "equal").length;
        expect(edits).toBe(a.length + b.length - 2 * lcsLength(a, b));
      }),
    );
  });
});

describe("unifiedDiff", () => {
  it("is empty when the texts have the same lines", () => {
    expect(unifiedDiff("a\nb\n", "a\nb\n", labels)).toBe("");
  });

  it("prints a hunk with three lines of context and GNU line ranges", () => {
    const a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
    const b = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
    expect(unifiedDiff(a, b, labels)).toBe(
      [
        "--- table FargateService default/web",
        "+++ web.yaml",
        "@@ -2,7 +2,7 @@",
        " 2",
        " 3",
        " 4",
        "-5",
        "+five",
        " 6",
        " 7",
        " 8",
        "",
      ].join("\n"),
    );
  });

  it("shows a new record as every line added from an empty range", () => {
    expect(unifiedDiff("", "spec:\n  cpu: 256\n", labels)).toBe(
      "--- table FargateService default/web\n+++ web.yaml\n@@ -0,0 +1,2 @@\n+spec:\n+  cpu: 256\n",
    );
  });

  it("omits ',1' for one-line ranges and names the line before an empty range", () => {
    expect(formatHunks(diffLines(["a", "b"], ["a", "c"]), 0)).toEqual(["@@ -2 +2 @@", "-b", "+c"]);
    expect(formatHunks(diffLines(["a", "b"], ["a", "x", "b"]), 0)).toEqual(["@@ -1,0 +2 @@", "+x"]);
  });

  it("keeps changes far apart in separate hunks and merges those within twice the context", () => {
    const base = Array.from({ length: 30 }, (_, i) => `line ${i}`);
    const far = base.map((l, i) => (i === 2 || i === 20 ? `${l}!` : l));
    const near = base.map((l, i) => (i === 2 || i === 8 ? `${l}!` : l));
    const count = (patch: string) => patch.split("\n").filter((l) => l.startsWith("@@")).length;
    expect(count(unifiedDiff(base.join("\n"), far.join("\n"), labels))).toBe(2);
    expect(count(unifiedDiff(base.join("\n"), near.join("\n"), labels))).toBe(1);
  });

  it("produces a patch that turns the old text into the new one, for any input", () => {
    const lines = fc.array(fc.constantFrom("a", "b", "c", "spec:", "  x: 1"), { maxLength: 40 });
    fc.assert(
      fc.property(lines, lines, fc.integer({ min: 0, max: 4 }), (a, b, context) => {
        const patch = unifiedDiff(a.map((l) => `${l}\n`).join(""), b.map((l) => `${l}\n`).join(""), {
          ...labels,
          context,
        });
        if (patch === "") expect(a).toEqual(b);
        else expect(applyPatch(a, patch)).toEqual(b);
      }),
    );
  });
});
