import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock.js";

describe("ManualClock (advanceSync, as the simulators use it)", () => {
  it("fires due timers in due-time order, then creation order, with now() at each due time", () => {
    const clock = new ManualClock(1_000);
    const fired: string[] = [];
    clock.setTimer(() => fired.push(`c@${clock.now()}`), 300);
    clock.setTimer(() => fired.push(`a@${clock.now()}`), 100);
    clock.setTimer(() => fired.push(`b@${clock.now()}`), 100);
    clock.setTimer(() => fired.push("late"), 500);
    clock.advanceSync(300);
    expect(fired).toEqual(["a@1100", "b@1100", "c@1300"]);
    expect(clock.now()).toBe(1_300);
    expect(clock.pendingTimers()).toBe(1);
  });

  it("fires timers scheduled by callbacks when they fall inside the advanced window", () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    clock.setTimer(() => {
      fired.push(clock.now());
      clock.setTimer(() => fired.push(clock.now()), 10);
      clock.setTimer(() => fired.push(clock.now()), 100);
    }, 10);
    clock.advanceSync(50);
    expect(fired).toEqual([10, 20]);
    clock.advanceSync(60);
    expect(fired).toEqual([10, 20, 110]);
  });

  it("never fires a cancelled timer", () => {
    const clock = new ManualClock(0);
    let fired = false;
    const timer = clock.setTimer(() => {
      fired = true;
    }, 5);
    timer.cancel();
    clock.advanceSync(10);
    expect(fired).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });
});
