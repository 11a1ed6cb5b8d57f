import { describe, expect, it } from "vitest";
import { peakToMean, seeded } from "../../testing/load-shape.js";
import { RefreshPlanner } from "./refresh-planner.js";


describe("RefreshPlanner", () => {
  it("flattens 10,000 refreshes of accounts registered in the same second to within 1.5x of the mean", () => {
    const planner = new RefreshPlanner();
    const random = seeded(42);
    const times = Array.from({ length: 10_000 }, () => planner.plan(0, 3600, random).delayMs);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(0.6 * 3000_000);
    // Never later than 600 s before expiry: no binding is left to expire.
    expect(Math.max(...times)).toBeLessThanOrEqual(3000_000);
    expect(peakToMean(times)).toBeLessThan(1.5);
  });

  it("stays flat cycle after cycle, for 1,000 accounts with a short expiry", () => {
    const planner = new RefreshPlanner();
    const random = seeded(7);
    // Event-driven: each refresh releases its slot when it fires and plans the next one then.
    const pending = Array.from({ length: 1000 }, () => planner.plan(0, 300, random)).map((p) => ({ at: p.delayMs, slot: p.slot }));
    const fired: number[] = [];
    while (fired.length < 4000) {
      let i = 0;
      for (let j = 1; j < pending.length; j++) if (pending[j]!.at < pending[i]!.at) i = j;
      const e = pending[i]!;
      planner.release(e.slot);
      fired.push(e.at);
      const next = planner.plan(e.at, 300, random);
      pending[i] = { at: e.at + next.delayMs, slot: next.slot };
    }
    expect(peakToMean(fired.slice(-1000))).toBeLessThan(1.5);
    expect(planner.reserved).toBe(1000);
  });

  it("keeps short expiries safe", () => {
    const planner = new RefreshPlanner();
    for (const sec of [1, 2, 10, 59]) {
      const { delayMs } = planner.plan(0, sec, () => 0.99);
      expect(delayMs).toBeGreaterThanOrEqual(1000);
      expect(delayMs).toBeLessThanOrEqual(Math.max(1000, (sec * 1000) / 2));
    }
  });
});
