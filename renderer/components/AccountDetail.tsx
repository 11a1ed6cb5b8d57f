import { useEffect, useMemo, useRef, useState } from "react";
import type { HistoryEntry, TraceEntry } from "../../shared/contract.js";
import { useClient } from "../client/context.js";
import { formatCode, formatCountdown, formatTime } from "../format.js";
import { flappingIds, registeredShare } from "../history-stats.js";
import { useAccount } from "../store/store.js";
import { StateBadge } from "./StateBadge.js";
import { useNow } from "./use-now.js";

type Confirm = "unregister-all" | "delete" | undefined;

/** Everything about one account: bindings, reg-event state, timeline, SIP trace and actions. */
export function AccountDetail({ id, onEdit, onClose }: { id: string; onEdit: () => void; onClose: () => void }) {
  const account = useAccount(id);
  const client = useClient();
  const now = useNow();
  const dialog = useRef<HTMLDialogElement>(null);
  const [history, setHistory] = useState<HistoryEntry[]>([]);
  const [trace, setTrace] = useState<TraceEntry[]>([]);
  const [confirm, setConfirm] = useState<Confirm>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);

  // Reload the timeline and trace when the account's state changes (pushed), never on a timer.
  const changeKey = account ? `${account.status.lastChange}|${account.status.code}|${account.status.regEvent.state}|${account.status.bindings.length}` : "";
  useEffect(() => {
    let live = true;
    Promise.all([client.invoke("accounts.history", { id, limit: 500 }), client.invoke("accounts.trace", { id, limit: 30 })]).then(
      ([h, t]) => {
        if (!live) return;
        setHistory(h);
        setTrace(t);
      },
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [client, id, changeKey]);

  const share = useMemo(() => (account ? registeredShare(history, account.status.state, now) : undefined), [history, account?.status.state, Math.floor(now / 60_000)]);
  const flapping = useMemo(() => flappingIds(history), [history]);

  if (!account) return null;
  const { status } = account;

  const act = (fn: () => Promise<unknown>, after?: () => void) => {
    setBusy(true);
    setError(undefined);
    fn()
      .then(() => after?.())
      .catch((e: Error) => setError(e.message))
      .finally(() => {
        setBusy(false);
        setConfirm(undefined);
      });
  };

  const traceText = trace.map((t) => `--- ${t.direction} ${new Date(t.at).toISOString()}\n${t.text}`).join("\n");

  return (
    <dialog ref={dialog} className="detail-dialog" aria-labelledby="detail-title" onCancel={onClose} data-testid="account-detail">
      <header className="detail-head">
        <div>
          <h2 id="detail-title">{account.name}</h2>
          <div className="muted">{account.aor}</div>
        </div>
        <StateBadge state={status.state} />
        <button type="button" onClick={onClose} aria-label="Close details">
          ✕
        </button>
      </header>

      <dl className="facts">
        <dt>Last response</dt>
        <dd data-testid="detail-code">{formatCode(status.code, status.reason) || "—"}</dd>
        <dt>Expires in</dt>
        <dd>{status.state === "registered" && status.expiresAt ? formatCountdown(status.expiresAt - now) : "—"}</dd>
        {status.retryAt && (
          <>
            <dt>Next attempt in</dt>
            <dd>{formatCountdown(status.retryAt - now)}</dd>
          </>
        )}
        <dt>Reg-event watch</dt>
        <dd data-testid="detail-regevent">
          {status.regEvent.state}
          {status.regEvent.reason ? ` — ${status.regEvent.reason}` : ""}
        </dd>
        <dt>Registered, last 24 h</dt>
        <dd data-testid="detail-share">{share === undefined ? "—" : `${(share * 100).toFixed(share > 0.999 || share < 0.001 ? 0 : 1)} %`}</dd>
      </dl>

      <div className="detail-actions">
        {account.enabled && (
          <>
            <button type="button" disabled={busy} onClick={() => act(() => client.invoke("accounts.register", { id }))}>
              Register now
            </button>
            <button type="button" disabled={busy} onClick={() => act(() => client.invoke("accounts.unregister", { id }))}>
              Unregister
            </button>
            <button type="button" disabled={busy} onClick={() => setConfirm("unregister-all")}>
              Remove all bindings…
            </button>
          </>
        )}
        <button type="button" disabled={busy} onClick={() => act(() => client.invoke(account.enabled ? "accounts.disable" : "accounts.enable", { id }))}>
          {account.enabled ? "Disable" : "Enable"}
        </button>
        <button type="button" onClick={onEdit}>
          Edit…
        </button>
        <button type="button" className="danger" disabled={busy} onClick={() => setConfirm("delete")}>
          Delete…
        </button>
      </div>
      {confirm && (
        <div className="confirm-box" role="alertdialog" aria-label="Confirm">
          {confirm === "unregister-all" ? (
            <p>
              This sends <code>REGISTER</code> with <code>Contact: *</code> and <code>Expires: 0</code>: the registrar removes <strong>every</strong> device
              registered on {account.aor}, not only Regwatch's binding. Phones on that AOR stop receiving calls until they register again.
            </p>
          ) : (
            <p>This unregisters the account, then deletes it with its history and alerts.</p>
          )}
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() =>
              confirm === "delete" ? act(() => client.invoke("accounts.delete", { id }), onClose) : act(() => client.invoke("accounts.unregisterAll", { id }))
            }
          >
            {confirm === "delete" ? "Delete account" : "Remove all bindings"}
          </button>
          <button type="button" onClick={() => setConfirm(undefined)}>
            Cancel
          </button>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}

      <section aria-labelledby="bindings-title">
        <h3 id="bindings-title">Bindings on this AOR</h3>
        {status.bindings.length === 0 ? (
          <p className="muted">None known.</p>
        ) : (
          <table className="bindings" data-testid="detail-bindings">
            <thead>
              <tr>
                <th>Contact</th>
                <th>Device</th>
                <th>Last event</th>
                <th>Expires in</th>
              </tr>
            </thead>
            <tbody>
              {status.bindings.map((b) => (
                <tr key={b.uri}>
                  <td className="mono">{b.uri}</td>
                  <td>{b.own ? "This account" : "Other device"}</td>
                  <td>{b.event ?? "—"}</td>
                  <td>{b.expiresAt ? formatCountdown(b.expiresAt - now) : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="history-title">
        <h3 id="history-title">History</h3>
        <ol className="timeline" data-testid="detail-history">
          {history.slice(0, 200).map((h) => (
            <li key={h.id} className={flapping.has(h.id) ? "flapping" : undefined}>
              <time dateTime={new Date(h.at).toISOString()}>{formatTime(h.at)}</time> <span className="kind">{h.kind}</span>
              {h.state && h.kind === "state" && <StateBadge state={h.state} />} {formatCode(h.code, h.reason)}
              {h.durationMs !== undefined && <span className="muted"> ({h.durationMs} ms)</span>}
              {flapping.has(h.id) && <span className="flap-tag"> flapping</span>}
            </li>
          ))}
        </ol>
      </section>

      <section aria-labelledby="trace-title">
        <h3 id="trace-title">
          SIP trace{" "}
          <button
            type="button"
            disabled={trace.length === 0}
            onClick={() => void navigator.clipboard?.writeText(traceText).then(() => setCopied(true), () => setCopied(false))}
          >
            {copied ? "Copied" : "Copy"}
          </button>
        </h3>
        <p className="muted">Recent messages of this account (credentials redacted).</p>
        <pre className="trace" data-testid="detail-trace" tabIndex={0}>
          {traceText || "No messages kept for this account yet."}
        </pre>
      </section>
    </dialog>
  );
}
