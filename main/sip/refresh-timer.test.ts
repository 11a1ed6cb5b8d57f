import { describe, expect, it } from "vitest";
import { FakeClock } from "../../testing/fake-clock.js";
import { peakToMean, seeded } from "../../testing/load-shape.js";
import { RefreshPlanner } from "../policy/refresh-planner.js";
import { RefreshTimer } from "./refresh-timer.js";

describe("RefreshTimer", () => {
  it("holds a planner slot only while a refresh is pending", () => {
    const clock = new FakeClock();
    const planner = new RefreshPlanner();
    const timer = new RefreshTimer(clock, planner, seeded(1));
    let fired = 0;
    timer.refresh(3600, () => fired++);
    expect(planner.reserved).toBe(1);
    timer.clear();
    expect(planner.reserved).toBe(0);
    timer.refresh(3600, () => fired++);
    timer.set(5000, () => fired++); // a retry replaces the refresh
    expect(planner.reserved).toBe(0);
    timer.refresh(3600, () => fired++);
    timer.refresh(3600, () => fired++);
    expect(planner.reserved).toBe(1);
    clock.advance(3600_000);
    expect(fired).toBe(1);
    expect(planner.reserved).toBe(0);
  });

  it("spreads REGISTER and SUBSCRIBE refreshes of 500 accounts started in one second, cycle after cycle", () => {
    const run = (planner: RefreshPlanner | undefined) => {
      const clock = new FakeClock(0);
      const random = seeded(3);
      const fired: number[] = [];
      // Each account's REGISTER (expiry 600 s) and its subscription (3600 s) share the registrar.
      for (let i = 0; i < 500; i++) {
        for (const expires of [600, 3600]) {
          const timer = new RefreshTimer(clock, planner, random);
          const again = () => {
            fired.push(clock.now());
            timer.refresh(expires, again);
          };
          timer.refresh(expires, again);
        }
      }
      clock.advance(3 * 3600_000);
      return fired.filter((t) => t >= 3600_000);
    };
    expect(peakToMean(run(new RefreshPlanner()))).toBeLessThan(1.5);
    // The same load refreshed at a fixed fraction of the expiry keeps the start-up burst.
    expect(peakToMean(run(undefined))).toBeGreaterThan(3);
  });
});
