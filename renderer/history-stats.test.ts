import { describe, expect, it } from "vitest";
import type { HistoryEntry, RegistrationState } from "../shared/contract.js";
import { DAY_MS, flappingIds, registeredShare } from "./history-stats.js";

let id = 0;
const st = (at: number, state: RegistrationState): HistoryEntry => ({ id: ++id, accountId: "a", at, kind: "state", state });
const NOW = 10 * DAY_MS;

describe("registeredShare", () => {
  it("counts registered time over the last 24 h, including a state carried in from before", () => {
    const h = [st(NOW - 2 * DAY_MS, "registered"), st(NOW - 6 * 3600_000, "retrying"), st(NOW - 3 * 3600_000, "registered")];
    // Registered for 18 h of the window, then 3 h down, then 3 h up: 21/24.
    expect(registeredShare(h, "registered", NOW)).toBeCloseTo(21 / 24, 5);
  });

  it("uses the account's life when it is younger than the window", () => {
    const h = [st(NOW - 2 * 3600_000, "registering"), st(NOW - 3600_000, "registered")];
    expect(registeredShare(h, "registered", NOW)).toBeCloseTo(0.5, 5);
  });

  it("knows nothing without a timeline unless registered now", () => {
    expect(registeredShare([], "failed", NOW)).toBeUndefined();
    expect(registeredShare([], "registered", NOW)).toBe(1);
  });
});

describe("flappingIds", () => {
  it("marks three or more losses within ten minutes, not isolated ones", () => {
    const t = NOW;
    const h = [
      st(t, "registered"),
      st(t + 60_000, "retrying"),
      st(t + 70_000, "registered"),
      st(t + 120_000, "retrying"),
      st(t + 130_000, "registered"),
      st(t + 300_000, "failed"),
      st(t + 400_000, "registered"),
      st(t + 5 * 3600_000, "retrying"),
    ];
    const ids = flappingIds(h);
    expect([...ids].sort()).toEqual([h[1]!.id, h[3]!.id, h[5]!.id].sort());
  });
});
