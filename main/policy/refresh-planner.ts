/**
 * Refresh flattening (as SEMS's registration agent does): instead of refreshing every account at
 * the same fraction of its expiry, which replays the start-up burst forever, each refresh goes
 * into a second of a window that still ends well before expiry, chosen so the load stays flat.
 *
 * The window is [60 %, 100 %] of the 3GPP refresh point (600 s before expiry above 1200 s, else
 * half the expiry). Given the rate the engine's accounts need when spread flat (`targetRate`),
 * a refresh takes the earliest second of its window still below that rate: a start-up burst is
 * then laid out flat across the first round instead of ramping up (picking among free seconds at
 * random loads the later seconds of each window, which later accounts share, and the first round
 * climbs to a peak). Without a target, or when every second of the window is at it, the planner
 * looks at a few random seconds and takes the emptiest ("power of k choices"). Each refresh costs
 * at most one look per second of its window. Pure: time and randomness are passed in.
 */
import { refreshDelayMs } from "./refresh-policy.js";

const BUCKET_MS = 1000;
const CHOICES = 16;
/** Headroom over the flat rate, so the earliest seconds absorb rounding and late joiners. */
const HEADROOM = 1.05;

/** Refreshes per second that registrations with these expiries need, spread flat. */
export function flatRefreshRate(expiriesSec: Iterable<number>): number {
  let rate = 0;
  // On average a refresh comes at 80 % of the refresh point (the middle of the window).
  for (const sec of expiriesSec) rate += 1 / (0.8 * (refreshDelayMs(sec, () => 0) / 1000));
  return rate;
}

export class RefreshPlanner {
  private readonly load = new Map<number, number>();
  private cap = 0;
  private capAt = Number.NEGATIVE_INFINITY;

  /** `targetRate`: the flat rate for the current accounts (asked at most once a second). */
  constructor(private readonly targetRate?: () => number) {}

  /** Delay until the refresh, in ms from `now`, reserving its slot. */
  plan(now: number, grantedSec: number, random: () => number = Math.random): { delayMs: number; slot: number } {
    const hi = refreshDelayMs(grantedSec, () => 0);
    const lo = Math.max(1000, Math.floor(hi * 0.6));
    const first = Math.ceil((now + lo) / BUCKET_MS);
    const last = Math.floor((now + hi) / BUCKET_MS);
    if (last <= first) return this.reserve(Math.floor((now + hi) / BUCKET_MS), hi);
    const best = this.belowTarget(now, first, last) ?? this.leastLoaded(first, last, random);
    // A random point inside the chosen second, never outside the window.
    const at = Math.min(now + hi, best * BUCKET_MS + Math.floor(random() * BUCKET_MS));
    return this.reserve(best, Math.max(lo, at - now));
  }

  /** The refresh in `slot` fired or was cancelled. */
  release(slot: number): void {
    const l = this.load.get(slot);
    if (l === undefined) return;
    if (l <= 1) this.load.delete(slot);
    else this.load.set(slot, l - 1);
  }

  get reserved(): number {
    let n = 0;
    for (const l of this.load.values()) n += l;
    return n;
  }

  private belowTarget(now: number, first: number, last: number): number | undefined {
    if (this.targetRate && now - this.capAt >= 1000) {
      this.cap = Math.ceil(this.targetRate() * HEADROOM);
      this.capAt = now;
    }
    if (this.cap <= 0) return undefined;
    for (let b = first; b <= last; b++) if ((this.load.get(b) ?? 0) < this.cap) return b;
    return undefined;
  }

  private leastLoaded(first: number, last: number, random: () => number): number {
    let best = first + Math.floor(random() * (last - first + 1));
    let bestLoad = this.load.get(best) ?? 0;
    for (let i = 1; i < CHOICES && bestLoad > 0; i++) {
      const b = first + Math.floor(random() * (last - first + 1));
      const l = this.load.get(b) ?? 0;
      if (l < bestLoad) {
        best = b;
        bestLoad = l;
      }
    }
    return best;
  }

  private reserve(slot: number, delayMs: number): { delayMs: number; slot: number } {
    this.load.set(slot, (this.load.get(slot) ?? 0) + 1);
    return { delayMs, slot };
  }
}
