import { memo, useState } from "react";
import { useClient } from "../client/context.js";
import { formatCode, formatCountdown } from "../format.js";
import { useAccount } from "../store/store.js";
import { StateBadge } from "./StateBadge.js";
import { useNow } from "./use-now.js";

function Expiry({ expiresAt }: { expiresAt: number | undefined }) {
  const now = useNow();
  if (expiresAt === undefined) return <span className="muted">—</span>;
  return <span title={new Date(expiresAt).toLocaleString()}>{formatCountdown(expiresAt - now)}</span>;
}

/** One account in the list; re-renders only when this account changes. */
export const AccountRow = memo(function AccountRow({ id, onOpen }: { id: string; onOpen: (id: string) => void }) {
  const account = useAccount(id);
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  if (!account) return null;
  const { status } = account;
  const act = (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    fn()
      .catch((e: Error) => setError(e.message))
      .finally(() => setBusy(false));
  };
  return (
    <div className="row" role="row" data-testid="account-row" data-account-id={id} data-state={status.state} aria-busy={busy}>
      <span role="cell" className="cell-state">
        <StateBadge state={status.state} />
        {status.queued && (
          <span className="queued-tag" title="Waiting for its turn to register (pacing)">
            queued
          </span>
        )}
      </span>
      <span role="cell" className="cell-name">
        <button type="button" className="link" onClick={() => onOpen(id)} aria-label={`Open ${account.name}`}>
          {account.name}
        </button>
        <span className="aor">{account.aor}</span>
      </span>
      <span role="cell" className="cell-code" data-testid="account-code">
        {formatCode(status.code, status.reason)}
        {error && <span className="error"> — {error}</span>}
      </span>
      <span role="cell" className="cell-expiry">
        <Expiry expiresAt={status.state === "registered" ? status.expiresAt : undefined} />
      </span>
      <span role="cell" className="cell-actions">
        {account.enabled ? (
          <>
            <button type="button" disabled={busy} onClick={() => act(() => client.invoke("accounts.register", { id }))}>
              Register now
            </button>
            <button type="button" disabled={busy} onClick={() => act(() => client.invoke("accounts.disable", { id }))}>
              Disable
            </button>
          </>
        ) : (
          <button type="button" disabled={busy} onClick={() => act(() => client.invoke("accounts.enable", { id }))}>
            Enable
          </button>
        )}
      </span>
    </div>
  );
});
