/**
 * The one pending timer of a registration or a reg-event subscription. Refreshes take a slot in
 * the engine's shared refresh planner, so REGISTER and SUBSCRIBE refreshes together stay flat at
 * the registrar; other delays (retries, backoff) are plain. Firing, clearing or setting it again
 * gives the slot back.
 */
import { OneShot, type Clock } from "../clock.js";
import { refreshDelayMs } from "../policy/refresh-policy.js";
import type { RefreshPlanner } from "../policy/refresh-planner.js";

export class RefreshTimer {
  private readonly timer: OneShot;
  private slot: number | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly planner: RefreshPlanner | undefined,
    private readonly random: () => number,
  ) {
    this.timer = new OneShot(clock);
  }

  /** Calls `fn` at the refresh point for an expiry of `grantedSec` (planned when there is a planner). */
  refresh(grantedSec: number, fn: () => void): void {
    const planned = this.planner?.plan(this.clock.now(), grantedSec, this.random);
    this.set(planned?.delayMs ?? refreshDelayMs(grantedSec, this.random), fn);
    this.slot = planned?.slot;
  }

  set(ms: number, fn: () => void): void {
    this.clear();
    this.timer.set(ms, () => {
      this.release();
      fn();
    });
  }

  clear(): void {
    this.timer.clear();
    this.release();
  }

  private release(): void {
    if (this.slot !== undefined) this.planner?.release(this.slot);
    this.slot = undefined;
  }
}
