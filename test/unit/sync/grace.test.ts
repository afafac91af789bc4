import { describe, expect, it } from "vitest";
import { advanceGrace } from "../../../src/sync/grace.js";

const never = () => false;

describe("advanceGrace", () => {
  it("starts the wait when a key goes missing and is not due before the grace", () => {
    const first = advanceGrace(new Map(), new Set(["a"]), never, 1_000, 30_000);
    expect(first.due.size).toBe(0);
    expect(first.state.get("a")).toBe(1_000);
    expect(first.nextDueAt).toBe(31_000);
    const later = advanceGrace(first.state, new Set(["a"]), never, 30_999, 30_000);
    expect(later.due.size).toBe(0);
    expect(later.nextDueAt).toBe(31_000);
  });

  it("is due once missing for the whole grace, and stays due until it is gone", () => {
    const first = advanceGrace(new Map(), new Set(["a"]), never, 0, 30_000);
    const due = advanceGrace(first.state, new Set(["a"]), never, 30_000, 30_000);
    expect([...due.due]).toEqual(["a"]);
    expect(due.nextDueAt).toBeUndefined();
    const again = advanceGrace(due.state, new Set(["a"]), never, 31_000, 30_000);
    expect([...again.due]).toEqual(["a"]);
  });

  it("cancels the wait when the key comes back, and starts over if it goes again", () => {
    const first = advanceGrace(new Map(), new Set(["a"]), never, 0, 30_000);
    const back = advanceGrace(first.state, new Set(), never, 20_000, 30_000);
    expect(back.state.size).toBe(0);
    const gone = advanceGrace(back.state, new Set(["a"]), never, 25_000, 30_000);
    expect(gone.state.get("a")).toBe(25_000);
    expect(advanceGrace(gone.state, new Set(["a"]), never, 40_000, 30_000).due.size).toBe(0);
  });

  it("keeps the wait of a key whose source could not be read, without making it due", () => {
    const first = advanceGrace(new Map(), new Set(["a"]), never, 0, 30_000);
    const frozen = advanceGrace(first.state, new Set(), () => true, 60_000, 30_000);
    expect(frozen.state.get("a")).toBe(0);
    expect(frozen.due.size).toBe(0);
  });

  it("a zero grace removes at once", () => {
    expect([...advanceGrace(new Map(), new Set(["a"]), never, 5, 0).due]).toEqual(["a"]);
  });
});
