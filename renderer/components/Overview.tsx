import { useMemo } from "react";
import { useStore } from "../store/store.js";

/** Counts by state and open alerts, always visible. */
export function Overview() {
  const accounts = useStore((s) => s.accounts);
  const alerts = useStore((s) => s.alerts);
  const counts = useMemo(() => {
    const c = { registered: 0, pending: 0, failed: 0, disabled: 0 };
    for (const a of Object.values(accounts)) {
      const st = a.status.state;
      if (st === "registered") c.registered++;
      else if (st === "failed") c.failed++;
      else if (st === "disabled" || st === "unregistered") c.disabled++;
      else c.pending++;
    }
    return c;
  }, [accounts]);
  const openAlerts = useMemo(() => Object.values(alerts).filter((a) => !a.acknowledged).length, [alerts]);
  return (
    <dl className="overview" aria-label="Overview">
      <div className="count count-registered">
        <dt>Registered</dt>
        <dd data-testid="count-registered">{counts.registered}</dd>
      </div>
      <div className="count count-pending">
        <dt>Registering / retrying</dt>
        <dd data-testid="count-pending">{counts.pending}</dd>
      </div>
      <div className="count count-failed">
        <dt>Failed</dt>
        <dd data-testid="count-failed">{counts.failed}</dd>
      </div>
      <div className="count count-disabled">
        <dt>Disabled / unregistered</dt>
        <dd data-testid="count-disabled">{counts.disabled}</dd>
      </div>
      <div className="count count-alerts">
        <dt>Open alerts</dt>
        <dd data-testid="count-alerts">{openAlerts}</dd>
      </div>
    </dl>
  );
}
