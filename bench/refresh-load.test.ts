import { describe, expect, it } from "vitest";
import { peakToMean } from "./refresh-load.js";

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
