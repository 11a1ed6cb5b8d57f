/** One shared one-second clock for every countdown on screen (not a timer per row). */
import { create } from "zustand";

const useClock = create<{ now: number }>(() => ({ now: Date.now() }));
let timer: ReturnType<typeof setInterval> | undefined;
let users = 0;

export function useNow(): number {
  return useClock((s) => s.now);
}

export function startClock(): () => void {
  if (users++ === 0) timer = setInterval(() => useClock.setState({ now: Date.now() }), 1000);
  return () => {
    if (--users === 0 && timer) clearInterval(timer);
  };
}
