/**
 * Refresh flattening (as SEMS's registration agent does): instead of refreshing every account at
 * the same fraction of its expiry, which replays the start-up burst forever, each refresh goes
 * into the least loaded second of a window that still ends well before expiry.
 *
 * The window is [60 %, 100 %] of the 3GPP refresh point (600 s before expiry above 1200 s, else
 * half the expiry); within it the planner looks at a few random seconds and takes the emptiest
 * ("power of k choices"), which keeps the load within a few percent of flat at any account count
 * and costs O(k) per refresh. Pure: time and randomness are passed in.
 */
import { refreshDelayMs } from "./refresh-policy.js";

const BUCKET_MS = 1000;
const CHOICES = 16;

export class RefreshPlanner {
  private readonly load = new Map<number, number>();

  /** Delay until the refresh, in ms from `now`, reserving its slot. */
  plan(now: number, grantedSec: number, random: () => number = Math.random): { delayMs: number; slot: number } {
    const hi = refreshDelayMs(grantedSec, () => 0);
    const lo = Math.max(1000, Math.floor(hi * 0.6));
    const first = Math.ceil((now + lo) / BUCKET_MS);
    const last = Math.floor((now + hi) / BUCKET_MS);
    if (last <= first) return this.reserve(now, Math.floor((now + hi) / BUCKET_MS), hi);
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
    // A random point inside the chosen second, never past the window's end.
    const at = Math.min(now + hi, best * BUCKET_MS + Math.floor(random() * BUCKET_MS));
    return this.reserve(now, best, Math.max(lo, at - now));
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

  private reserve(_now: number, slot: number, delayMs: number): { delayMs: number; slot: number } {
    this.load.set(slot, (this.load.get(slot) ?? 0) + 1);
    return { delayMs, slot };
  }
}
