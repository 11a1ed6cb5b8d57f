import { describe, expect, it } from "vitest";
import { refreshDelayMs } from "./refresh-policy.js";
import { backoffMs, decideRetry, DEFAULT_RETRY_POLICY } from "./retry-policy.js";

describe("refreshDelayMs", () => {
  it("refreshes 600 s before expiry when the expiry is over 1200 s", () => {
    expect(refreshDelayMs(3600, () => 0)).toBe(3000_000);
  });
  it("refreshes at half the expiry otherwise", () => {
    expect(refreshDelayMs(1200, () => 0)).toBe(600_000);
    expect(refreshDelayMs(60, () => 0)).toBe(30_000);
  });
  it("jitters earlier by at most 5 %, never later", () => {
    expect(refreshDelayMs(60, () => 1)).toBe(28_500);
    expect(refreshDelayMs(60, () => 0.5)).toBeLessThan(30_000);
  });
  it("never returns less than a second, and refuses nonsense instead of looping", () => {
    expect(refreshDelayMs(1, () => 0)).toBe(1000);
    expect(() => refreshDelayMs(Number.NaN)).toThrow(RangeError);
    expect(() => refreshDelayMs(0)).toThrow(RangeError);
  });
});

describe("decideRetry", () => {
  const r = () => 1;
  it("stops on authentication failures and raises auth-failed", () => {
    for (const code of [401, 403, 407]) {
      expect(decideRetry({ code, local: false, failures: 0 }, r)).toEqual({ state: "failed", alert: "auth-failed" });
    }
  });
  it("backs off exponentially on timeouts and transport errors, capped at 30 min", () => {
    expect(decideRetry({ code: 408, local: true, failures: 0 }, r)).toEqual({ state: "retrying", delayMs: 30_000 });
    expect(decideRetry({ code: 503, local: true, failures: 3 }, r)).toEqual({ state: "retrying", delayMs: 240_000 });
    expect(decideRetry({ code: 503, local: true, failures: 30 }, r)).toEqual({ state: "retrying", delayMs: 1_800_000 });
  });
  it("honours Retry-After on 5xx and 6xx", () => {
    expect(decideRetry({ code: 503, local: false, failures: 5, retryAfterSec: 120 }, r)).toEqual({ state: "retrying", delayMs: 120_000 });
    expect(decideRetry({ code: 600, local: false, failures: 0, retryAfterSec: 7 }, r)).toEqual({ state: "retrying", delayMs: 7_000 });
  });
  it("shows other 4xx as failed and retries them slowly", () => {
    expect(decideRetry({ code: 404, local: false, failures: 0 }, r)).toEqual({ state: "failed", delayMs: DEFAULT_RETRY_POLICY.slowRetryMs });
    expect(decideRetry({ code: 400, local: false, failures: 0 }, r)).toEqual({ state: "failed", delayMs: DEFAULT_RETRY_POLICY.slowRetryMs });
  });
  it("retries a 400 to a retransmitted request soon, once: it may answer a late duplicate", () => {
    expect(decideRetry({ code: 400, local: false, failures: 0, retransmitted: true }, r)).toEqual({ state: "retrying", delayMs: 30_000 });
    expect(decideRetry({ code: 400, local: false, failures: 1, retransmitted: true }, r)).toEqual({ state: "failed", delayMs: DEFAULT_RETRY_POLICY.slowRetryMs });
    expect(decideRetry({ code: 404, local: false, failures: 0, retransmitted: true }, r).state).toBe("failed");
  });
  it("draws backoff jitter from half to all of the step", () => {
    expect(backoffMs(0, () => 0)).toBe(15_000);
    expect(backoffMs(0, () => 1)).toBe(30_000);
  });
});
