import { describe, expect, it, vi } from "vitest";
import { lateByMs, watchSleep } from "./sleep-watcher.js";

describe("sleep watcher", () => {
  it("measures how late a tick is from whichever clock moved more", () => {
    expect(lateByMs({ wall: 0, mono: 0 }, { wall: 5000, mono: 5000 }, 5000)).toBe(0);
    // Suspend on Linux: the monotonic clock stood still, the wall clock jumped.
    expect(lateByMs({ wall: 0, mono: 0 }, { wall: 65_000, mono: 5000 }, 5000)).toBe(60_000);
    // A stopped process: both moved.
    expect(lateByMs({ wall: 0, mono: 0 }, { wall: 20_000, mono: 20_000 }, 5000)).toBe(15_000);
  });

  it("calls back once per long gap, not for ticks that are merely a little late", () => {
    vi.useFakeTimers();
    try {
      let skew = 0; // extra wall-clock time, as a suspend would add
      const read = () => ({ wall: Date.now() + skew, mono: performance.now() });
      const resumes: number[] = [];
      const stop = watchSleep((ms) => resumes.push(ms), 1000, 10_000, read);
      vi.advanceTimersByTime(3000);
      skew += 3000; // 3 s late: a busy machine, not a sleep
      vi.advanceTimersByTime(1000);
      expect(resumes).toEqual([]);
      skew += 60_000;
      vi.advanceTimersByTime(1000);
      vi.advanceTimersByTime(5000);
      expect(resumes).toEqual([60_000]);
      stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
