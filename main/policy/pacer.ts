/**
 * Starts queued work at no more than `perSecond` items a second (SEMS-style rate limit), so a
 * start-up, a resume or an import of thousands of accounts never becomes a REGISTER storm.
 *
 * A rate alone is not enough when it is set high ("pacing off"): if the process cannot keep up,
 * answers pile up unread in the socket buffer, get dropped, every request is retransmitted and
 * the load multiplies (measured: 10,000 accounts with reg-event watching never all settled). So
 * at most `window` items are in progress at once, like a congestion window: an item is in
 * progress from its start until the caller reports it settled, or until `settleMs` passed.
 *
 * A single timer drains the queue; no timer per item.
 */
import type { Clock, TimerHandle } from "../clock.js";

export interface PacerOptions {
  perSecond: number;
  /** Items started and not yet settled, at most. */
  window?: number;
  /** An item never reported settled stops counting after this long. */
  settleMs?: number;
}

export class Pacer {
  private readonly queue = new Map<string, () => void>();
  /** Items in progress, by key, with their start time (insertion order = oldest first). */
  private readonly inProgress = new Map<string, number>();
  private timer: TimerHandle | undefined;
  /** The pending timer is the rate limit's cool-down (not a wait for the window). */
  private cooling = false;
  private draining = false;
  private readonly tickMs: number;
  private readonly perTick: number;
  private readonly window: number;
  private readonly settleMs: number;

  constructor(
    private readonly clock: Clock,
    opts: PacerOptions,
  ) {
    if (!(opts.perSecond > 0)) throw new RangeError("pacing rate must be positive");
    // Ticks of at least 10 ms; at high rates several items share one tick.
    this.tickMs = Math.max(10, 1000 / opts.perSecond);
    this.perTick = Math.max(1, Math.round((opts.perSecond * this.tickMs) / 1000));
    this.window = opts.window ?? Number.POSITIVE_INFINITY;
    this.settleMs = opts.settleMs ?? 45_000;
  }

  /** Items waiting to start. */
  get pending(): number {
    return this.queue.size;
  }

  isQueued(key: string): boolean {
    return this.queue.has(key);
  }

  /** Items started and not settled yet. */
  get started(): number {
    return this.inProgress.size;
  }

  /** Queues `run` under `key`; a key already queued keeps its place and gets the new callback. */
  enqueue(key: string, run: () => void): void {
    this.queue.set(key, run);
    if (!this.cooling) this.drain();
  }

  /** The item under `key` finished starting (whatever the outcome): its place in the window frees. */
  settled(key: string): void {
    if (!this.inProgress.delete(key)) return;
    if (!this.cooling && this.queue.size > 0) this.drain();
  }

  cancel(key: string): void {
    this.queue.delete(key);
    this.settled(key);
  }

  clear(): void {
    this.queue.clear();
    this.inProgress.clear();
    this.stopTimer();
  }

  private drain(): void {
    if (this.draining) return; // a run() that settles at once must not recurse
    this.draining = true;
    this.stopTimer();
    const now = this.clock.now();
    for (const [key, since] of this.inProgress) {
      if (now - since < this.settleMs) break;
      this.inProgress.delete(key);
    }
    let ran = 0;
    for (const [key, run] of this.queue) {
      if (ran >= this.perTick || this.inProgress.size >= this.window) break;
      ran++;
      this.queue.delete(key);
      this.inProgress.delete(key); // re-inserted at the end: the map stays oldest first
      this.inProgress.set(key, now);
      run();
    }
    this.draining = false;
    if (ran > 0) {
      // A tick that ran anything is followed by a cool-down tick even when the queue is empty,
      // so work that trickles in one item at a time is paced too.
      this.cooling = true;
      this.timer = this.clock.setTimeout(() => this.drain(), this.tickMs);
    } else if (this.queue.size > 0 && this.inProgress.size > 0) {
      // The window is full: settled() drains again; this timer only covers items never reported.
      const oldest = this.inProgress.values().next().value as number;
      this.timer = this.clock.setTimeout(() => this.drain(), Math.max(this.tickMs, oldest + this.settleMs - now));
    }
  }

  private stopTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.cooling = false;
  }
}
