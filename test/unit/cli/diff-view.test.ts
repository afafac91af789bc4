import { describe, expect, it } from "vitest";
import { diffTexts, orderLike } from "../../../src/cli/diff-view.js";

describe("diffTexts", () => {
  it("orders the stored side's keys like the document, so key order alone never shows as a change", () => {
    const stored = {
      labels: {},
      annotations: {},
      spec: { memory: 512, cpu: 256, containers: [{ image: "x", name: "web" }] },
    };
    const desired = {
      labels: {},
      annotations: {},
      spec: { cpu: 256, memory: 512, containers: [{ name: "web", image: "x" }] },
    };
    const { from, to } = diffTexts(stored, desired);
    expect(from).toBe(to);
    expect(to).toBe("spec:\n  cpu: 256\n  memory: 512\n  containers:\n    - name: web\n      image: x\n");
  });

  it("shows labels and annotations when either side has any, and nothing for an absent record", () => {
    const desired = { labels: { b: "2", a: "1" }, annotations: {}, spec: { cpu: 256 } };
    const { from, to } = diffTexts(undefined, desired);
    expect(from).toBe("");
    expect(to).toBe('metadata:\n  labels:\n    a: "1"\n    b: "2"\nspec:\n  cpu: 256\n');
    const stored = { labels: { a: "1" }, annotations: {}, spec: { cpu: 256 } };
    expect(diffTexts(stored, { ...desired, labels: {} }).to).toBe("metadata: {}\nspec:\n  cpu: 256\n");
  });

  it("puts keys only the table has after the document's, sorted", () => {
    expect(Object.keys(orderLike({ z: 1, b: 2, a: 3 }, { b: 0 }) as object)).toEqual(["b", "a", "z"]);
  });
});
