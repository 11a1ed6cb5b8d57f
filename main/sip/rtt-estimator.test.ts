import { describe, expect, it } from "vitest";
import { RttEstimator } from "./rtt-estimator.js";

describe("RttEstimator", () => {
  it("keeps T1 until measured and while round trips are short", () => {
    const e = new RttEstimator(500, 4000);
    expect(e.timeoutMs).toBe(500);
    for (let i = 0; i < 20; i++) e.sample(5);
    expect(e.timeoutMs).toBe(500);
  });

  it("grows with round trips longer than T1, stays under T2, and comes back down", () => {
    const e = new RttEstimator(500, 4000);
    e.sample(800);
    // First sample: SRTT 800, RTTVAR 400 (RFC 6298 2.2).
    expect(e.timeoutMs).toBe(2400);
    for (let i = 0; i < 50; i++) e.sample(800);
    // Steady: the variance has decayed, the timeout is the round trip itself.
    expect(e.timeoutMs).toBeGreaterThanOrEqual(800);
    expect(e.timeoutMs).toBeLessThan(900);
    for (let i = 0; i < 5; i++) e.sample(10_000);
    expect(e.timeoutMs).toBe(4000);
    for (let i = 0; i < 100; i++) e.sample(20);
    expect(e.timeoutMs).toBe(500);
  });

  it("backs off after a timeout until the next measurement (RFC 6298 5.5)", () => {
    const e = new RttEstimator(500, 4000);
    e.timedOut();
    expect(e.timeoutMs).toBe(1000);
    e.timedOut();
    e.timedOut();
    expect(e.timeoutMs).toBe(4000);
    e.sample(20);
    expect(e.timeoutMs).toBe(500);
  });
});
