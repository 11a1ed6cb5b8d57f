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
  private readonly listeners = new Set<DeltaListener>();

  constructor(
    private readonly source: StateHubSource,
    private readonly clock: Clock,
    private readonly intervalMs = 100,
  ) {}

  get revision(): number {
    return this.rev;
  }

  accountChanged(id: string): void {
    this.removed.delete(id);
    this.changed.add(id);
    this.arm();
  }

  accountRemoved(id: string): void {
    this.changed.delete(id);
    this.removed.add(id);
    this.arm();
  }

  /** Alerts go out at once (next tick), not at the end of the batching interval. */
  alertChanged(alert: Alert): void {
    this.alerts.set(alert.id, alert);
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => this.flush(), 0);
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

  private arm(): void {
    if (this.timer === undefined) this.timer = this.clock.setTimeout(() => this.flush(), this.intervalMs);
  }
}
