/**
 * Notices that this process did not run for a while: the machine slept, or the process was
 * stopped. The headless host has no powerMonitor (the Electron shell uses its `resume` event
 * instead), so a periodic tick that arrives far later than scheduled stands in for it. On
 * Linux a real suspend freezes the monotonic clock while the wall clock jumps; a stopped process
 * sees both move on; taking the larger of the two catches either.
 */
export interface ClockReading {
  wall: number;
  mono: number;
}

const readClocks = (): ClockReading => ({ wall: Date.now(), mono: performance.now() });

/** How much later than `everyMs` the tick at `now` came after the tick at `prev`. */
export function lateByMs(prev: ClockReading, now: ClockReading, everyMs: number): number {
  return Math.max(now.wall - prev.wall, now.mono - prev.mono) - everyMs;
}

export function watchSleep(onResume: (asleepMs: number) => void, everyMs = 5000, thresholdMs = 10_000, read = readClocks): () => void {
  let last = read();
  const timer = setInterval(() => {
    const now = read();
    const late = lateByMs(last, now, everyMs);
    last = now;
    if (late >= thresholdMs) onResume(late);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
