import { useEffect, useMemo, useRef, useState } from "react";
import { useClient } from "../client/context.js";
import { formatTime } from "../format.js";
import { useStore } from "../store/store.js";

/** Every alert, open ones first; each can be acknowledged or opened on its account. */
export function AlertCentre({ onOpenAccount, onClose }: { onOpenAccount: (id: string) => void; onClose: () => void }) {
  const alerts = useStore((s) => s.alerts);
  const accounts = useStore((s) => s.accounts);
  const client = useClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<string>();
  const list = useMemo(() => Object.values(alerts).sort((a, b) => Number(a.acknowledged) - Number(b.acknowledged) || b.at - a.at), [alerts]);

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);

  const ackAll = () =>
    Promise.all(list.filter((a) => !a.acknowledged).map((a) => client.invoke("alerts.ack", { id: a.id }))).catch((e: Error) => setError(e.message));

  return (
    <dialog ref={dialog} className="detail-dialog" aria-labelledby="alerts-title" onCancel={onClose} data-testid="alert-centre">
      <header className="detail-head">
        <h2 id="alerts-title">Alerts</h2>
        <button type="button" onClick={() => void ackAll()} disabled={!list.some((a) => !a.acknowledged)}>
          Acknowledge all
        </button>
        <button type="button" onClick={onClose} aria-label="Close alerts">
          ✕
        </button>
      </header>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {list.length === 0 ? (
        <p className="muted">No alerts.</p>
      ) : (
        <ul className="alert-list">
          {list.map((a) => (
            <li key={a.id} className={a.acknowledged ? "acked" : `open alert-${a.kind}`} data-kind={a.kind}>
              <strong>{a.kind}</strong> · {formatTime(a.at)}
              {a.count > 1 && <span> · ×{a.count}</span>}
              <div>
                <button type="button" className="link" onClick={() => onOpenAccount(a.accountId)}>
                  {accounts[a.accountId]?.name ?? a.accountId}
                </button>
                : {a.message}
              </div>
              {!a.acknowledged && (
                <button type="button" onClick={() => client.invoke("alerts.ack", { id: a.id }).catch((e: Error) => setError(e.message))}>
                  Acknowledge
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </dialog>
  );
}
