import { describe, expect, it } from "vitest";
import { LatencyReservoir, quantile } from "./latency-reservoir.js";

describe("LatencyReservoir", () => {
  it("summarises the most recent values only", () => {
    const r = new LatencyReservoir(100);
    expect(r.summary()).toEqual({ count: 0, p50: 0, p99: 0 });
    for (let i = 1; i <= 100; i++) r.add(i);
    expect(r.summary()).toEqual({ count: 100, p50: 50, p99: 99 });
    for (let i = 0; i < 100; i++) r.add(1000);
    expect(r.summary()).toEqual({ count: 200, p50: 1000, p99: 1000 });
  });

  it("takes quantiles by nearest rank", () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect([quantile(xs, 0.5), quantile(xs, 0.99), quantile(xs, 1), quantile(xs, 0.01)]).toEqual([5, 10, 10, 1]);
    expect(quantile([7], 0.5)).toBe(7);
  });
});
