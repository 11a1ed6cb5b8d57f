/**
 * The engine's published state: a revision number and the changes since the last push.
 * Changes are coalesced over `intervalMs` into one StateDelta, so a burst of thousands of
 * status changes costs one message (and one renderer update), not thousands.
 */
import type { Alert, StateDelta } from "../../shared/contract.js";
import type { Clock, TimerHandle } from "../clock.js";

export interface StateHubSource {
  /** Current view of an account, or undefined if it was removed. */
  view(id: string): StateDelta["accounts"][number] | undefined;
  /** Called with the batch before it is published (persist it here). */
  beforePublish(batch: { changed: string[]; removed: string[]; alerts: Alert[] }): void;
}

export type DeltaListener = (delta: StateDelta) => void;

export class StateHub {
  private rev = 0;
  private changed = new Set<string>();
  private removed = new Set<string>();
  private alerts = new Map<string, Alert>();
  private timer: TimerHandle | undefined;
  private dueAt = 0;
  private lastFlushAt = Number.NEGATIVE_INFINITY;
  private readonly listeners = new Set<DeltaListener>();

  constructor(
    private readonly source: StateHubSource,
    private readonly clock: Clock,
    private readonly intervalMs = 100,
    private readonly alertGapMs = Math.min(20, intervalMs),
  ) {}

  get revision(): number {
    return this.rev;
  }

  accountChanged(id: string): void {
    this.removed.delete(id);
    this.changed.add(id);
    this.arm(this.intervalMs);
  }

  accountRemoved(id: string): void {
    this.changed.delete(id);
    this.removed.add(id);
    this.arm(this.intervalMs);
  }

  /**
   * An alert goes out at once (next tick), or `alertGapMs` after the last delta when that was
   * sooner: an alert waits at most that long, and a burst of forced removals across thousands
   * of accounts costs at most one delta per gap instead of one per alert.
   */
  alertChanged(alert: Alert): void {
    this.alerts.set(alert.id, alert);
    this.arm(Math.max(0, this.lastFlushAt + this.alertGapMs - this.clock.now()));
  }

  subscribe(listener: DeltaListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Publishes pending changes now (also used at shutdown so nothing is left unsaved). */
  flush(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.changed.size === 0 && this.removed.size === 0 && this.alerts.size === 0) return;
    this.lastFlushAt = this.clock.now();
    const changed = [...this.changed];
    const removed = [...this.removed];
    const alerts = [...this.alerts.values()];
    this.changed.clear();
    this.removed.clear();
    this.alerts.clear();
    this.source.beforePublish({ changed, removed, alerts });
    const accounts = changed.map((id) => this.source.view(id)).filter((v) => v !== undefined);
    const delta: StateDelta = { fromRev: this.rev, toRev: this.rev + 1, accounts, removed, alerts };
    this.rev++;
    for (const l of this.listeners) {
      try {
        l(delta);
      } catch {
        // One broken subscriber (a closed socket) must not stop the others.
      }
    }
  }

  /** Publishes within `delayMs`: an earlier pending publish stands, a later one is brought forward. */
  private arm(delayMs: number): void {
    const due = this.clock.now() + delayMs;
    if (this.timer !== undefined) {
      if (this.dueAt <= due) return;
      this.clock.clearTimeout(this.timer);
    }
    this.dueAt = due;
    this.timer = this.clock.setTimeout(() => this.flush(), delayMs);
  }
}
