import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/dev/aws-sim/clock.js";

describe("ManualClock", () => {
  it("fires due timers in due-time order, then creation order, with now() at each due time", () => {
    const clock = new ManualClock(1_000);
    const fired: string[] = [];
    clock.setTimer(300, () => fired.push(`c@${clock.now()}`));
    clock.setTimer(100, () => fired.push(`a@${clock.now()}`));
    clock.setTimer(100, () => fired.push(`b@${clock.now()}`));
    clock.setTimer(500, () => fired.push("late"));
    clock.advance(300);
    expect(fired).toEqual(["a@1100", "b@1100", "c@1300"]);
    expect(clock.now()).toBe(1_300);
    expect(clock.pendingTimers()).toBe(1);
  });

  it("fires timers scheduled by callbacks when they fall inside the advanced window", () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    clock.setTimer(10, () => {
      fired.push(clock.now());
      clock.setTimer(10, () => fired.push(clock.now()));
      clock.setTimer(100, () => fired.push(clock.now()));
    });
    clock.advance(50);
    expect(fired).toEqual([10, 20]);
    clock.advance(60);
    expect(fired).toEqual([10, 20, 110]);
  });

  it("never fires a cancelled timer", () => {
    const clock = new ManualClock(0);
    let fired = false;
    const timer = clock.setTimer(5, () => {
      fired = true;
    });
    timer.cancel();
    clock.advance(10);
    expect(fired).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });
});
