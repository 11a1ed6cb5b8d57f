import { describe, expect, it } from "vitest";
import { peakToMean, perSecond } from "./refresh-load.js";

describe("peakToMean", () => {
  it("is 1 for a flat load and grows with a burst", () => {
    expect(peakToMean(Array(30).fill(100)).ratio).toBe(1);
    const bursty = [...Array(20).fill(10), ...Array(10).fill(100)];
    // Mean 40/s; the busiest 10 s hold 100/s.
    expect(peakToMean(bursty)).toEqual({ peak: 100, mean: 40, ratio: 2.5 });
  });

  it("refuses fewer samples than one window", () => {
    expect(() => peakToMean([1, 2, 3])).toThrow(RangeError);
  });
});

describe("perSecond", () => {
  it("spreads a slow reading over the seconds it covers instead of counting it as one", () => {
    // 100 a second throughout; the middle reading took 3 s.
    const readings = [
      { atMs: 0, total: 0 },
      { atMs: 1000, total: 100 },
      { atMs: 4000, total: 400 },
      { atMs: 5000, total: 500 },
    ];
    expect(perSecond(readings, 0, 5000)).toEqual([100, 100, 100, 100, 100]);
  });

  it("interpolates between readings that fall off the second boundaries", () => {
    const readings = [
      { atMs: 500, total: 0 },
      { atMs: 1500, total: 10 },
      { atMs: 2500, total: 30 },
    ];
    // 5 by 1000 ms (half of the first 10), 20 by 2000 ms (half of the next 20).
    expect(perSecond(readings, 1000, 2000)).toEqual([15]);
  });

  it("refuses an interval the readings do not cover", () => {
    expect(() => perSecond([{ atMs: 1000, total: 0 }, { atMs: 2000, total: 5 }], 0, 2000)).toThrow(RangeError);
  });
});
