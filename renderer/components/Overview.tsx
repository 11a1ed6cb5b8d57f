import { useMemo } from "react";
import { useStore } from "../store/store.js";

/** Counts by state and open alerts, always visible. */
export function Overview() {
  const accounts = useStore((s) => s.accounts);
  const alerts = useStore((s) => s.alerts);
  const counts = useMemo(() => {
    const c = { registered: 0, pending: 0, failed: 0, disabled: 0, queued: 0 };
    for (const a of Object.values(accounts)) {
      const st = a.status.state;
      if (a.status.queued) c.queued++;
      if (st === "registered") c.registered++;
      else if (st === "failed") c.failed++;
      else if (st === "disabled" || st === "unregistered") c.disabled++;
      else c.pending++;
    }
    return c;
  }, [accounts]);
  const openAlerts = useMemo(() => Object.values(alerts).filter((a) => !a.acknowledged).length, [alerts]);
  const items = [
    { key: "registered", label: "Registered", value: counts.registered },
    { key: "pending", label: "Registering / retrying", value: counts.pending },
    { key: "failed", label: "Failed", value: counts.failed },
    { key: "disabled", label: "Disabled / unregistered", value: counts.disabled },
    { key: "queued", label: "Queued to register", value: counts.queued },
    { key: "alerts", label: "Open alerts", value: openAlerts },
  ];
  return (
    <dl className="overview" aria-label="Overview">
      {items.map((item) => (
        <div key={item.key} className={`count count-${item.key}`}>
          <dt>{item.label}</dt>
          <dd data-testid={`count-${item.key}`}>{item.value}</dd>
        </div>
      ))}
    </dl>
  );
}
