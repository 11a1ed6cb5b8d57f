import { useEffect, useState } from "react";
import type { Alert } from "../../shared/contract.js";
import { useStore } from "../store/store.js";

/**
 * Desktop notifications in a plain browser (the Electron shell notifies from main instead):
 * one per new alert or repeat, after the user allowed them.
 */
export function DesktopNotifications() {
  const [permission, setPermission] = useState(() => (typeof Notification === "undefined" ? "unsupported" : Notification.permission));
  useEffect(() => {
    if (permission !== "granted") return;
    const seen = new Map<string, number>(Object.values(useStore.getState().alerts).map((a) => [a.id, a.count]));
    return useStore.subscribe((state) => {
      for (const alert of Object.values(state.alerts) as Alert[]) {
        if (alert.acknowledged || (seen.get(alert.id) ?? 0) >= alert.count) continue;
        seen.set(alert.id, alert.count);
        const name = state.accounts[alert.accountId]?.name ?? "Account";
        new Notification(`${name}: ${alert.kind.replace("-", " ")}`, { body: alert.message, tag: alert.id });
      }
    });
  }, [permission]);
  if (permission !== "default") return null;
  return (
    <button type="button" onClick={() => void Notification.requestPermission().then(setPermission)}>
      Enable desktop alerts
    </button>
  );
}
