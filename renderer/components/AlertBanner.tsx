import { useMemo, useState } from "react";
import { useClient } from "../client/context.js";
import { formatTime } from "../format.js";
import { openAlerts, useStore } from "../store/store.js";

/** The newest unacknowledged alert, in a banner screen readers announce. */
export function AlertBanner() {
  const alerts = useStore((s) => s.alerts);
  const accounts = useStore((s) => s.accounts);
  const client = useClient();
  const [error, setError] = useState<string>();
  const open = useMemo(() => openAlerts(alerts), [alerts]);
  const top = open[0];
  if (!top) return null;
  const account = accounts[top.accountId];
  return (
    <div className={`alert-banner alert-${top.kind}`} role="alert" data-testid="alert-banner" data-kind={top.kind}>
      <strong>{account ? account.name : "Account"}:</strong> {top.message}
      {top.count > 1 && <span className="count-pill"> ×{top.count}</span>}
      <span className="muted"> — {formatTime(top.at)}</span>
      {open.length > 1 && <span className="muted"> (+{open.length - 1} more)</span>}
      <button
        type="button"
        onClick={() =>
          client.invoke("alerts.ack", { id: top.id }).then(
            () => setError(undefined),
            (e: Error) => setError(e.message),
          )
        }
      >
        Acknowledge
      </button>
      {error && <span className="error"> {error}</span>}
    </div>
  );
}
