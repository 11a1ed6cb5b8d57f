import { describe, expect, it } from "vitest";
import { peakToMean, seeded } from "../../testing/load-shape.js";
import { flatRefreshRate, RefreshPlanner } from "./refresh-planner.js";

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

  it("lays a start-up burst flat across the first refresh round when it knows the target rate", () => {
    // 50,000 accounts registered at 455 a second with pacing off, expiry 455 s (the benchmark's case).
    const n = 50_000;
    const registeredAt = Array.from({ length: n }, (_, i) => (i / n) * 110_000);
    const ramp = firstRound(new RefreshPlanner(), registeredAt, 455);
    const flat = firstRound(new RefreshPlanner(() => flatRefreshRate(Array(n).fill(455))), registeredAt, 455);
    // Without a target the round climbs for a window's length before it levels off.
    expect(peakToMean(ramp)).toBeGreaterThan(1.2);
    expect(peakToMean(flat)).toBeLessThan(1.1);
    // Every refresh still inside its window: after 60 % of the refresh point, never after it.
    const delays = flat.map((t, i) => t - registeredAt[i]!);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0.6 * 227_500);
    expect(Math.max(...delays)).toBeLessThanOrEqual(227_500);
  });

  it("stays within 1.5x of the mean cycle after cycle when the target overstates the load", () => {
    // Half of the enabled accounts never register (wrong passwords): the target counts them anyway.
    const n = 10_000;
    const planner = new RefreshPlanner(() => flatRefreshRate(Array(2 * n).fill(300)));
    const fired = cycles(planner, Array.from({ length: n }, (_, i) => (i / n) * 20_000), 300, 4 * n);
    expect(peakToMean(fired.slice(-n))).toBeLessThan(1.5);
    expect(planner.reserved).toBe(n);
  });
});

/** When each account first refreshes, in the order of `registeredAt`. */
function firstRound(planner: RefreshPlanner, registeredAt: number[], expiresSec: number): number[] {
  const random = seeded(3);
  return registeredAt.map((t) => t + planner.plan(t, expiresSec, random).delayMs);
}

/**
 * Event-driven refresh cycles: each refresh releases its slot when it fires and plans the next
 * one then. Returns the times of the first `count` refreshes, in order.
 */
function cycles(planner: RefreshPlanner, registeredAt: number[], expiresSec: number, count: number): number[] {
  const random = seeded(11);
  const queue = new Map<number, { at: number; slot: number }[]>();
  const push = (from: number) => {
    const p = planner.plan(from, expiresSec, random);
    const e = { at: from + p.delayMs, slot: p.slot };
    const second = Math.floor(e.at / 1000);
    (queue.get(second) ?? queue.set(second, []).get(second)!).push(e);
  };
  registeredAt.forEach(push);
  const fired: number[] = [];
  for (let second = 0; fired.length < count; second++) {
    for (const e of (queue.get(second) ?? []).sort((a, b) => a.at - b.at)) {
      planner.release(e.slot);
      fired.push(e.at);
      push(e.at);
    }
    queue.delete(second);
  }
  return fired.slice(0, count);
}
