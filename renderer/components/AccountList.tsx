import { useVirtualizer } from "@tanstack/react-virtual";
import { useMemo, useRef } from "react";
import { useAccountIds, useStore } from "../store/store.js";
import { AccountRow } from "./AccountRow.js";

const ROW_HEIGHT = 52;

/** Every account, virtualized: only the rows on screen exist in the DOM, at 10 or 50,000 accounts. */
export function AccountList({ query, onEdit }: { query: string; onEdit: (id: string) => void }) {
  const ids = useAccountIds();
  const accounts = useStore((s) => s.accounts);
  const needle = query.trim().toLowerCase();
  // Filtering reads names and AORs only, which change rarely; `accounts` identity changes per batch.
  const visible = useMemo(
    () =>
      needle
        ? ids.filter((id) => {
            const a = accounts[id];
            return a !== undefined && (a.name.toLowerCase().includes(needle) || a.aor.toLowerCase().includes(needle));
          })
        : ids,
    [ids, needle, needle ? accounts : undefined],
  );
  const parent = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: visible.length,
    getScrollElement: () => parent.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  if (ids.length === 0) {
    return <p className="empty">No accounts yet. Add one to start watching its registration.</p>;
  }
  return (
    <div className="list" role="table" aria-label="Accounts" aria-rowcount={visible.length}>
      <div className="row header" role="row">
        <span role="columnheader">State</span>
        <span role="columnheader">Account</span>
        <span role="columnheader">Last response</span>
        <span role="columnheader">Expires in</span>
        <span role="columnheader">Actions</span>
      </div>
      <div ref={parent} className="list-scroll" data-testid="account-list">
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((item) => (
            <div
              key={visible[item.index]}
              className="row-slot"
              style={{ position: "absolute", top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
            >
              <AccountRow id={visible[item.index]!} onEdit={onEdit} />
            </div>
          ))}
        </div>
      </div>
      {visible.length === 0 && <p className="empty">No account matches “{query}”.</p>}
    </div>
  );
}
