/** Desktop notifications for alerts: one per new alert or repeat; a click opens the account. */
import { Notification } from "electron";
import type { Alert, StateDelta } from "../shared/contract.js";

export function alertNotifier(nameOf: (accountId: string) => string, onClick: (alert: Alert) => void): (delta: StateDelta) => void {
  const seen = new Map<string, number>();
  return (delta) => {
    for (const alert of delta.alerts) {
      if (alert.acknowledged || (seen.get(alert.id) ?? 0) >= alert.count) continue;
      seen.set(alert.id, alert.count);
      if (!Notification.isSupported()) continue;
      const n = new Notification({
        title: `${nameOf(alert.accountId)}: ${alert.kind.replace("-", " ")}`,
        body: alert.count > 1 ? `${alert.message} (×${alert.count})` : alert.message,
        urgency: "critical",
      });
      n.on("click", () => onClick(alert));
      n.show();
    }
  };
}
