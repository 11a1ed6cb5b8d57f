/**
 * Starts queued work at no more than `perSecond` items a second (SEMS-style rate limit), so a
 * start-up, a resume or an import of thousands of accounts never becomes a REGISTER storm.
 * A single timer drains the queue; no timer per item.
 */
import type { Clock, TimerHandle } from "../clock.js";

export class Pacer {
  private readonly queue = new Map<string, () => void>();
  private timer: TimerHandle | undefined;
  private readonly tickMs: number;
  private readonly perTick: number;

  constructor(
    private readonly clock: Clock,
    perSecond: number,
  ) {
    if (!(perSecond > 0)) throw new RangeError("pacing rate must be positive");
    // Ticks of at least 10 ms; at high rates several items share one tick.
    this.tickMs = Math.max(10, 1000 / perSecond);
    this.perTick = Math.max(1, Math.round((perSecond * this.tickMs) / 1000));
  }

  get pending(): number {
    return this.queue.size;
  }

  /** Queues `run` under `key`; a key already queued keeps its place and gets the new callback. */
  enqueue(key: string, run: () => void): void {
    this.queue.set(key, run);
    if (this.timer === undefined) this.drain();
  }

  cancel(key: string): void {
    this.queue.delete(key);
  }

  clear(): void {
    this.queue.clear();
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private drain(): void {
    this.timer = undefined;
    let ran = 0;
    for (const [key, run] of this.queue) {
      if (ran >= this.perTick) break;
      ran++;
      this.queue.delete(key);
      run();
    }
    // A tick that ran anything is followed by a cool-down tick even when the queue is empty,
    // so work that trickles in one item at a time is paced too.
    if (ran > 0) this.timer = this.clock.setTimeout(() => this.drain(), this.tickMs);
  }
}
